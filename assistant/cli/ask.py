"""`assistant ask` and `assistant chat`: answers with their sources, readable or as JSON lines."""

from __future__ import annotations

import argparse
import json
import sys

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from assistant.answer.batch import answer_jsonl
from assistant.answer.compare import table_cells, table_headings
from assistant.answer.service import Assistant
from assistant.cli.index import progress_bar
from assistant.config import Settings
from assistant.errors import UserError
from assistant.lang.zh.messages import message
from assistant.types import Answer

out = Console(highlight=False)


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
    """The Assistant, building the index first (with a progress bar) on first use."""
    with progress_bar(message("cli.first_index")) as update:
        return Assistant.open(settings, update)


def print_answer(answer: Answer) -> None:
    """The answer, then each cited passage with the quoted part highlighted."""
    if answer.standalone_question and answer.standalone_question != answer.question:
        out.print(f"[dim]{escape(message('cli.searched', question=answer.standalone_question))}[/dim]")
    out.print(f"[bold]{message('cli.answer')}[/bold]{escape(answer.answer)}")
    if len(answer.table) >= 2:
        out.print(comparison_table(answer))
    for note in answer.notes:
        out.print(f"[yellow]{escape(message('cli.note', note=note))}[/yellow]")
    sources = answer.citations or answer.nearest
    if sources:
        out.print(f"[bold]{message('cli.sources' if answer.citations else 'cli.nearest')}[/bold]")
    for c in sources:
        location = message("cli.location", doc_id=c.doc_id, start=c.start, end=c.end)
        out.print(f"[cyan][{c.n}] {escape(c.title)}[/cyan] · {escape(c.section or message('cli.untitled'))} "
                  f"[dim]{escape(location)}[/dim]")
        if c.quote:
            before, _, after = c.text.partition(c.quote)
            out.print("    " + escape(before) + f"[bold yellow]{escape(c.quote)}[/bold yellow]" + escape(after))
        else:
            out.print("    " + escape(c.text))
    out.print(f"[dim]{message('cli.latency', ms=answer.latency_ms)}[/dim]")


def comparison_table(answer: Answer) -> Table:
    """The answer's figures by place: place | figure | 目标/实际 | year | source [n]."""
    table = Table(show_lines=False, header_style="bold")
    for heading in table_headings():
        table.add_column(escape(heading), overflow="fold")
    for row in answer.table:
        *cells, n = table_cells(row)
        table.add_row(*(escape(cell) for cell in cells), f"[cyan]{escape(f'[{n}]')}[/cyan]")
    return table


def run_ask(args: argparse.Namespace, settings: Settings) -> int:
    if args.jsonl is None and args.question is None:
        example = open_assistant(settings).examples.questions[0]
        raise UserError(message("errors.no_question", example=example))
    if args.jsonl:
        try:
            stream = sys.stdin if args.jsonl == "-" else open(args.jsonl, encoding="utf-8")
        except OSError as exc:
            raise UserError(message("errors.cannot_read", path=args.jsonl, reason=exc.strerror)) from None
        with stream:
            assistant = open_assistant(settings)
            try:
                answer_jsonl(assistant, stream, sys.stdout, args.district)
            except UnicodeDecodeError:
                raise UserError(message("errors.not_utf8", path=args.jsonl)) from None
        return 0
    assistant = open_assistant(settings)
    answer = assistant.ask(args.question, (), args.district)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=1))
    else:
        print_answer(answer)
    return 0


def run_chat(args: argparse.Namespace, settings: Settings) -> int:
    assistant = open_assistant(settings)
    examples = assistant.examples
    intro = message("cli.chat_intro", example=examples.questions[0], follow_up=examples.follow_up) \
        if examples.follow_up else message("cli.chat_intro_plain", example=examples.questions[0])
    out.print(f"[bold]{message('common.title')}[/bold]  {escape(intro)}")
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
            out.print(f"[dim]{message('cli.cleared')}[/dim]")
            continue
        try:
            answer = assistant.ask(question, history)
        except UserError as exc:
            out.print(f"[red]{escape(str(exc))}[/red]")
            continue
        print_answer(answer)
        history.append({"role": "user", "content": answer.standalone_question or question})
