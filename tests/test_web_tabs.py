"""The eval and index tabs: correcting an added report's place, year or title (`edit_report`), and
in real Chromium (desktop and phone) the eval tab's run comparison and the index tab's edit and
split preview. Screenshots go to test-artifacts/ and, when it exists, /tmp/coord/shots/."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant.answer.service import Assistant
from assistant.config import Settings
from assistant.errors import UserError
from assistant.index.embedders import HASHED, make_embedder
from assistant.index.reports import add_reports, edit_report, refresh_index
from assistant.index.store import StoredIndex
from assistant.ingest.library import library_entries
from assistant.web.app import serve
from tests.browser import ARTIFACTS, ask
from tests.conftest import GOLD, SEEDS, free_port
from tests.test_web import _open

SHARED_SHOTS = Path("/tmp/coord/shots")
PLAN = "# 杭州市西湖区2024年工作计划\n## 一、主要目标\n新增停车泊位4000个。\n## 二、重点工作\n新建公办幼儿园6所。\n"
PHONE = {"width": 390, "height": 844}


def _shot(page, name: str, element: str | None = None) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    if element:
        page.locator(element).screenshot(path=str(path))
    else:
        page.screenshot(path=str(path), full_page=True)
    if SHARED_SHOTS.is_dir():
        shutil.copyfile(path, SHARED_SHOTS / name)
    return path


# --- edit_report, on an index of its own (hashed embedder: only metadata and vectors matter) ------

@pytest.fixture
def small_library(tmp_path) -> tuple[Settings, object]:
    """The seeds and one added report whose place was given wrongly (余杭区), indexed in tmp_path."""
    settings = Settings(seeds_dir=tmp_path / "seeds", index_dir=tmp_path / "index", library_dir=tmp_path / "library",
                        embedder=HASHED)
    shutil.copytree(SEEDS, settings.seeds_dir)
    embedder = make_embedder(HASHED)
    refresh_index(settings, embedder)
    plan = tmp_path / "西湖区2024年工作计划.md"
    plan.write_text(PLAN, encoding="utf-8")
    outcome = add_reports(settings, [plan], district="余杭区", embedder=embedder)
    assert outcome.added[0]["district"] == "余杭区"
    return settings, embedder


def _chunks(settings: Settings, embedder) -> dict[str, list[dict]]:
    by_report: dict[str, list[dict]] = {}
    for chunk in StoredIndex(settings, embedder).chunks:
        by_report.setdefault(chunk.doc_id, []).append({"id": chunk.id, "district": chunk.district,
                                                       "year": chunk.year, "text": chunk.text})
    return by_report


def test_editing_a_place_or_year_changes_only_that_reports_passages_and_embeds_nothing(small_library):
    settings, embedder = small_library
    report_id = library_entries(settings)[0]["id"]
    before = _chunks(settings, embedder)
    info = edit_report(settings, report_id, district="西湖区", embedder=embedder)
    assert info.embedded == 0
    after = _chunks(settings, embedder)
    assert {k: v for k, v in after.items() if k != report_id} == {k: v for k, v in before.items() if k != report_id}
    assert {c["district"] for c in after[report_id]} == {"西湖区"}
    assert [c["id"] for c in after[report_id]] == [c["id"] for c in before[report_id]]  # same passages, same vectors
    entry = library_entries(settings)[0]
    assert entry["district"] == "西湖区" and not any("余杭" in alias for alias in entry["aliases"])

    info = edit_report(settings, report_id, year=2025, embedder=embedder)
    assert info.embedded == 0 and library_entries(settings)[0]["years"] == [2025]
    assert {c["year"] for c in _chunks(settings, embedder)[report_id]} == {2025}


def test_a_new_title_re_embeds_that_reports_passages_only(small_library):
    settings, embedder = small_library
    report_id = library_entries(settings)[0]["id"]
    count = len(_chunks(settings, embedder)[report_id])
    info = edit_report(settings, report_id, title="杭州市西湖区2024年政府工作计划", embedder=embedder)
    assert info.embedded == count  # the title is part of what each passage embeds
    assert library_entries(settings)[0]["title"] == "杭州市西湖区2024年政府工作计划"


def test_seed_reports_and_unchanged_edits_are_refused_in_one_sentence(small_library):
    settings, embedder = small_library
    manifest = (settings.library_dir / "manifest.toml").read_bytes()
    with pytest.raises(UserError, match="示例报告，不能在这里修改") as seed:
        edit_report(settings, "binjiang-2023-plan", district="西湖区", embedder=embedder)
    report_id = library_entries(settings)[0]["id"]
    with pytest.raises(UserError, match="都没有改动") as unchanged:
        edit_report(settings, report_id, district="余杭区", embedder=embedder)
    with pytest.raises(UserError, match="没有编号为"):
        edit_report(settings, "no-such-report", district="西湖区", embedder=embedder)
    assert all(str(e.value).count("。") == 1 for e in (seed, unchanged))
    assert (settings.library_dir / "manifest.toml").read_bytes() == manifest


# --- the eval tab's words ------------------------------------------------------------------------

def test_every_scoring_verdict_is_shown_in_chinese_with_its_figures_kept():
    import inspect

    from assistant.evaluation import scoring
    from assistant.evaluation.report import _VERDICT_KEYS, verdict_text

    source = inspect.getsource(scoring)
    assert all(phrase in source for phrase in _VERDICT_KEYS)  # a renamed verdict would go untranslated
    assert verdict_text("wrong or missing figure: expected 5.0%, 5.5%") == "数字错误或缺失，应为：5.0%, 5.5%"
    assert verdict_text("also stated figures from gongshu-2023-workplan") == \
        "还给出了其他报告的数字：gongshu-2023-workplan"
    assert all(not any("a" <= ch <= "z" for ch in verdict_text(phrase)) for phrase in _VERDICT_KEYS)


# --- the tabs in the browser --------------------------------------------------------------------

@pytest.fixture
def app_url(settings, assistant, tmp_path):
    """The app over a copy of the session's index, with a library and an eval folder of its own,
    run from a folder that is not the repository."""
    own = settings.replace(index_dir=tmp_path / "index", library_dir=tmp_path / "library",
                           eval_dir=tmp_path / "elsewhere" / "eval", web_port=free_port())
    shutil.copytree(settings.index_dir, own.index_dir)
    app = serve(own, assistant=Assistant(own, assistant.embedder), block=False)
    yield f"http://127.0.0.1:{own.web_port}/", own
    app.close()


def _phone(browser, url: str):
    context = browser.new_context(locale="zh-CN", viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("#question-box textarea")
    return page


@pytest.mark.slow
def test_eval_tab_uploads_a_gold_file_runs_it_and_lists_what_changed_since_the_last_run(browser, app_url, tmp_path):
    url, own = app_url
    tiny = tmp_path / "tiny.jsonl"
    tiny.write_text("".join(GOLD.read_text(encoding="utf-8").splitlines(keepends=True)[:20]), encoding="utf-8")
    page = _open(browser, url)
    try:
        page.get_by_role("tab", name="评测").click()
        with page.expect_file_chooser() as chooser:
            page.click("#gold-upload")
        chooser.value.set_files(str(tiny))
        page.wait_for_function("() => document.querySelector('#eval-status').innerText.includes('已添加 tiny.jsonl')")
        assert page.get_by_role("combobox", name="金标准文件").input_value() == "tiny.jsonl"
        page.click("#run-eval")
        page.wait_for_selector("#eval-status .progress-level", timeout=60_000)
        bars = page.evaluate("() => [...document.querySelectorAll('.progress-level')]"
                             ".filter(e => e.offsetParent !== null).length")
        assert bars == 1  # one progress bar, on the status line, not one per output
        page.wait_for_function("() => document.querySelector('#eval-status').innerText.includes('共 20 题')",
                               timeout=120_000)
        assert "还没有更早的运行" in page.locator("#eval-compare").inner_text()

        first = next((own.eval_dir / "reports").glob("tiny-*.json"))
        data = json.loads(first.read_text(encoding="utf-8"))
        data["items"][0]["correct"] = False  # as if the first two items had been wrong back then
        data["items"][1]["correct"] = False
        first.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        page.wait_for_timeout(1100)  # report names carry the second: the next run gets its own
        page.click("#run-eval")
        changes = page.locator("#eval-compare .eval-changes")
        changes.wait_for(timeout=120_000)
        assert "修复 2 题，退步 0 题" in changes.inner_text()
        rows = changes.locator("tbody tr")
        assert rows.count() == 2 and rows.first.locator("td").first.inner_text() == "修复"
        assert rows.first.locator("td").last.inner_text() == "正确"  # the verdict in Chinese
        links = page.locator("#eval-files a")
        names = links.all_inner_texts()
        assert len(names) == 4 and all(n.startswith("tiny-") for n in names)
        assert {Path(n).suffix for n in names} == {".md", ".json", ".png"}
        assert page.request.get(url + links.nth(1).get_attribute("href")).json()["gold"] == "tiny.jsonl"
        page.locator("#eval-chart img").wait_for(state="visible")
        _shot(page, "eval-compare.png")
    finally:
        page.context.close()

    phone = _phone(browser, url)
    try:
        phone.get_by_role("tab", name="评测").click()
        phone.click("#compare-runs")  # the two latest runs are picked when the page opens
        table = phone.locator("#eval-compare .eval-changes table")
        table.wait_for(timeout=30_000)
        scroller = phone.locator("#eval-compare .eval-changes table >> xpath=..")
        assert scroller.evaluate("e => e.scrollWidth > e.clientWidth")  # scrolls instead of squeezing
        assert phone.locator("#eval-compare td").first.evaluate("e => e.getBoundingClientRect().width") > 30
        _shot(phone, "eval-compare-phone.png")
    finally:
        phone.context.close()


@pytest.mark.slow
def test_index_tab_names_the_original_file_corrects_a_place_and_previews_the_split(browser, app_url, tmp_path,
                                                                                  assistant):
    url, own = app_url
    plan = tmp_path / "西湖区2024年工作计划.md"
    plan.write_text(PLAN, encoding="utf-8")
    add_reports(own, [plan], district="余杭区", embedder=assistant.embedder)
    page = _open(browser, url)
    try:
        page.get_by_role("tab", name="索引").click()
        table = page.locator("#index-reports")
        table.wait_for(state="visible")
        assert plan.name in table.inner_text() and "report-" not in table.inner_text()

        page.get_by_role("combobox", name="选择报告").click()
        page.get_by_role("option", name="binjiang-2023-plan", exact=False).click()
        page.wait_for_function("() => document.querySelector('#edit-note').innerText.includes('示例报告')")
        assert page.locator("#save-edit").is_disabled() and page.locator("#remove-report").is_disabled()

        page.get_by_role("combobox", name="选择报告").click()
        page.get_by_role("option", name="西湖区2024年工作计划", exact=False).click()
        preview = page.locator("#split-preview .split-preview li")
        page.wait_for_function("() => document.querySelector('#edit-district textarea').value === '余杭区'")
        assert preview.count() >= 2 and "一、主要目标" in preview.nth(1).inner_text()
        assert page.locator("#edit-note").inner_text() == ""
        page.fill("#edit-district textarea", "西湖区")
        page.click("#save-edit")
        page.wait_for_function("() => document.querySelector('#edit-result').innerText.includes('已更新')",
                               timeout=120_000)
        assert "新嵌入 0 段" in page.locator("#edit-result").inner_text()
        assert "西湖区" in table.inner_text() and "余杭区" not in table.inner_text()
        _shot(page, "index-edit.png")

        page.get_by_role("tab", name="问答").click()
        answer = ask(page, "西湖区2024年新增停车泊位目标")
        assert "4000" in answer.inner_text()
    finally:
        page.context.close()

    phone = _phone(browser, url)
    try:
        phone.get_by_role("tab", name="索引").click()
        phone.get_by_role("combobox", name="选择报告").click()
        phone.get_by_role("option", name="西湖区2024年工作计划", exact=False).click()
        phone.locator("#split-preview .split-preview").wait_for()
        width = phone.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"] + 1  # nothing pushes the page sideways
        _shot(phone, "index-edit-phone.png")
    finally:
        phone.context.close()
