"""The chat tab: questions in, streamed answers out, sources beside them; history per browser session."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from functools import partial

import gradio as gr

from assistant.types import Answer
from assistant.answer.service import Assistant
from assistant.ingest.corpus import load_corpus
from assistant.errors import UserError
from assistant.index.store import read_info
from assistant.config import Settings
from assistant.web.render import Turn, conversation, history_of, sources_panel, welcome_text

log = logging.getLogger(__name__)

ALL_DISTRICTS = "全部"
EXAMPLES = ("2023年新增停车泊位目标", "滨江区2022年地区生产总值是多少？", "拱墅区2023年要改造多少个老旧小区？",
            "滨江区2023年研发投入强度目标是多少？")
INTERNAL_ERROR = "出错了，这个问题没有得到回答；请重试，或换个问法。"
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
    return (conversation(turns, welcome=welcome_text(live.index_reports)),
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
            district = gr.Radio([ALL_DISTRICTS, *live.districts()], value=ALL_DISTRICTS, label="报告范围",
                                elem_id="district-filter")
            chat = gr.HTML(_page(live, [])[0], elem_id="chat-box", js_on_load=None)
            with gr.Row(equal_height=True):
                box = gr.Textbox(placeholder="输入问题，按回车发送，例如：2023年新增停车泊位目标", show_label=False,
                                 lines=1, max_lines=4, scale=8, elem_id="question-box", autofocus=True)
                send = gr.Button("发送", variant="primary", scale=1, min_width=80, elem_id="send")
            with gr.Row():
                retry = gr.Button("重试", size="sm", elem_id="retry")
                clear = gr.Button("清空对话", size="sm", elem_id="clear")
            examples = gr.Dataset(components=[box], samples=[[q] for q in EXAMPLES], label="示例问题",
                                  elem_id="examples")
        with gr.Column(scale=5, min_width=320):
            sources = gr.HTML(_page(live, [])[1], label="来源", elem_id="sources-box", js_on_load=None)

    outputs = [chat, sources, turns, box]
    ask = {"outputs": outputs, "concurrency_id": "answer", "concurrency_limit": 4, "show_progress": "hidden"}
    box.submit(partial(answer_turns, live), [box, district, turns], **ask)
    send.click(partial(answer_turns, live), [box, district, turns], **ask)
    retry.click(partial(retry_last, live), [district, turns], **ask)
    examples.click(partial(answer_example, live), [examples, district, turns], **ask)
    clear.click(partial(cleared, live), None, outputs, show_progress="hidden")
    demo.load(partial(opened, live), None, [district, chat], show_progress="hidden")


def opened(live: LiveAssistant) -> tuple[gr.Radio, str]:
    """A new page shows the districts and reports of the index as it is now (it may be rebuilt)."""
    return gr.Radio(choices=[ALL_DISTRICTS, *live.districts()], value=ALL_DISTRICTS), _page(live, [])[0]


def answer_example(live: LiveAssistant, sample: list[str], district: str,
                   turns: list[Turn]) -> Iterator[ChatUpdate]:
    """Ask a clicked example question straight away."""
    yield from answer_turns(live, sample[0], district, turns)


def cleared(live: LiveAssistant) -> ChatUpdate:
    """An empty conversation: this session's history is forgotten."""
    return _page(live, []) + ([], "")
