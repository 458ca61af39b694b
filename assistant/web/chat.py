"""The chat tab: questions in, streamed answers out, sources beside them; history per browser session."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from functools import partial
from typing import Any

import gradio as gr

from assistant.answer.service import Assistant
from assistant.config import Settings
from assistant.errors import UserError
from assistant.index.store import read_info
from assistant.ingest.corpus import load_corpus
from assistant.lang.zh.messages import message
from assistant.types import Answer
from assistant.web.render import Turn, conversation, history_of, sources_panel, welcome_text

log = logging.getLogger(__name__)

ALL_DISTRICTS = message("web.chat.all_districts")
INTERNAL_ERROR = message("web.chat.internal_error")
ChatUpdate = tuple[str, str, list[Turn], str]  # chat HTML, sources HTML, turns, question box


class LiveAssistant:
    """The Assistant every tab asks, and the report texts its citations point into.

    One per app, never global: an index rebuild swaps in a fresh Assistant for all sessions.
    """

    def __init__(self, settings: Settings, assistant: Assistant) -> None:
        self.settings = settings
        self.assistant = assistant
        self.rebuilding = threading.Lock()
        self.reports: dict[str, str] = {}
        self.index_reports: list[dict] = []
        self.refresh()

    def refresh(self, assistant: Assistant | None = None) -> None:
        """Use `assistant` (after a rebuild) and re-read the index record and report texts."""
        self.assistant = assistant or self.assistant
        info = read_info(self.settings)
        self.index_reports = list(info.reports) if info else []
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


def answer_turns(live: LiveAssistant, question: str, district: str,
                 turns: list[Turn]) -> Iterator[ChatUpdate]:
    """Ask the Assistant and yield the chat as the answer streams in, then with its sources."""
    turns = list(turns or [])
    question = question or ""
    pending = Turn(question)
    only = () if district in (None, "", ALL_DISTRICTS) else (district,)
    yield conversation(turns, pending), gr.skip(), turns, ""
    text, answer = "", None
    try:
        for piece in live.assistant.stream(question, history_of(turns), only):
            if isinstance(piece, Answer):
                answer = piece
            else:
                text += piece
                yield conversation(turns, pending, text), gr.skip(), turns, ""
    except UserError as exc:
        turns.append(Turn(question, error=str(exc)))
    except Exception:  # the page must keep working: log the bug, tell the user in one sentence
        log.exception("Answering %r failed", question[:200])
        turns.append(Turn(question, error=INTERNAL_ERROR))
    else:
        turns.append(Turn(question, answer=answer) if answer else Turn(question, error=INTERNAL_ERROR))
    yield _page(live, turns) + (turns, "")


def _page(live: LiveAssistant, turns: list[Turn]) -> tuple[str, str]:
    return (conversation(turns, welcome=welcome_text(live.index_reports, live.assistant.examples)),
            sources_panel(turns, live.reports))


def retry_last(live: LiveAssistant, district: str, turns: list[Turn]) -> Iterator[ChatUpdate]:
    """Ask the last question again (with the district now selected), replacing its answer."""
    if not turns:
        yield _page(live, []) + ([], gr.skip())
        return
    yield from answer_turns(live, turns[-1].question, district, list(turns[:-1]))


def build_chat_tab(demo: gr.Blocks, live: LiveAssistant) -> None:
    """The 问答 tab's components and events (call inside `demo`); districts are re-read on load."""
    turns = gr.State([])
    with gr.Row(equal_height=False):
        with gr.Column(scale=7, min_width=420):
            district = gr.Radio([ALL_DISTRICTS, *live.districts()], value=ALL_DISTRICTS,
                                label=message("web.chat.scope"), elem_id="district-filter")
            chat = gr.HTML(_page(live, [])[0], elem_id="chat-box", js_on_load=None)
            with gr.Row(equal_height=True):
                box = gr.Textbox(placeholder=live.placeholder(), show_label=False, lines=1, max_lines=4,
                                 scale=8, elem_id="question-box", autofocus=True)
                send = gr.Button(message("web.chat.send"), variant="primary", scale=1, min_width=80,
                                 elem_id="send")
            with gr.Row():
                retry = gr.Button(message("web.chat.retry"), size="sm", elem_id="retry")
                clear = gr.Button(message("web.chat.clear"), size="sm", elem_id="clear")
            examples = gr.Dataset(components=[box], samples=live.examples(),
                                  label=message("web.chat.examples"), elem_id="examples")
        with gr.Column(scale=5, min_width=320):
            sources = gr.HTML(_page(live, [])[1], label=message("web.chat.sources"), elem_id="sources-box",
                              js_on_load=None)

    outputs = [chat, sources, turns, box]
    ask: dict[str, Any] = {"outputs": outputs, "concurrency_id": "answer", "concurrency_limit": 4,
                           "show_progress": "hidden"}
    box.submit(partial(answer_turns, live), [box, district, turns], **ask)
    send.click(partial(answer_turns, live), [box, district, turns], **ask)
    retry.click(partial(retry_last, live), [district, turns], **ask)
    examples.click(partial(answer_example, live), [examples, district, turns], **ask)
    clear.click(partial(cleared, live), None, outputs, show_progress="hidden")
    demo.load(partial(opened, live), district, [district, chat, box, examples], show_progress="hidden")


def opened(live: LiveAssistant, chosen: str | None = None) -> tuple[gr.Radio, str, gr.Textbox, gr.Dataset]:
    """A new page shows the districts, reports and examples of the index as it is now (it may be
    rebuilt); a place already chosen while the page loaded stays chosen if it is still indexed."""
    choices = [ALL_DISTRICTS, *live.districts()]
    return (gr.Radio(choices=choices, value=chosen if chosen in choices else ALL_DISTRICTS), _page(live, [])[0],
            gr.Textbox(placeholder=live.placeholder()), gr.Dataset(samples=live.examples()))


def answer_example(live: LiveAssistant, sample: list[str], district: str,
                   turns: list[Turn]) -> Iterator[ChatUpdate]:
    """Ask a clicked example question straight away."""
    yield from answer_turns(live, sample[0], district, turns)


def cleared(live: LiveAssistant) -> ChatUpdate:
    """An empty conversation: this session's history is forgotten."""
    return _page(live, []) + ([], "")
