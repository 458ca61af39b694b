"""The chat tab as an analyst uses it all day, in headless Chromium at desktop (1440×900) and phone
(390×844) sizes, light and dark: Chinese everywhere, the sources drawer on a phone, history kept in
the browser, ?q= links, filters, stop, export, feedback; and the login guard over real HTTP.

Screenshots go to test-artifacts/ (git-ignored). Install the browser with scripts/install-browser.sh.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import free_port, running

from assistant.answer.service import Assistant
from assistant.types import Answer, Citation
from assistant.web.app import serve
from assistant.web.render import Turn, conversation, searched_text, sources_panel, turn_markdown
from tests.browser import ARTIFACTS, FINISHED, ask, submit, wait_answer

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
PARKING = "2023年新增停车泊位目标"
COMPARE = "2023年滨江和拱墅哪个区新增停车泊位更多"


@pytest.fixture(scope="module")
def chat_settings(settings, tmp_path_factory):
    own = tmp_path_factory.mktemp("web-chat")
    return settings.replace(web_port=free_port(), eval_dir=own / "eval", feedback_dir=str(own / "feedback"))


@pytest.fixture(scope="module")
def web_url(chat_settings, assistant):
    app = serve(chat_settings, assistant=assistant, block=False)
    yield f"http://127.0.0.1:{chat_settings.web_port}/"
    app.close()


def _open(browser, url: str, viewport=DESKTOP, **options):
    """A fresh browser context (its own storage) on the app; an English browser unless told."""
    context = browser.new_context(viewport=viewport, locale=options.pop("locale", "en-US"), **options)
    page = context.new_page()
    page.goto(url, timeout=120_000)
    page.wait_for_selector("#question-box textarea", timeout=120_000)  # 2 busy cores load 20 pages slowly
    page.wait_for_timeout(300)  # the load event fills in the conversation kept in the browser
    return page


def _screenshot(page, name: str, full_page: bool = False) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=full_page)
    return path


def _luminance(rgb: str) -> float:
    channels = [int(c) / 255 for c in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(foreground: str, background: str) -> float:
    light, dark = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _in_view(page, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    size = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size["height"] \
        and box["x"] >= 0 and box["x"] + box["width"] <= size["width"] + 1


# --- in the browser -------------------------------------------------------------------------------

ENGLISH_WORD = re.compile(r"(?<![A-Za-z])(?!CSV|Excel|Markdown)[A-Za-z]{3,}")  # file formats keep their names


def test_an_english_browser_gets_chinese_gradio_strings_and_no_english_in_the_chat_tab(browser, web_url):
    page = _open(browser, web_url)
    try:
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
        answer = ask(page, PARKING)
        assert "3700" in answer.inner_text()
        page.locator("#filters").click()  # the folded filter box opens
        page.get_by_label("拱墅区").wait_for()
        chat_tab = page.locator("#chat-col").inner_text() + page.locator("#sources-col").inner_text()
        assert not ENGLISH_WORD.findall(chat_tab), ENGLISH_WORD.findall(chat_tab)
        _screenshot(page, "desktop-chat.png")
        page.get_by_role("tab", name="索引").click()
        upload = page.locator("#report-upload")
        upload.wait_for()
        assert "Drop" not in upload.inner_text() and "Click" not in upload.inner_text()
        assert re.search(r"[\u4e00-\u9fff]", upload.inner_text())  # Gradio's own words, in Chinese
    finally:
        page.context.close()


def test_phone_shows_title_and_input_opens_sources_in_a_drawer_and_scrolls_tables(browser, web_url):
    page = _open(browser, web_url, viewport=PHONE)
    try:
        assert page.evaluate("window.scrollY") == 0
        assert _in_view(page, "#app-header h1") and _in_view(page, "#question-box textarea")
        _screenshot(page, "phone-open.png")
        answer = ask(page, COMPARE)
        assert "拱墅区（5000个）多于滨江区（不少于3700个）" in answer.inner_text()
        wrap = answer.locator(".cmp-wrap")
        scroll_width, client_width = wrap.evaluate("el => [el.scrollWidth, el.clientWidth]")
        cells = answer.locator("table.cmp-table td, table.cmp-table th")
        heights = cells.evaluate_all("cells => cells.map(c => c.getBoundingClientRect().height)")
        assert max(heights) < 40  # every cell on one line: the table scrolls instead of squeezing
        assert scroll_width >= client_width
        copy = answer.locator(".copy-answer")
        box = copy.bounding_box()
        assert box["width"] > box["height"]  # 复制 side by side, never 复 over 制
        drawer = page.locator("#sources-col")
        assert drawer.bounding_box()["x"] >= PHONE["width"] - 1  # the drawer waits off screen
        answer.locator(".body .cite[data-cite='2']").first.click()
        page.wait_for_timeout(500)
        assert abs(drawer.bounding_box()["x"]) < 2
        card = page.locator("#sources-box .src-group.active .src-card").nth(1)
        assert card.locator(".ctx").is_visible() and "拱墅区" in card.inner_text()
        _screenshot(page, "phone-sources.png")
        page.locator(".back-to-answer").click()
        page.wait_for_timeout(500)
        assert drawer.bounding_box()["x"] >= PHONE["width"] - 1 and answer.is_visible()
        _screenshot(page, "phone-chat.png")
        answer.locator(".open-sources").click()  # the same drawer from the answer's 来源 button
        page.wait_for_timeout(500)
        assert abs(drawer.bounding_box()["x"]) < 2
        page.locator(".back-to-answer").click()
        abstained = ask(page, "西湖区2023年地区生产总值是多少？")
        assert "右侧" not in abstained.inner_text() and "用时" not in abstained.inner_text()
    finally:
        page.context.close()


def test_dark_mode_highlighted_figure_in_context_is_readable(browser, web_url):
    page = _open(browser, web_url, color_scheme="dark")
    try:
        assert page.evaluate("document.querySelector('.dark') !== null")
        ask(page, "滨江区2023年新增停车泊位目标")
        page.locator("#chat-box .cite[data-cite='1']").last.click()
        figure = page.locator("#sources-box .src-group.active .ctx mark .fig").first
        figure.wait_for(state="visible")
        colors = figure.evaluate("el => [getComputedStyle(el).color,"
                                 " getComputedStyle(el.closest('mark')).backgroundColor]")
        assert _contrast(*colors) >= 4.5, colors
        text = page.locator("#sources-box .src-group.active .ctx").first
        colors = text.evaluate("el => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor]")
        assert _contrast(*colors) >= 4.5, colors
        page.wait_for_timeout(500)
        _screenshot(page, "dark-context.png")
    finally:
        page.context.close()


def test_conversation_survives_a_reload_and_a_q_link_asks_its_question(browser, web_url):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(web_url + "?q=" + urllib.parse.quote("滨江区2023年新增停车泊位目标"))
        answer = wait_answer(page, 0)
        assert "3700" in answer.inner_text()
        page.wait_for_function("() => !location.search.includes('q=')")  # a reload won't ask it again
        assert "5000" in ask(page, "那拱墅区呢?").inner_text()
        page.reload()
        page.wait_for_selector(FINISHED)
        page.wait_for_timeout(500)
        texts = page.locator(FINISHED).all_inner_texts()
        assert len(texts) == 2 and "3700" in texts[0] and "5000" in texts[1]
        assert page.locator("#sources-box .src-group.active .src-card").count() == 1
        assert "3700" in ask(page, "那滨江区呢?").inner_text()  # the reloaded history still guides follow-ups
        other = _open(browser, web_url)  # another browser: its own, empty conversation
        assert other.locator("#chat-box .msg").count() == 0
        other.context.close()
        page.click("#clear")
        page.wait_for_selector("#chat-box .welcome")
        page.reload()
        page.wait_for_selector("#question-box textarea")
        page.wait_for_timeout(800)
        assert page.locator("#chat-box .msg").count() == 0
    finally:
        context.close()


def test_filters_shape_the_answer_and_are_shown_on_it(browser, web_url):
    page = _open(browser, web_url)
    try:
        page.locator("#filters").click()
        page.get_by_label("拱墅区").check()
        page.locator("#period-filter").get_by_label("目标").check()
        assert "拱墅区" in page.locator("#filters").inner_text()
        answer = ask(page, "新增停车泊位")
        assert "5000" in answer.inner_text() and "3700" not in answer.inner_text()
        assert "范围：拱墅区 · 目标" in answer.locator(".scope").inner_text()
        assert page.locator("#sources-box .src-group.active .src-card").count() == 1
    finally:
        page.context.close()


def test_export_copy_and_feedback_on_an_answer(browser, web_url, chat_settings):
    page = _open(browser, web_url, accept_downloads=True)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    try:
        answer = ask(page, COMPARE)
        with page.expect_download() as info:
            answer.locator(".export-answer").click()
        markdown = Path(info.value.path()).read_text(encoding="utf-8")
        assert info.value.suggested_filename.endswith(".md")
        assert markdown.startswith("## 问：" + COMPARE) and "| 拱墅区 | 5000个 | 目标 | 2023年 | [2] |" in markdown
        assert "### 来源" in markdown and "[2] " in markdown and "> " in markdown
        with page.expect_download() as info:
            answer.locator(".table-csv").click()
        csv = Path(info.value.path()).read_bytes().decode("utf-8")
        assert csv.startswith("\ufeff地区,数字,目标/实际,年份,出处") and "拱墅区,5000个,目标,2023年,[2]" in csv
        with page.expect_download() as info:
            answer.locator(".table-xlsx").click()
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active
        assert [c.value for c in sheet[3]] == ["拱墅区", "5000个", "目标", "2023年", "[2]"]
        answer.locator(".copy-table").click()
        page.wait_for_function("() => document.querySelector('.copy-table').textContent === '已复制'")
        assert page.evaluate("navigator.clipboard.readText()").splitlines()[2] == "拱墅区\t5000个\t目标\t2023年\t[2]"
        with page.expect_download() as info:
            page.locator(".export-conversation").click()
        assert COMPARE in Path(info.value.path()).read_text(encoding="utf-8")

        answer.locator(".fb[data-verdict='wrong_figure']").click()
        page.wait_for_selector("#chat-box .fb.chosen[data-verdict='wrong_figure']")
        assert "已记录“数字不对”" in page.locator(FINISHED).last.inner_text()
        lines = (Path(chat_settings.feedback_dir) / "feedback.jsonl").read_text(encoding="utf-8").splitlines()
        entry = json.loads(lines[-1])
        assert entry["verdict"] == "wrong_figure" and entry["question"] == COMPARE
        assert "5000" in entry["answer"]["answer"]
    finally:
        page.context.close()


@pytest.fixture(scope="module")
def slow_llm_url(settings, assistant, tmp_path_factory):
    """The app over an LLM answerer whose (fake, local) model takes 3 s to reply."""
    from fake_llm_server import FakeLLMServer, Reply

    server = FakeLLMServer().start()
    server.script("slow", Reply(content="滨江区2023年新增停车泊位不少于3700个[1]。", delay=3.0))
    own = settings.replace(answerer="llm", llm_base_url=server.url, llm_model="slow", llm_timeout=30.0,
                           llm_retries=0, web_port=free_port(), eval_dir=tmp_path_factory.mktemp("slow-eval"))
    app = serve(own, assistant=Assistant(own, embedder=assistant.embedder), block=False)
    yield f"http://127.0.0.1:{own.web_port}/"
    app.close()
    server.stop()


def test_text_typed_during_an_answer_stays_and_stop_cancels_a_long_answer(browser, slow_llm_url):
    page = _open(browser, slow_llm_url, locale="zh-CN")
    try:
        before = submit(page, "滨江区2023年新增停车泊位目标")
        page.wait_for_selector("#chat-box .msg.bot.streaming")
        assert page.input_value("#question-box textarea") == ""
        page.locator("#stop").wait_for(state="visible")
        page.type("#question-box textarea", "那拱墅区")
        page.press("#question-box textarea", "Enter")  # too early: not sent, and not lost
        page.wait_for_timeout(300)
        assert page.input_value("#question-box textarea") == "那拱墅区"
        wait_answer(page, before)
        assert page.locator("#chat-box .msg.user").count() == 1
        assert page.input_value("#question-box textarea") == "那拱墅区"  # not erased by the answer
        page.locator("#stop").wait_for(state="hidden")

        before = submit(page, "拱墅区2023年新增停车泊位目标")
        page.wait_for_selector("#chat-box .msg.bot.streaming")
        started = time.monotonic()
        page.click("#stop")
        stopped = wait_answer(page, before)
        assert time.monotonic() - started < 2.5  # well before the model's 3 s
        assert stopped.inner_text().strip() == "已停止回答。"
        assert page.locator("#chat-box .msg.bot.streaming").count() == 0
        page.locator("#stop").wait_for(state="hidden")
    finally:
        page.context.close()


# --- the login guard, over plain HTTP -------------------------------------------------------------

def _get(url: str, cookie: str = "") -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def _login(base: str, password: str) -> tuple[int, str, str]:
    data = urllib.parse.urlencode({"username": "analyst", "password": password}).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(base + "login", data=data), timeout=10) as response:
            cookies = "; ".join(c.split(";")[0] for c in response.headers.get_all("Set-Cookie") or [])
            return response.status, response.read().decode("utf-8"), cookies
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace"), ""


def test_before_login_nothing_but_the_login_page_and_guessing_is_slowed(settings, assistant, tmp_path):
    (tmp_path / "eval").mkdir()
    (tmp_path / "eval" / "secret-gold.jsonl").write_text("{}\n", encoding="utf-8")
    own = settings.replace(web_port=free_port(), web_auth="analyst:s3cret", eval_dir=tmp_path / "eval")
    app = serve(own, assistant=assistant, block=False)
    base = f"http://127.0.0.1:{own.web_port}/"
    places = {r["district"] for r in assistant.index.info.reports}
    try:
        status, page = _get(base)
        assert status == 200 and '"auth_required": true' in page.replace('":true', '": true')
        for path in ("config", "info", "gradio_api/info", "gradio_api/config", "gradio_api/info?all_endpoints=true",
                     "gradio_api/openapi.json", "openapi.json", "docs", "gradio_api/queue/status",
                     f"gradio_api/file={tmp_path / 'eval' / 'secret-gold.jsonl'}"):
            status, body = _get(base + path)
            assert status in (401, 404), (path, status)
            assert not any(p in body for p in places) and "secret-gold" not in body
        assert not any(p in page for p in places) and "secret-gold" not in page and "named_endpoints" not in page
        for _ in range(5):
            assert _login(base, "wrong")[0] == 400
        status, body, _ = _login(base, "s3cret")  # even the right password waits now
        assert status == 429 and re.fullmatch(r"登录失败次数过多，请 \d+ 秒后再试。", json.loads(body)["detail"])
    finally:
        app.close()


def test_after_login_the_page_and_its_api_are_served(settings, assistant):
    own = settings.replace(web_port=free_port(), web_auth="analyst:s3cret")
    app = serve(own, assistant=assistant, block=False)
    base = f"http://127.0.0.1:{own.web_port}/"
    try:
        status, _, cookies = _login(base, "s3cret")
        assert status == 200 and cookies
        status, page = _get(base, cookies)
        assert status == 200 and any(r["district"] in page for r in assistant.index.info.reports)
        assert _get(base + "config", cookies)[0] == 200
    finally:
        app.close()


# --- the pieces, without a browser ----------------------------------------------------------------

def _citation(n: int = 1, district: str = "甲区") -> Citation:
    return Citation(n=n, doc_id="d", title="甲区报告", district=district, section="一、目标", text="新增泊位5000个。",
                    start=0, end=9, score=1.0, year=2023, period="target", quote="新增泊位5000个",
                    quote_start=0, quote_end=8)


def test_an_abstention_without_near_passages_shows_no_sources_group_and_no_time():
    answer = Answer("q", "未在报告中找到2030年的内容：报告只涉及2022、2023年。", True, latency_ms=3.0,
                    standalone_question="甲区2030年新增泊位")
    turns = [Turn("甲区2030年新增泊位", answer)]
    assert "src-group" not in sources_panel(turns, {})
    chat = conversation(turns)
    assert "用时" not in chat and "来源（" not in chat


def test_searched_question_separates_places_written_together():
    answer = Answer("q", "", False, standalone_question="甲区乙区2023年新增泊位", districts=["甲区", "乙区"])
    assert searched_text(answer) == "甲区、乙区 2023年新增泊位"
    answer.districts = ["甲区"]
    assert searched_text(answer) == "甲区乙区2023年新增泊位"


def test_a_turn_survives_its_json_form_and_exports_as_markdown():
    answer = Answer("q", "甲区新增泊位5000个[1]。", False, citations=[_citation()], latency_ms=120.0)
    turn = Turn("甲区新增泊位", answer, scope=["甲区", "2023年"], feedback="up")
    again = Turn.from_dict(json.loads(json.dumps(turn.to_dict())))
    assert again == turn
    markdown = turn_markdown(again)
    assert markdown.startswith("## 问：甲区新增泊位") and "范围：甲区 · 2023年" in markdown
    assert "[1] 甲区报告 · 甲区 · 一、目标" in markdown and "> 新增泊位5000个" in markdown
    assert Turn.from_dict({"question": "x", "answer": None, "error": "e", "unknown": 1}).error == "e"



FOLLOW_UPS = [("滨江区2023年新增停车泊位目标", "3700", "那拱墅区呢?", "5000"),
              ("拱墅区2023年新增停车泊位目标", "5000", "那滨江区呢?", "3700")]
TIMED = """n => { window.asked = null; window.done = null;
  document.querySelector('#question-box textarea').addEventListener('keydown', event => {
    if (event.key === 'Enter') window.asked = event.timeStamp; }, {capture: true, once: true});
  const watch = new MutationObserver(() => {
    if (document.querySelectorAll('#chat-box .msg.bot:not(.streaming)').length > n) {
      window.done = performance.now(); watch.disconnect(); } });
  watch.observe(document.querySelector('#chat-box'), {childList: true, subtree: true}); }"""


@pytest.fixture()
def app_process_url(chat_settings, assistant, tmp_path):
    """`assistant web` in a process of its own over the test index, as it runs for users (in the
    test's process, the server would share one interpreter lock with the 20 pages' driver)."""
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1",
           **{f"ASSISTANT_{name.upper()}": str(getattr(chat_settings, name))
              for name in ("seeds_dir", "index_dir", "library_dir", "eval_dir", "feedback_dir")}}
    url = f"http://127.0.0.1:{port}/"
    with running([sys.executable, "-m", "assistant.cli.main", "web", "--port", str(port)], url,
                 tmp_path / "web.log", timeout=180, cwd=tmp_path, env=env):
        yield url


@pytest.mark.slow
def test_twenty_browser_sessions_asking_and_following_up_each_get_their_own_answers(browser, app_process_url):
    """20 pages at once ask a question and then its follow-up; every answer is right for its own
    session. The time from Enter to the finished answer (measured in each page) is written to
    test-artifacts/concurrency.json: a figure to report, not a pass mark."""
    pages = [_open(browser, app_process_url, locale="zh-CN") for _ in range(20)]
    seconds: list[float] = []
    try:
        for step in (0, 2):
            for i, page in enumerate(pages):
                before = page.locator(FINISHED).count()
                page.evaluate(TIMED, before)
                page.fill("#question-box textarea", FOLLOW_UPS[i % 2][step])
                page.press("#question-box textarea", "Enter")
            for i, page in enumerate(pages):
                page.wait_for_function("() => window.done !== null", timeout=120_000)
                seconds.append(page.evaluate("(window.done - window.asked) / 1000"))
                answer = page.locator(FINISHED).last.inner_text()
                wanted, other = FOLLOW_UPS[i % 2][step + 1], FOLLOW_UPS[i % 2][3 - step]
                assert wanted in answer and other not in answer.split("\n")[0], (i, step, answer)
    finally:
        for page in pages:
            page.context.close()
    seconds.sort()
    figures = {"answers": len(seconds), "median_s": round(seconds[len(seconds) // 2], 3),
               "p95_s": round(seconds[int(len(seconds) * 0.95) - 1], 3), "max_s": round(seconds[-1], 3)}
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "concurrency.json").write_text(json.dumps(figures), encoding="utf-8")
    print("20 sessions:", figures)
