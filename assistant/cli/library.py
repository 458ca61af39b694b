"""`assistant add`, `assistant remove`, `assistant list`: the reports the index covers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from assistant.cli.index import progress_bar, waiting
from assistant.config import Settings
from assistant.controls import printable
from assistant.index.reports import add_reports, list_reports, remove_report
from assistant.ingest.library import check_year
from assistant.ingest.loaders import SUFFIXES
from assistant.lang.zh.messages import listing, message

# Titles and file names come from the files: printed as written, never read as markup (controls.py).
console = Console(highlight=False, markup=False, emoji=False, width=None if sys.stdout.isatty() else 160)


def register(commands: argparse._SubParsersAction) -> None:
    """Add the add, remove and list commands."""
    add = commands.add_parser("add", help=message("cli.help.add", suffixes=" ".join(SUFFIXES)))
    add.add_argument("paths", nargs="+", metavar="PATH", help=message("cli.help.add_paths"))
    add.add_argument("--place", "--district", dest="district", help=message("cli.help.add_district"))
    add.add_argument("--year", type=int, help=message("cli.help.add_year"))
    add.add_argument("--title", help=message("cli.help.add_title"))
    add.set_defaults(run=run_add)
    remove = commands.add_parser("remove", help=message("cli.help.remove"))
    remove.add_argument("id", help=message("cli.help.remove_id"))
    remove.set_defaults(run=run_remove)
    list_command = commands.add_parser("list", help=message("cli.help.list"))
    list_command.set_defaults(run=run_list)


def _describe(entry: dict) -> str:
    """The inferred metadata on one line, for the user to confirm."""
    periods = []
    if entry.get("actual_year"):
        periods.append(message("cli.actual_period", year=entry["actual_year"]))
    if entry.get("target_year"):
        periods.append(message("cli.target_period", year=entry["target_year"]))
    details = message("cli.added_details", district=entry["district"], years=listing(entry["years"]),
                      kind=entry["kind"], periods=message("common.and").join(periods), source=entry["source"])
    return printable(message("cli.added", id=entry["id"], title=entry["title"]) + "\n" + details)


def run_add(args: argparse.Namespace, settings: Settings) -> int:
    """Add files, show what was inferred for each, one error line per refused file (exit 2)."""
    check_year(args.year)
    with progress_bar(message("cli.embedding_new")) as update:
        outcome = add_reports(settings, [Path(p) for p in args.paths], district=args.district,
                              year=args.year, title=args.title, progress=update, on_wait=waiting)
    for entry in outcome.added:
        console.print(_describe(entry))
    for _name, sentence in outcome.rejected:
        print(message("cli.error", reason=printable(sentence)), file=sys.stderr)
    if outcome.finished_earlier:
        console.print(message("cli.finished_earlier"))
    if outcome.info:
        total = sum(r["chunks"] for r in outcome.info.reports)
        console.print(message("cli.add_done", reports=len(outcome.info.reports), total=total,
                              embedded=outcome.info.embedded))
    return 2 if outcome.rejected else 0


def run_remove(args: argparse.Namespace, settings: Settings) -> int:
    """Remove an added report and refresh the index."""
    with progress_bar(message("cli.updating")) as update:
        info = remove_report(settings, args.id, progress=update, on_wait=waiting)
    console.print(message("cli.removed", id=printable(args.id), reports=len(info.reports)))
    return 0


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    """Print every report: id, district, years, kind, origin, passages, title."""
    table = Table(title=message("cli.list_title"))
    for column in ("id", "district", "years", "kind", "origin", "chunks", "title"):
        table.add_column(message(f"cli.list.{column}"))
    for r in list_reports(settings):
        seed = r["origin"] == "seeds"
        origin = message("cli.seed") if seed else message("cli.added_from", source=r["source"])
        cells = (r["id"], r["district"], listing(r["years"]), r["kind"], origin,
                 message("cli.not_indexed") if r["chunks"] is None else str(r["chunks"]), r["title"])
        table.add_row(*(Text(printable(cell)) for cell in cells))
    console.print(table)
    return 0
