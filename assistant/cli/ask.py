"""`assistant ask` and `assistant chat`: answers with their sources, readable or as JSON lines."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from contextlib import ExitStack
from typing import BinaryIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from assistant.answer.batch import HISTORY_TURNS, answer_jsonl, json_text
from assistant.answer.compare import table_cells, table_headings
from assistant.answer.service import Assistant
from assistant.cli.index import console, progress_bar, waiting
from assistant.config import Settings
from assistant.controls import printable
from assistant.errors import UserError
from assistant.lang.zh.messages import message
from assistant.types import Answer

# Nothing printed is read as markup or emoji codes: report text shows as written (see controls.py).
out = Console(highlight=False, markup=False, emoji=False)


def register(commands: argparse._SubParsersAction) -> None:
    ask = commands.add_parser("ask", help=message("cli.help.ask"))
    ask.add_argument("question", nargs="?", help=message("cli.help.question"))
    ask.add_argument("--json", action="store_true", help=message("cli.help.json"))
    ask.add_argument("--jsonl", metavar="FILE", help=message("cli.help.jsonl"))
    ask.add_argument("--district", action="append", default=[], help=message("cli.help.district"))
    ask.set_defaults(run=run_ask)
    chat = commands.add_parser("chat", help=message("cli.help.chat"))
    chat.set_defaults(run=run_chat)


def open_assistant(settings: Settings) -> Assistant:
    """The Assistant; a progress bar, and the reason for it, only while an index is really built
    (none yet, or behind the library after an interrupted add or remove)."""
    with ExitStack() as bars:
        updates: list[Callable[[int, int], None]] = []

        def on_build(state: str) -> None:
            label = message("cli.first_index" if state == "first" else "cli.stale_index")
            if state == "stale":  # news about the user's data: a line that stays, not only a bar's label
                console.print(label)
            updates.append(bars.enter_context(progress_bar(label)))

        def progress(done: int, total: int) -> None:
            for update in updates:
                update(done, total)

        return Assistant.open(settings, progress, on_build=on_build, on_wait=waiting)


def print_answer(answer: Answer) -> None:
    """The answer, then each cited passage with the quoted part highlighted."""
    if answer.standalone_question and answer.standalone_question != answer.question:
        out.print(Text(message("cli.searched", question=printable(answer.standalone_question)), style="dim"))
    out.print(Text.assemble((message("cli.answer"), "bold"), printable(answer.answer)))
    if len(answer.table) >= 2:
        out.print(comparison_table(answer))
    for note in answer.notes:
        out.print(Text(message("cli.note", note=printable(note)), style="yellow"))
    sources = answer.citations or answer.nearest
    if sources:
        out.print(Text(message("cli.sources" if answer.citations else "cli.nearest"), style="bold"))
    for c in sources:
        location = message("cli.location", doc_id=printable(c.doc_id), start=c.start, end=c.end)
        out.print(Text.assemble((f"[{c.n}] {printable(c.title)}", "cyan"), " · ",
                                printable(c.section or message("cli.untitled")), " ", (location, "dim")))
        before, quote, after = c.text.partition(c.quote) if c.quote else (c.text, "", "")
        out.print(Text.assemble("    ", printable(before), (printable(quote), "bold yellow"), printable(after)))
    out.print(Text(message("cli.latency", ms=answer.latency_ms), style="dim"))


def comparison_table(answer: Answer) -> Table:
    """The answer's figures by place: place | figure | 目标/实际 | year | source [n]."""
    table = Table(show_lines=False, header_style="bold")
    for heading in table_headings():
        table.add_column(heading, overflow="fold")
    for row in answer.table:
        *cells, n = table_cells(row)
        table.add_row(*(Text(printable(cell)) for cell in cells), Text(f"[{n}]", style="cyan"))
    return table


def _read_jsonl(path: str) -> BinaryIO:
    """The --jsonl input as bytes: each line is decoded on its own, so one line that is not UTF-8
    gets an error line instead of refusing the whole file."""
    if path == "-":
        return sys.stdin.buffer
    try:
        return open(path, "rb")
    except OSError as exc:
        raise UserError(message("errors.cannot_read", path=printable(path), reason=exc.strerror)) from None


def run_ask(args: argparse.Namespace, settings: Settings) -> int:
    if args.jsonl is None and args.question is None:
        example = open_assistant(settings).examples.questions[0]
        raise UserError(message("errors.no_question", example=example))
    if args.jsonl:
        with _read_jsonl(args.jsonl) as stream:
            answer_jsonl(open_assistant(settings), stream, sys.stdout, args.district)
        return 0
    assistant = open_assistant(settings)
    answer = assistant.ask(args.question, (), args.district)
    if args.json:
        print(json_text(answer.to_dict(), indent=1))
    else:
        print_answer(answer)
    return 0


def run_chat(args: argparse.Namespace, settings: Settings) -> int:
    assistant = open_assistant(settings)
    examples = assistant.examples
    intro = message("cli.chat_intro", example=examples.questions[0], follow_up=examples.follow_up) \
        if examples.follow_up else message("cli.chat_intro_plain", example=examples.questions[0])
    out.print(Text.assemble((message("common.title"), "bold"), "  ", printable(intro)))
    history: list[dict] = []
    while True:
        try:
            question = input(message("cli.prompt")).strip()
        except EOFError:
            return 0
        if question in ("/quit", "/exit"):
            return 0
        if question == "/clear":
            history.clear()
            out.print(Text(message("cli.cleared"), style="dim"))
            continue
        try:
            answer = assistant.ask(question, history)
        except UserError as exc:
            out.print(Text(printable(exc), style="red"))
            continue
        print_answer(answer)
        history = [*history, {"role": "user", "content": answer.standalone_question or question}][-HISTORY_TURNS:]
