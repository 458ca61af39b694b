"""`assistant ask` and `assistant chat`: answers with their sources, readable or as JSON lines."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import IO

from rich.console import Console
from rich.markup import escape

from assistant.types import Answer
from assistant.answer.service import Assistant
from assistant.cli.index import progress_bar
from assistant.errors import UserError
from assistant.config import Settings

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


def _jsonl_requests(stream: IO[str]) -> Iterator[tuple[dict | None, str | None]]:
    """(request, None) for each usable line, or (None, why) for a line that is not."""
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except json.JSONDecodeError:
            yield None, f"line {number} is not valid JSON"
            continue
        if not isinstance(request, dict) or not isinstance(request.get("question"), str):
            yield {"id": request.get("id") if isinstance(request, dict) else None}, \
                f"line {number} has no \"question\" string"
            continue
        yield request, None


def answer_jsonl(assistant: Assistant, stream: IO[str], sink: IO[str], districts: list[str]) -> int:
    """One JSON line out per JSON line in; a bad line gets an "error" line and the rest go on."""
    failures = 0
    for request, problem in _jsonl_requests(stream):
        record: dict
        try:
            if problem:
                raise UserError(problem)
            history = request.get("history") or []
            answer = assistant.ask(request["question"], history if isinstance(history, list) else [],
                                   districts)
            answer.id = request.get("id")
            record = answer.to_dict()
        except UserError as exc:
            failures += 1
            record = {"id": (request or {}).get("id"), "question": (request or {}).get("question"),
                      "error": str(exc)}
        sink.write(json.dumps(record, ensure_ascii=False) + "\n")
        sink.flush()
    return failures


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
