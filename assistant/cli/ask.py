"""`assistant ask` and `assistant chat`: answers with their sources, readable or as JSON lines."""

from __future__ import annotations

import argparse
import json
import sys

from rich.console import Console
from rich.markup import escape

from assistant.answer.batch import answer_jsonl
from assistant.answer.service import Assistant
from assistant.cli.index import progress_bar
from assistant.config import Settings
from assistant.errors import UserError
from assistant.types import Answer

out = Console(highlight=False)


def register(commands: argparse._SubParsersAction) -> None:
    ask = commands.add_parser("ask", help="answer one question, or many with --jsonl")
    ask.add_argument("question", nargs="?", help="the question, in Chinese")
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    ask.add_argument("--jsonl", metavar="FILE", help="answer each JSON line of FILE ('-' for stdin)")
    ask.add_argument("--district", action="append", default=[], help="only this district (repeatable)")
    ask.set_defaults(run=run_ask)
    chat = commands.add_parser("chat", help="a conversation in the terminal; follow-ups work")
    chat.set_defaults(run=run_chat)


def open_assistant(settings: Settings) -> Assistant:
    """The Assistant, building the index first (with a progress bar) on first use."""
    with progress_bar("首次使用，正在建立索引") as update:
        return Assistant.open(settings, update)


def print_answer(answer: Answer) -> None:
    """The answer, then each cited passage with the quoted part highlighted."""
    if answer.standalone_question and answer.standalone_question != answer.question:
        out.print(f"[dim]（检索问题：{escape(answer.standalone_question)}）[/dim]")
    out.print(f"[bold]答：[/bold]{escape(answer.answer)}")
    for note in answer.notes:
        out.print(f"[yellow]注：{escape(note)}[/yellow]")
    sources = answer.citations or answer.nearest
    if sources:
        out.print("[bold]来源：[/bold]" if answer.citations else "[bold]最接近的段落：[/bold]")
    for c in sources:
        out.print(f"[cyan][{c.n}] {escape(c.title)}[/cyan] · {escape(c.section or '（无标题）')} "
                  f"[dim]（{c.doc_id}，第{c.start}–{c.end}字）[/dim]")
        if c.quote:
            before, _, after = c.text.partition(c.quote)
            out.print("    " + escape(before) + f"[bold yellow]{escape(c.quote)}[/bold yellow]" + escape(after))
        else:
            out.print("    " + escape(c.text))
    out.print(f"[dim]{answer.latency_ms:.0f} ms[/dim]")


def run_ask(args: argparse.Namespace, settings: Settings) -> int:
    if args.jsonl is None and args.question is None:
        raise UserError("请给出问题，例如：assistant ask \"2023年新增停车泊位目标\"。")
    if args.jsonl:
        try:
            stream = sys.stdin if args.jsonl == "-" else open(args.jsonl, encoding="utf-8")
        except OSError as exc:
            raise UserError(f"Cannot read {args.jsonl}: {exc.strerror}.") from None
        with stream:
            assistant = open_assistant(settings)
            try:
                answer_jsonl(assistant, stream, sys.stdout, args.district)
            except UnicodeDecodeError:
                raise UserError(f"{args.jsonl} is not UTF-8 text.") from None
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
    out.print("[bold]报告问答[/bold]  输入问题后回车；追问可直接说“那拱墅区呢?”。/clear 清空对话，/quit 退出。")
    history: list[dict] = []
    while True:
        try:
            question = input("问> ").strip()
        except EOFError:
            return 0
        if question in ("/quit", "/exit"):
            return 0
        if question == "/clear":
            history.clear()
            out.print("[dim]对话已清空。[/dim]")
            continue
        try:
            answer = assistant.ask(question, history)
        except UserError as exc:
            out.print(f"[red]{escape(str(exc))}[/red]")
            continue
        print_answer(answer)
        history.append({"role": "user", "content": answer.standalone_question or question})
