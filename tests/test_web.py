"""The web UI, driven in a real page: headless Debian chromium through Playwright's Python package.

The app runs in-process on a free loopback port over the session's real index. Screenshots of the
chat and the eval tab go to test-artifacts/ (git-ignored); the chat one also becomes
docs/screenshot.png when that file is missing. Install the browser with scripts/install-browser.sh.
"""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path
from urllib.parse import urlparse

import pytest

from assistant.answer.service import Assistant
from assistant.errors import UserError
from assistant.index.reports import add_reports
from assistant.types import Answer, Citation, Figure
from assistant.web.app import read_auth, serve
from assistant.web.render import Turn, conversation, marked_passage, sources_panel, surrounding
from assistant.web.uploads import outcome_panel, read_year
from tests.browser import ARTIFACTS, FINISHED, ask, submit, wait_answer

ROOT = Path(__file__).resolve().parents[1]
DOCS_SCREENSHOT = ROOT / "docs" / "screenshot.png"
GOLD = ROOT / "assistant" / "bundled" / "eval" / "gold.jsonl"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def eval_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("web-eval")


@pytest.fixture(scope="module")
def web_url(settings, assistant, eval_dir):
    """The app, started the way `assistant web` starts it, on a free 127.0.0.1 port."""
    port = _free_port()
    app = serve(settings.replace(web_port=port, eval_dir=eval_dir), assistant=assistant, block=False)
    yield f"http://127.0.0.1:{port}/"
    app.close()


def _open(browser, url: str):
    """A fresh browser context (its own session) on the app, with every request recorded."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.requests = []
    page.on("request", lambda request: page.requests.append(request.url))
    page.goto(url)
    page.wait_for_selector("#question-box textarea")
    return page


@pytest.fixture
def page(browser, web_url):
    page = _open(browser, web_url)
    yield page
    page.context.close()


def _screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


# --- the chat, in the browser ---------------------------------------------------------------------

def test_parking_question_shows_both_districts_figures_and_two_source_cards(page):
    answer = ask(page, "2023年新增停车泊位目标")
    text = answer.inner_text()
    assert "3700" in text and "5000" in text
    cards = page.locator("#sources-box .src-group.active .src-card")
    assert cards.count() == 2
    assert "滨江区" in cards.nth(0).inner_text() and "拱墅区" in cards.nth(1).inner_text()
    marks = page.locator("#sources-box .src-group.active .src-text mark")
    assert "3700" in marks.nth(0).inner_text() and "5000" in marks.nth(1).inner_text()
    shot = _screenshot(page, "chat.png")
    if not DOCS_SCREENSHOT.exists():  # the README's picture: delete it to take a fresh one
        DOCS_SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, DOCS_SCREENSHOT)
    page.locator("#chat-box .cite[data-cite='2']").last.click()
    cards.nth(1).locator(".ctx").wait_for(state="visible")
    page.wait_for_timeout(600)  # the panel scrolls smoothly to the card
    _screenshot(page, "chat-context.png")


def test_clicking_a_marker_shows_the_passage_in_context(page):
    ask(page, "2023年新增停车泊位目标")
    card = page.locator("#sources-box .src-group.active .src-card").nth(1)
    passage = card.locator(".src-text").inner_text()
    assert not card.locator(".ctx").is_visible()
    page.locator("#chat-box .cite[data-cite='2']").last.click()
    context = card.locator(".ctx")
    context.wait_for(state="visible")
    assert passage in context.inner_text() and len(context.inner_text()) > len(passage)
    assert not card.locator(".src-text").is_visible()  # the context replaces the bare passage


def test_comparison_shows_a_table_whose_markers_open_sources_and_that_scrolls_on_a_phone(page):
    answer = ask(page, "2023年滨江和拱墅哪个区新增停车泊位更多")
    assert "拱墅区（5000个）多于滨江区（不少于3700个）" in answer.inner_text()
    rows = answer.locator("table.cmp-table tbody tr")
    assert rows.count() == 2
    assert [rows.nth(i).locator("th, td").all_inner_texts() for i in range(2)] == [
        ["滨江区", "不少于3700个", "目标", "2023年", "[1]"], ["拱墅区", "5000个", "目标", "2023年", "[2]"]]
    card = page.locator("#sources-box .src-group.active .src-card").nth(1)
    rows.nth(1).locator(".cite").click()  # the table's marker opens its source, like the text's
    card.locator(".ctx").wait_for(state="visible")
    _screenshot(page, "chat-table.png")
    page.set_viewport_size({"width": 360, "height": 800})
    page.wait_for_timeout(300)
    wrap = answer.locator(".cmp-wrap")
    sizes = wrap.evaluate("el => [el.scrollWidth, el.clientWidth, el.closest('.msg').getBoundingClientRect().right,"
                          " document.querySelector('#chat-box').getBoundingClientRect().right]")
    scroll_width, client_width, bubble_right, box_right = sizes
    assert bubble_right <= box_right + 1  # the bubble stays inside the chat box
    assert scroll_width > client_width and wrap.evaluate("el => getComputedStyle(el).overflowX") == "auto"


def test_clicking_a_source_card_toggles_its_context(page):
    ask(page, "滨江区2022年地区生产总值是多少？")
    card = page.locator("#sources-box .src-group.active .src-card").first
    card.locator(".src-title").click()
    card.locator(".ctx").wait_for(state="visible")
    card.locator(".src-title").click()
    card.locator(".ctx").wait_for(state="hidden")


def test_followup_uses_this_sessions_previous_question(page):
    assert "3700" in ask(page, "滨江区2023年新增停车泊位目标").inner_text()
    answer = ask(page, "那拱墅区呢?")
    assert "5000" in answer.inner_text() and "3700" not in answer.inner_text()
    assert "拱墅区2023年新增停车泊位" in answer.locator(".searched").inner_text()


def test_unanswerable_question_is_presented_as_not_found(page):
    answer = ask(page, "西湖区2023年地区生产总值是多少？")
    assert "abstain" in answer.get_attribute("class")
    assert answer.inner_text().startswith("未在报告中找到")
    assert page.locator("#sources-box .src-group.active .src-text mark").count() == 0


def test_empty_message_shows_one_sentence_and_the_app_keeps_working(page):
    before = page.locator(FINISHED).count()
    page.click("#send")
    error = wait_answer(page, before)
    assert "error" in error.get_attribute("class")
    assert error.inner_text().strip() == "请输入问题。"
    assert "3700" in ask(page, "滨江区2023年新增停车泊位目标").inner_text()


def test_too_long_question_is_refused_in_one_sentence(page):
    answer = ask(page, "停车" * 1500)
    assert "问题太长" in answer.inner_text()


def test_html_script_and_markdown_in_a_question_are_shown_as_text(page):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    question = ('<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>'
                "**粗体** [链接](javascript:alert(3)) ![图](http://example.com/x.png) 停车泊位")
    ask(page, question)
    user = page.locator("#chat-box .msg.user").last
    assert user.inner_text().strip() == question
    assert page.evaluate("window.pwned") is None and not dialogs
    assert page.locator("#chat-box img, #chat-box a, #chat-box script, #chat-box .msg.user strong").count() == 0


def test_district_filter_limits_the_answer_to_that_district(page):
    page.locator("#filters").click()  # the filters are folded under 筛选
    page.get_by_label("拱墅区").check()
    answer = ask(page, "2023年新增停车泊位目标")
    assert "5000" in answer.inner_text() and "3700" not in answer.inner_text()
    assert page.locator("#sources-box .src-group.active .src-card").count() == 1


def test_example_question_from_the_index_is_offered_and_asked_on_click(page, assistant):
    example = assistant.examples.questions[0]
    assert example in page.locator("#question-box textarea").get_attribute("placeholder")
    before = page.locator(FINISHED).count()
    page.locator("#examples").get_by_text(example, exact=True).click()
    answer = wait_answer(page, before)
    assert "abstain" not in answer.get_attribute("class") and "[1]" in answer.inner_text()
    assert page.locator("#chat-box .msg.user").last.inner_text().strip() == example


def test_retry_asks_the_last_question_again_and_clear_forgets_the_conversation(page):
    ask(page, "滨江区2023年新增停车泊位目标")
    before = page.locator(FINISHED).count()
    page.locator(FINISHED).last.evaluate("el => { el.dataset.old = '1'; }")  # the answer before retrying
    page.click("#retry")
    page.wait_for_selector(f"{FINISHED}:not([data-old])")  # the chat was drawn anew with the new answer
    page.wait_for_timeout(300)
    assert page.locator("#chat-box .msg.user").count() == 1
    assert page.locator(FINISHED).count() == before and "3700" in page.locator(FINISHED).last.inner_text()
    page.click("#clear")
    page.wait_for_selector("#chat-box .welcome")
    assert page.locator("#chat-box .msg").count() == 0
    answer = ask(page, "那拱墅区呢?")
    assert "停车" not in (answer.locator(".searched").all_inner_texts() or [""])[0]


def test_copy_button_copies_the_answer_and_its_sources(page):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    answer = ask(page, "滨江区2023年新增停车泊位目标")
    answer.locator(".copy-answer").click()
    page.wait_for_function("() => document.querySelector('.copy-answer').textContent === '已复制'")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "3700" in copied and "[1] 滨江区" in copied


def test_two_browser_contexts_keep_separate_histories(browser, web_url):
    first, second = _open(browser, web_url), _open(browser, web_url)
    try:
        a, b = submit(first, "滨江区2022年地区生产总值是多少？"), submit(second, "拱墅区2023年新增停车泊位目标")
        wait_answer(first, a), wait_answer(second, b)
        a, b = submit(first, "那拱墅区呢?"), submit(second, "那滨江区呢?")
        first_answer, second_answer = wait_answer(first, a), wait_answer(second, b)
        assert "停车" not in first_answer.locator(".searched").inner_text()
        assert "地区生产总值" in first_answer.locator(".searched").inner_text()
        assert "3700" in second_answer.inner_text()
        assert "停车" not in first.locator("#chat-box").inner_text()
        assert "地区生产总值" not in second.locator("#chat-box").inner_text()
    finally:
        first.context.close()
        second.context.close()


def test_page_fetches_nothing_from_outside(page):
    ask(page, "2023年新增停车泊位目标")
    page.get_by_role("tab", name="评测").click()
    page.get_by_role("tab", name="索引").click()
    page.wait_for_timeout(500)
    hosts = {urlparse(url).hostname for url in page.requests if urlparse(url).scheme in ("http", "https")}
    assert hosts == {"127.0.0.1"}


# --- the eval and index tabs ----------------------------------------------------------------------

def _tiny_gold(folder: Path) -> Path:
    """Three gold items from the real gold set: one figure, one across reports, one unanswerable."""
    wanted = {"g001", "g076", "g105"}
    lines = [line for line in GOLD.read_text(encoding="utf-8").splitlines()
             if line.strip() and json.loads(line)["id"] in wanted]
    path = folder / "tiny.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_eval_tab_runs_a_small_gold_file(browser, web_url, eval_dir):
    _tiny_gold(eval_dir)
    page = _open(browser, web_url)
    try:
        page.get_by_role("tab", name="评测").click()
        page.get_by_role("combobox", name="金标准文件").click()
        page.get_by_role("option", name="tiny.jsonl").click()
        page.click("#run-eval")
        page.wait_for_selector("#eval-status .eval-note", timeout=120_000)
        assert "共 3 题" in page.locator("#eval-status").inner_text()
        metrics = page.locator("#eval-metrics").inner_text()
        assert "总计" in metrics and "准确率" in metrics
        page.locator("#eval-chart img").wait_for(state="visible")
        _screenshot(page, "eval.png")
    finally:
        page.context.close()
    assert list((eval_dir / "reports").glob("tiny-*.json"))


def test_index_tab_lists_the_indexed_reports(page):
    page.get_by_role("tab", name="索引").click()
    table = page.locator("#index-reports")
    table.wait_for(state="visible")
    text = table.inner_text()
    assert "滨江区" in text and "拱墅区" in text
    assert "嵌入模型" in page.locator("#index-summary").inner_text()


@pytest.fixture
def index_page(settings, assistant, browser, tmp_path):
    """The app over a copy of the session's index and a library of its own (so rebuilding, adding
    and removing leave the session's index alone), opened on the 索引 tab."""
    copy = settings.replace(index_dir=tmp_path / "index", library_dir=tmp_path / "library", web_port=_free_port())
    shutil.copytree(settings.index_dir, copy.index_dir)
    app = serve(copy, assistant=Assistant(copy, assistant.embedder), block=False)
    page = _open(browser, f"http://127.0.0.1:{copy.web_port}/")
    page.get_by_role("tab", name="索引").click()
    page.locator("#index-reports").wait_for(state="visible")
    page.library_dir = copy.library_dir
    yield page
    page.context.close()
    app.close()


def test_index_tab_rebuild_reuses_vectors_and_the_chat_keeps_answering(index_page):
    page = index_page
    page.click("#rebuild")
    page.wait_for_function("() => document.querySelector('#rebuild-status').innerText.includes('重建完成')",
                           timeout=120_000)
    assert "新嵌入 0 段" in page.locator("#rebuild-status").inner_text()
    page.get_by_role("tab", name="问答").click()
    assert "3700" in ask(page, "滨江区2023年新增停车泊位目标").inner_text()


XIHU_PLAN = "# 杭州市西湖区2024年工作计划\n## 一、主要目标\n新增停车泊位4000个。\n"


def _upload(page, files: list[Path], **fields: str):
    """Choose files in the upload box, fill the optional fields, press 添加并索引; the result panel."""
    page.set_input_files("#report-upload input[type=file]", [str(f) for f in files])
    page.wait_for_function(  # the box lists each file (name and extension apart) once it is uploaded
        "stems => stems.every(s => document.querySelector('#report-upload').innerText.includes(s))",
        arg=[f.stem for f in files], timeout=30_000)
    for name, value in fields.items():
        page.fill(f"#add-{name} textarea", value)
    page.click("#add-reports")
    page.wait_for_selector("#add-result .add-result", timeout=120_000)
    return page.locator("#add-result")


def test_uploaded_report_is_indexed_listed_answered_and_can_be_removed(index_page, tmp_path):
    page = index_page
    report = tmp_path / "西湖区2024年工作计划.md"
    report.write_text(XIHU_PLAN, encoding="utf-8")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    title = '杭州市西湖区2024年工作计划<img src=x onerror="window.pwned=1">'  # the title field, shown as text
    result = _upload(page, [report], title=title)
    added = result.locator(".add-table tbody tr")
    assert added.count() == 1 and result.locator(".refused-list li").count() == 0
    cells = added.first.locator("td").all_inner_texts()
    assert cells[0].startswith("杭州市西湖区2024年工作计划") and report.name in cells[0]
    assert cells[1:4] == ["西湖区", "2024", "年度工作安排"] and int(cells[4]) > 0
    assert title in page.locator("#index-reports").inner_text() and title in cells[0]
    assert page.evaluate("window.pwned") is None and page.locator("#index-reports img, #add-result img").count() == 0
    assert "共 3 份报告" in page.locator("#index-summary").inner_text()
    page.wait_for_function("s => !document.querySelector('#report-upload').innerText.includes(s)",
                           arg=report.stem)  # the upload box is emptied once everything was added
    _screenshot(page, "index-added.png")
    page.get_by_role("tab", name="问答").click()
    answer = ask(page, "西湖区2024年新增停车泊位目标")
    assert "4000" in answer.inner_text() and "西湖区" in page.locator("#sources-box .src-group.active").inner_text()

    page.get_by_role("tab", name="索引").click()
    page.get_by_role("combobox", name="选择报告").click()
    page.get_by_role("option", name=cells[5], exact=False).click()
    page.click("#remove-report")
    page.wait_for_function("() => document.querySelector('#edit-result').innerText.includes('已移除')",
                           timeout=120_000)
    assert "西湖区" not in page.locator("#index-reports").inner_text()
    assert not list(page.library_dir.glob("*.txt"))
    page.get_by_role("tab", name="问答").click()
    assert "4000" not in ask(page, "西湖区2024年新增停车泊位目标").inner_text()
    assert not dialogs and page.evaluate("window.pwned") is None


def test_empty_and_unsupported_uploads_are_each_refused_in_one_sentence(index_page, tmp_path):
    page = index_page
    empty, program = tmp_path / "空白.txt", tmp_path / "setup.exe"
    empty.write_bytes(b"")
    program.write_bytes(b"MZ\x90\x00 not a report")
    reports_before = page.locator("#index-reports").inner_text()
    result = _upload(page, [empty, program])
    refused = result.locator(".refused-list li").all_inner_texts()
    assert len(refused) == 2 and result.locator(".add-table").count() == 0
    assert refused[0].startswith("空白.txt") and "空文件" in refused[0]
    assert refused[1].startswith("setup.exe") and "（.exe）不受支持" in refused[1] and ".docx" in refused[1]
    assert all(sentence.count("。") == 1 and sentence.endswith("。") for sentence in refused)
    _screenshot(page, "index-refused.png")
    assert page.locator("#index-reports").inner_text() == reports_before
    assert not page.library_dir.exists()


# --- login --------------------------------------------------------------------------------------

def test_login_is_required_when_web_auth_is_set(settings, assistant, browser, tmp_path):
    secret = tmp_path / "login.txt"
    secret.write_text("analyst:s3cret\n", encoding="utf-8")
    port = _free_port()
    app = serve(settings.replace(web_port=port, web_auth=str(secret)), assistant=assistant, block=False)
    context = browser.new_context(locale="en-US")  # Gradio's login form is Chinese all the same
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/")
        page.get_by_label("用户名").fill("analyst")
        page.get_by_label("密码").fill("s3cret")
        page.keyboard.press("Enter")
        page.wait_for_selector("#question-box textarea")
    finally:
        context.close()
        app.close()


# --- the pieces, without a browser ----------------------------------------------------------------

def test_read_auth_accepts_a_pair_or_a_file_and_refuses_anything_else(tmp_path):
    assert read_auth("") is None
    assert read_auth("analyst:pa:ss") == ("analyst", "pa:ss")
    path = tmp_path / "auth"
    path.write_text("\nanalyst:secret\n", encoding="utf-8")
    assert read_auth(str(path)) == ("analyst", "secret")
    with pytest.raises(UserError):
        read_auth("analyst")


def _citation(**changes) -> Citation:
    text = "开工新建道路12条,新增停车泊位不少于3700个。全面推进"
    quote = "新增停车泊位不少于3700个"
    at = 100 + text.index(quote)
    fields = {"n": 1, "doc_id": "d", "title": "<b>报告</b>", "district": "滨江区", "section": "三、任务 > (四)交通",
              "text": text, "start": 100, "end": 100 + len(text), "score": 1.0, "year": 2023, "period": "target",
              "quote": quote, "quote_start": at, "quote_end": at + len(quote)}
    return Citation(**(fields | changes))


def test_marked_passage_highlights_the_quote_and_its_figure():
    html = marked_passage(_citation(), ["3700个"])
    assert '<mark class="quote">新增停车泊位不少于<strong class="fig">3700个</strong></mark>' in html


def test_surrounding_gives_whole_sentences_around_a_passage():
    text = "第一句。第二句。第三句。被引用的段落。后一句。再后一句。更后一句。"
    start = text.index("被引用")
    before, after = surrounding(text, start, start + len("被引用的段落。"))
    assert before == "第二句。第三句。" and after == "后一句。再后一句。"


def test_examples_are_made_from_the_indexed_reports(assistant):
    examples = assistant.examples
    places = {r["district"] for r in assistant.index.info.reports}
    assert len(set(examples.questions)) == 4
    assert {next(p for p in places if q.startswith(p)) for q in examples.questions} == places
    assert not any(assistant.ask(q).abstained for q in examples.questions)
    assert examples.follow_up.startswith("那") and examples.follow_up.endswith("呢？")


def test_uploads_of_the_wrong_type_empty_or_too_large_are_refused_as_assistant_add_refuses_them(settings, tmp_path):
    names = {"empty.txt": b"", "tool.exe": b"MZ", "noext": b"x", "big.pdf": b""}
    for name, data in names.items():
        (tmp_path / name).write_bytes(data)
    with open(tmp_path / "big.pdf", "r+b") as big:
        big.truncate(2**20 + 1)
    own = settings.replace(max_report_mb=1, library_dir=tmp_path / "library")
    outcome = add_reports(own, [tmp_path / n for n in names])
    assert not outcome.added and outcome.info is None and not own.library_dir.exists()
    refused = outcome.rejected
    assert [name for name, _ in refused] == ["empty.txt", "tool.exe", "noext", "big.pdf"]
    assert "空文件" in refused[0][1] and "（.exe）不受支持" in refused[1][1] and "没有扩展名" in refused[2][1]
    assert "1.0 MB，超过了每个文件 1 MB 的上限" in refused[3][1]


def test_year_field_takes_a_four_digit_year_or_nothing():
    assert read_year("") is None and read_year(" 2024 ") == 2024 and read_year("2024年") == 2024
    for bad in ("24", "二〇二四", "2024-05", "<b>"):
        with pytest.raises(UserError, match="四位数字"):
            read_year(bad)


def test_upload_result_panel_escapes_file_names_titles_and_sentences():
    entry = {"id": "x<y", "title": "<script>t</script>", "district": "<b>区</b>", "years": [2024],
             "kind": "报告", "source": "<i>f</i>.md"}
    html = outcome_panel([entry], {"x<y": 3}, [("<img src=x>.exe", "<img src=x>.exe is <bad>."),
                                                ("a&b.txt", "不能读取。")])
    assert "<script>" not in html and "<b>" not in html and "<i>" not in html and "<img" not in html
    assert "&lt;img src=x&gt;.exe is &lt;bad&gt;." in html
    assert '<span class="add-source">a&amp;b.txt</span>：不能读取。' in html


def test_comparison_table_is_escaped_and_its_markers_are_buttons():
    rows = [{"place": "<b>甲区</b>", "figure": "5000个", "value": "5000", "unit": "个", "qualifier": None,
             "period": "target", "year": 2023, "citation": 1},
            {"place": "乙区", "figure": "<i>3700个</i>", "value": "3700", "unit": "个", "qualifier": None,
             "period": "actual", "year": 2022, "citation": 2}]
    answer = Answer("q", "甲[1]乙[2]", False, citations=[_citation(), _citation(n=2)], table=rows)
    page = conversation([Turn("q", answer)])
    assert "<b>甲区" not in page and "<i>3700" not in page and "&lt;b&gt;甲区&lt;/b&gt;" in page
    assert '<td><button class="cite" type="button" data-turn="1" data-cite="2">[2]</button></td>' in page
    assert "<td>实际</td><td>2022年</td>" in page
    assert "<table" not in conversation([Turn("q", Answer("q", "甲[1]", False, citations=[_citation()],
                                                         table=rows[:1]))])


def test_rendering_escapes_report_text_and_questions():
    answer = Answer("q", "结果<script>x</script>[1]", False, citations=[_citation(text="<i>x</i>", quote="")],
                    figures=[Figure("3700", "个", None, 1)])
    turns = [Turn("<img src=x onerror=alert(1)>", answer)]
    page = conversation(turns) + sources_panel(turns, {})
    assert "<script>" not in page and "<img" not in page and "<i>" not in page and "<b>报告" not in page
    assert '<button class="cite" type="button" data-turn="1" data-cite="1">[1]</button>' in page


def test_a_doubtful_answer_is_shown_as_such_and_a_sure_one_is_not():
    def page(confidence):
        answer = Answer("q", "新增停车泊位5000个[1]", False, citations=[_citation(text="新增停车泊位5000个", quote="")],
                        figures=[Figure("5000", "个", None, 1)], confidence=confidence)
        return conversation([Turn("问题", answer)])
    assert "把握不大" in page(0.6) and "60%" in page(0.6)
    assert "把握不大" not in page(0.95) and "把握不大" not in page(None)


def test_a_citation_marker_keeps_the_character_before_it_and_the_full_stop_after_it_on_its_line():
    answer = Answer("q", "甲区：新增停车泊位5000个[1]；乙区：3700个[2]。", False,
                    citations=[_citation(), _citation(n=2)])
    page = conversation([Turn("q", answer)])
    assert ('<span class="cite-run">个<button class="cite" type="button" data-turn="1" data-cite="1">[1]</button>；'
            '</span>') in page
    assert 'data-cite="2">[2]</button>。</span>' in page
