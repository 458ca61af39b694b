"""The chat tab: questions in, streamed answers out, sources beside them (a drawer on a phone).

The conversation is kept in the browser's own storage (`gr.BrowserState`), so it survives a reload
and never sits on the server; a link with `?q=…` opens the page and asks that question.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from functools import partial
from typing import Any

import gradio as gr

from assistant.answer.service import Assistant
from assistant.config import Settings
from assistant.errors import UserError
from assistant.evaluation.feedback import record_feedback
from assistant.ingest.corpus import load_corpus
from assistant.lang.zh.messages import message
from assistant.types import Answer
from assistant.web.render import Turn, conversation, history_of, sources_panel, welcome_text

log = logging.getLogger(__name__)

ALL = message("web.chat.all_districts")
INTERNAL_ERROR = message("web.chat.internal_error")
PERIODS = {message("table.target"): "target", message("table.actual"): "actual"}
STORAGE_KEY = "report-qa-conversation"
MAX_STORED_TURNS = 40  # the browser keeps a few MB per site; the oldest turns make room
STREAM_EVERY = 0.2  # seconds between two updates of an answer being written
MAX_TABLE_CHARS = 100_000  # a comparison table sent back for Excel is a few hundred characters
# chat HTML, sources HTML, stored turns, question being answered (JSON, "" when idle), stop button
ChatUpdate = tuple[Any, Any, Any, Any, Any]
SKIP_ALL: ChatUpdate = (gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip())


class LiveAssistant:
    """The Assistant every tab asks, and the report texts its citations point into.

    One per app, never global: an index rebuild swaps in a fresh Assistant for all sessions, and a
    build published by another process (`assistant add` beside the running app) is picked up
    before the next question.
    """

    def __init__(self, settings: Settings, assistant: Assistant) -> None:
        self.settings = settings
        self._assistant = assistant
        self.rebuilding = threading.Lock()
        self._switching = threading.Lock()
        self.reports: dict[str, str] = {}
        self.index_reports: list[dict] = []
        self.refresh()

    @property
    def assistant(self) -> Assistant:
        """The Assistant over the newest build; while one thread opens a newer build, the others
        go on answering from the build they hold."""
        if not self._assistant.is_latest() and self._switching.acquire(blocking=False):
            try:
                self.refresh(Assistant(self.settings, self._assistant.embedder))
            except UserError as exc:  # the new build can't be opened: keep the one held
                log.warning("Staying on the current index: %s", exc)
            finally:
                self._switching.release()
        return self._assistant

    def refresh(self, assistant: Assistant | None = None) -> None:
        """Use `assistant` (after a rebuild) and re-read the index record and report texts."""
        self._assistant = assistant or self._assistant
        self.index_reports = list(self._assistant.index.info.reports)
        try:
            self.reports = {r.id: r.text for r in load_corpus(self.settings)}
        except UserError:
            log.warning("Report texts unreadable; sources show without their context.")
            self.reports = {}

    def districts(self) -> list[str]:
        """The districts of the indexed reports, in index order."""
        return list(dict.fromkeys(r["district"] for r in self.index_reports))

    def examples(self) -> list[list[str]]:
        """The example questions about the current index, as samples of the examples list."""
        return [[question] for question in self.assistant.examples.questions]

    def placeholder(self) -> str:
        """The question box's hint, with an example about the current index."""
        return message("web.chat.placeholder", example=self.assistant.examples.questions[0])


def _turns(stored: Sequence[Any] | None) -> list[Turn]:
    """The conversation from the browser's storage (anything unreadable there is left out)."""
    turns = []
    for data in stored or ():
        try:
            turns.append(Turn.from_dict(data))
        except (TypeError, ValueError, AttributeError):
            log.warning("Dropped a stored turn this version cannot read.")
    return turns


def _stored(turns: Sequence[Turn]) -> list[dict]:
    return [t.to_dict() for t in turns[-MAX_STORED_TURNS:]]


def years_of(live: LiveAssistant) -> list[int]:
    """The years the indexed reports are about, for the year filter."""
    return sorted({int(y) for r in live.index_reports for y in r.get("years", ())})


def scope_of(places: Sequence[str] | None, year: str | int | None,
             period: str | None) -> tuple[tuple[str, ...], dict[str, Any], list[str]]:
    """The filters as the Assistant takes them (places, and year/period keywords when set) and
    as the answer shows them."""
    only = tuple(p for p in places or () if p and p != ALL)
    kwargs: dict[str, Any] = {}
    labels = list(only)
    if year not in (None, "", ALL):
        kwargs["year"] = int(year)  # type: ignore[arg-type]
        labels.append(message("table.year_value", year=kwargs["year"]))
    if period in PERIODS:
        kwargs["period"] = PERIODS[period]
        labels.append(period)
    return only, kwargs, labels


def answer_turns(live: LiveAssistant, asked: str, places: list[str] | None, year: str | None, period: str | None,
                 stored: list[dict]) -> Iterator[ChatUpdate]:
    """Ask the Assistant the question in `asked` and yield the chat as the answer streams in, then
    with its sources. The question box is never touched: what the user types meanwhile stays."""
    if not asked:
        yield SKIP_ALL
        return
    question = json.loads(asked)["q"]
    turns = _turns(stored)
    only, kwargs, scope = scope_of(places, year, period)
    pending = Turn(question)
    slow = not live.assistant.answerer.instant
    if slow:  # an instant answer comes before this would show: the page shows the question already
        yield conversation(turns, pending), gr.skip(), gr.skip(), gr.skip(), gr.Button(visible=True)
    text, answer, shown = "", None, time.monotonic()
    try:
        for piece in live.assistant.stream(question, history_of(turns), only, **kwargs):
            if isinstance(piece, Answer):
                answer = piece
                continue
            text += piece
            if time.monotonic() - shown >= STREAM_EVERY:  # each update re-renders the page: at most a few a second
                shown = time.monotonic()
                yield conversation(turns, pending, text), gr.skip(), gr.skip(), gr.skip(), gr.skip()
    except UserError as exc:
        turns.append(Turn(question, error=str(exc)))
    except Exception:  # the page must keep working: log the bug, tell the user in one sentence
        log.exception("Answering %r failed", question[:200])
        turns.append(Turn(question, error=INTERNAL_ERROR))
    else:
        turns.append(Turn(question, answer=answer, scope=scope) if answer else Turn(question, error=INTERNAL_ERROR))
    yield _page(live, turns) + (_stored(turns), "", gr.Button(visible=False) if slow else gr.skip())


def answer_at_once(live: LiveAssistant, *asking: Any) -> ChatUpdate:
    """An instant answerer's answer as one update: from a generator, the page would get it twice
    (as its last piece and as the result), and each update costs every open page a redraw."""
    *_, last = answer_turns(live, *asking)
    return last


def _page(live: LiveAssistant, turns: list[Turn]) -> tuple[str, str]:
    return (conversation(turns, welcome=welcome_text(live.index_reports, live.assistant.examples)),
            sources_panel(turns, live.reports))


def _asking(question: str) -> str:
    return json.dumps({"q": question or ""}, ensure_ascii=False)


def _not_while_answering(asked: str) -> None:
    """While an answer is still coming, a new question waits: the text stays in the box, and a
    notice says why (answering two at once would interleave the conversation)."""
    if asked:
        raise gr.Error(message("web.chat.busy"), title=message("web.chat.busy_title"), print_exception=False)


def take_question(text: str, asked: str) -> tuple[str, str]:
    """Empty the question box at once and hold its text as the question to answer; while an answer
    is still coming, keep the text in the box and say why."""
    _not_while_answering(asked)
    return "", _asking(text)


def take_example(sample: list[str], asked: str) -> str:
    """A clicked example question, to be asked straight away."""
    _not_while_answering(asked)
    return _asking(sample[0])


def take_retry(stored: list[dict], asked: str) -> tuple[Any, str]:
    """The last question again (with the filters now chosen), its old answer taken away."""
    _not_while_answering(asked)
    turns = _turns(stored)
    if not turns:
        return gr.skip(), ""
    return _stored(turns[:-1]), _asking(turns[-1].question)


def stopped(live: LiveAssistant, asked: str, stored: list[dict]) -> ChatUpdate:
    """The stop button: the answer being produced is cancelled and the turn says so."""
    turns = _turns(stored)
    if asked:
        turns.append(Turn(json.loads(asked)["q"], error=message("web.chat.stopped")))
    return _page(live, turns) + (_stored(turns), "", gr.Button(visible=False))


def feedback(live: LiveAssistant, stored: list[dict], asked: str, event: gr.EventData) -> tuple[Any, Any]:
    """👍 / 👎 / 数字不对 on one answer: appended to the feedback file, and shown as chosen."""
    data = event._data if isinstance(event._data, dict) else {}
    turns = _turns(stored)
    try:
        number = int(data.get("turn", 0))
    except (TypeError, ValueError):
        return gr.skip(), gr.skip()
    verdict = str(data.get("verdict", ""))
    if not 1 <= number <= len(turns) or turns[number - 1].answer is None:
        return gr.skip(), gr.skip()
    turn = turns[number - 1]
    assert turn.answer is not None
    try:
        record_feedback(live.settings, question=turn.question, history=history_of(turns[:number - 1]),
                        answer=turn.answer.to_dict(), verdict=verdict)
    except (ValueError, OSError) as exc:
        log.warning("Feedback not recorded: %s", exc)
        return gr.skip(), gr.skip()
    turn.feedback = verdict
    # While an answer streams in, the chat is left alone; the stored verdict shows with the next render.
    chat = gr.skip() if asked else _page(live, turns)[0]
    return chat, _stored(turns)


def table_xlsx(tsv: str) -> str:
    """An Excel workbook (base64) of a comparison table the page sends as tab-separated text."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = message("web.chat.sheet")
    for line in str(tsv)[:MAX_TABLE_CHARS].splitlines():
        sheet.append(line.split("\t"))
    out = io.BytesIO()
    book.save(out)
    return base64.b64encode(out.getvalue()).decode("ascii")


# The chat box's own clicks: feedback buttons call `feedback`, the Excel button asks the server
# for the workbook (window.reportQa.download is in theme.PAGE_JS).
CHAT_JS = """
element.addEventListener('click', async (event) => {
  const vote = event.target.closest('.fb[data-verdict]');
  if (vote) { trigger('click', {turn: vote.dataset.turn, verdict: vote.dataset.verdict}); return; }
  const excel = event.target.closest('.table-xlsx');
  if (excel) {
    const tools = excel.closest('.table-tools');
    const data = await server.table_xlsx(tools.dataset.tsv);
    const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
    window.reportQa.download(tools.dataset.name + '.xlsx', bytes,
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  }
});
"""


# The question shows in the chat the moment it is sent, before any reply from the server: an
# instant answer then needs one update of the page, not two. The server's next update replaces it.
ECHO_JS = """(question, asked) => {
  const typed = Array.isArray(question) ? question[0] : question;  // a clicked example comes as its number
  const text = typeof typed === 'string' ? typed.trim() : '';
  const chat = document.querySelector('#chat-box .chat');
  const template = chat && chat.querySelector('template.pending-turn');
  if (template && text && !asked) {
    chat.querySelectorAll('.welcome, .chat-tools').forEach(element => element.remove());
    const turn = template.content.cloneNode(true);
    turn.querySelector('.msg.user .body').textContent = text;
    chat.append(turn);
  }
  return [question, asked];
}"""
# A ?q= link is asked once: the address loses its question so a reload does not ask it again.
DROP_LINK_JS = """() => {
  const url = new URL(location.href);
  if (url.searchParams.has('q')) { url.searchParams.delete('q'); history.replaceState(null, '', url); }
}"""


def build_chat_tab(demo: gr.Blocks, live: LiveAssistant, tab: gr.Tab) -> None:
    """The 问答 tab's components and events (call inside `tab`, itself inside `demo`). The places,
    years, reports and examples are re-read when the page loads and when the tab is chosen again
    (the index tab may have changed the index)."""
    # A fixed secret, so a conversation kept in the browser survives a restart of the app too (the
    # page is given the secret anyway: it hides nothing from the browser's owner).
    stored = gr.BrowserState([], storage_key=STORAGE_KEY, secret=STORAGE_KEY)
    asked = gr.State("")  # the question being answered, as JSON; "" when idle
    linked = gr.State("")  # the question of a ?q= link, answered once the page has loaded
    with gr.Row(equal_height=False):
        with gr.Column(scale=7, min_width=420, elem_id="chat-col"):
            with gr.Accordion(message("web.chat.filters"), open=False, elem_id="filters") as filter_box:
                with gr.Row():
                    places = gr.CheckboxGroup(live.districts(), label=message("web.chat.places"),
                                              elem_id="place-filter", scale=3)
                    year = gr.Dropdown([ALL, *map(str, years_of(live))], value=ALL, label=message("web.chat.year"),
                                       elem_id="year-filter", scale=1, min_width=120)
                    period = gr.Radio([ALL, *PERIODS], value=ALL, label=message("web.chat.period"),
                                      elem_id="period-filter", scale=2, min_width=230)
            chat = gr.HTML(_page(live, [])[0], elem_id="chat-box", js_on_load=CHAT_JS,
                           server_functions=[table_xlsx])
            with gr.Row(equal_height=True, elem_id="ask-row"):
                box = gr.Textbox(label=message("web.chat.question"), placeholder=live.placeholder(),
                                 show_label=False, lines=1, max_lines=4,
                                 scale=8, elem_id="question-box")
                send = gr.Button(message("web.chat.send"), variant="primary", scale=1, min_width=72,
                                 elem_id="send")
                stop = gr.Button(message("web.chat.stop"), variant="stop", scale=1, min_width=72,
                                 elem_id="stop", visible=False)
            with gr.Row():
                retry = gr.Button(message("web.chat.retry"), size="sm", elem_id="retry")
                clear = gr.Button(message("web.chat.clear"), size="sm", elem_id="clear")
            examples = gr.Dataset(components=[box], samples=live.examples(),
                                  label=message("web.chat.examples"), elem_id="examples")
        with gr.Column(scale=5, min_width=320, elem_id="sources-col"):
            sources = gr.HTML(_page(live, [])[1], label=message("web.chat.sources"), elem_id="sources-box",
                              js_on_load=None)

    outputs = [chat, sources, stored, asked, stop]
    answer = partial(answer_at_once if live.assistant.answerer.instant else answer_turns, live)
    inputs = [asked, places, year, period, stored]
    ask: dict[str, Any] = {"outputs": outputs, "concurrency_id": "answer", "concurrency_limit": 4,
                           "show_progress": "hidden"}
    take: dict[str, Any] = {"queue": False, "show_progress": "hidden"}
    echo: dict[str, Any] = {**take, "js": ECHO_JS}
    answering = [
        box.submit(take_question, [box, asked], [box, asked], **echo).success(answer, inputs, **ask),
        send.click(take_question, [box, asked], [box, asked], **echo).success(answer, inputs, **ask),
        retry.click(take_retry, [stored, asked], [stored, asked], **take).success(answer, inputs, **ask),
        examples.click(take_example, [examples, asked], [asked], **echo).success(answer, inputs, **ask),
    ]
    stop.click(partial(stopped, live), [asked, stored], outputs, cancels=answering, queue=False,
               show_progress="hidden")
    clear.click(partial(cleared, live), None, [chat, sources, stored], show_progress="hidden")

    def voted(stored_turns: list[dict], now_asked: str, event: gr.EventData) -> tuple[Any, Any]:
        return feedback(live, stored_turns, now_asked, event)  # Gradio finds EventData on a plain function only

    chat.click(voted, [stored, asked], [chat, stored], show_progress="hidden")
    filters = [places, year, period]
    for changed in (places.change, year.change, period.change):
        changed(filters_label, filters, filter_box, show_progress="hidden", queue=False)

    def loaded(chosen: list[str] | None, chosen_year: str | None, stored_turns: list[dict], now_asked: str,
               request: gr.Request) -> tuple[Any, ...]:
        return opened(live, chosen, chosen_year, stored_turns, now_asked, request)

    # queue=False: at once, so a question typed right after the page opens does not wait behind it.
    fresh: dict[str, Any] = {"inputs": [places, year, stored, asked], "show_progress": "hidden", "queue": False,
                             "outputs": [places, year, chat, sources, box, examples, asked, linked]}
    demo.load(loaded, **fresh).success(answer, [linked, *inputs[1:]], **ask).then(None, js=DROP_LINK_JS)

    def chosen_again(chosen: list[str] | None, chosen_year: str | None, stored_turns: list[dict],
                     now_asked: str) -> tuple[Any, ...]:
        return opened(live, chosen, chosen_year, stored_turns, now_asked, None)  # a link is asked on load only

    tab.select(chosen_again, **fresh)


def opened(live: LiveAssistant, chosen: list[str] | None, year: str | None, stored: list[dict], asked: str,
           request: gr.Request | None) -> tuple[Any, ...]:
    """A new page shows the index as it is now (it may be rebuilt): its places, years, reports and
    examples, and the conversation kept in this browser; filters already chosen stay if still valid.
    A `?q=` in the address is the question to ask. A question sent before this ran is left to be
    answered: the chat is not redrawn under it."""
    places = live.districts()
    years = [ALL, *map(str, years_of(live))]
    turns = _turns(stored)
    question = (request.query_params.get("q") or "").strip() if request else ""
    link = _asking(question) if question else ""
    page: tuple[Any, ...] = (gr.skip(), gr.skip(), gr.skip(), "") if asked else \
        (*_page(live, turns), link or gr.skip(), link)
    return (gr.CheckboxGroup(choices=places, value=[p for p in chosen or () if p in places]),
            gr.Dropdown(choices=years, value=year if year in years else ALL), *page[:2],
            gr.Textbox(placeholder=live.placeholder()), gr.Dataset(samples=live.examples()), *page[2:])


def filters_label(places: list[str] | None, year: str | None, period: str | None) -> gr.Accordion:
    """The filter box's title names the filters in force, so they show while it is folded."""
    labels = scope_of(places, year, period)[2]
    return gr.Accordion(label=message("web.chat.filters_active", scope=" · ".join(labels)) if labels
                        else message("web.chat.filters"))


def cleared(live: LiveAssistant) -> tuple[str, str, list]:
    """An empty conversation: this browser's history is forgotten."""
    return _page(live, []) + ([],)
