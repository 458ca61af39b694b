"""`assistant index`: build or refresh the index, with a progress bar; `--repair` rebuilds a
damaged one from the library and seeds."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from assistant.config import Settings
from assistant.controls import printable
from assistant.index.embedders import make_embedder
from assistant.index.lock import writing
from assistant.index.store import build_index, drop_index
from assistant.ingest.corpus import load_corpus
from assistant.lang.zh.messages import message

console = Console(stderr=True, markup=False, emoji=False)  # titles are printed as written


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("index", help=message("cli.help.index"))
    parser.add_argument("--repair", action="store_true", help=message("cli.help.repair"))
    parser.set_defaults(run=run_index)


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on stderr, driven by callback(done, total)."""
    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


def waiting() -> None:
    """Told once when another writer holds the index: say why nothing seems to happen."""
    console.print(message("cli.writer_waiting"))


def run_index(args: argparse.Namespace, settings: Settings) -> int:
    started = time.perf_counter()
    embedder = make_embedder(settings.embedder)
    with writing(settings, waiting):  # the corpus read and the build are one change
        reports = load_corpus(settings)
        if args.repair:
            drop_index(settings, damaged=True)
        with progress_bar(message("cli.embedding")) as update:
            info = build_index(settings, reports, embedder, update)
    seconds = time.perf_counter() - started
    for report in info.reports:
        console.print(printable(message("cli.index_report", district=report["district"], title=report["title"],
                                        chunks=report["chunks"])))
    total = sum(r["chunks"] for r in info.reports)
    console.print(message("cli.index_done", total=total, embedded=info.embedded, seconds=seconds,
                          embedder=info.embedder, folder=settings.index_dir))
    if args.repair:
        console.print(message("cli.repaired"))
    return 0
