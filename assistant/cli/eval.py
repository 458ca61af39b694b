"""`assistant eval` and `assistant bench`: accuracy against gold answers, and speed."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from assistant.cli import scale as cli_scale
from assistant.cli.ask import open_assistant
from assistant.cli.index import progress_bar
from assistant.config import Settings
from assistant.controls import printable
from assistant.errors import UserError
from assistant.evaluation.gold import SPLITS, default_gold, gold_files
from assistant.evaluation.report import (
    COLUMNS,
    below_thresholds,
    compare_runs,
    parse_thresholds,
    table_rows,
    write_reports,
)
from assistant.evaluation.runner import load_gold_for, run_eval
from assistant.lang.zh.messages import message

# Piped output keeps the whole table (rich would shrink it to 80 columns). Gold questions and file
# names are printed as written, never read as markup (controls.py).
console = Console(highlight=False, markup=False, emoji=False, width=None if sys.stdout.isatty() else 160)


def register(commands: argparse._SubParsersAction) -> None:
    ev = commands.add_parser("eval", help=message("cli.help.eval"))
    ev.add_argument("--gold", default=None, help=message("cli.help.gold"))
    ev.add_argument("--out", default=None, help=message("cli.help.out"))
    ev.add_argument("--split", choices=SPLITS, help=message("cli.help.split"))
    ev.add_argument("--compare", metavar="OLD.json", help=message("cli.help.compare"))
    ev.add_argument("--fail-under", default="", metavar="accuracy=0.9,...",
                    help=message("cli.help.fail_under"))
    ev.set_defaults(run=run_eval_command)
    bench = commands.add_parser("bench", help=message("cli.help.bench"))
    bench.add_argument("--questions", type=int, default=100, help=message("cli.help.questions"))
    cli_scale.add_arguments(bench)
    bench.set_defaults(run=run_bench)
    calibrate = commands.add_parser("calibrate", help=message("cli.help.calibrate"))
    calibrate.add_argument("--gold", action="append", default=[], help=message("cli.help.calibrate_gold"))
    calibrate.set_defaults(run=run_calibrate)


def run_eval_command(args: argparse.Namespace, settings: Settings) -> int:
    thresholds = parse_thresholds(args.fail_under)
    gold = Path(args.gold) if args.gold else default_gold(settings.eval_dir)
    assistant = open_assistant(settings)
    items = [item for item in load_gold_for(assistant, gold) if not args.split or item.split == args.split]
    with progress_bar(message("cli.eval_progress", gold=gold.name)) as update:
        # The split goes into the run's name, so reports of dev and test runs never mix.
        run = run_eval(assistant, items, f"{gold.stem}-{args.split}{gold.suffix}" if args.split else gold.name, update)
    answerer = message(f"eval.answerers.{run.answerer}")
    table = Table(title=Text(message("cli.eval_title", gold=printable(gold.name), answerer=answerer, count=len(items))))
    for column in ("type", *COLUMNS):
        table.add_column(message(f"eval.columns.{column}"), justify="left" if column == "type" else "right")
    for kind, *cells in table_rows(run):
        table.add_row(message(f"eval.types.{kind}"), *cells)
    console.print(table)
    paths = write_reports(run, Path(args.out) if args.out else settings.eval_dir / "reports")
    console.print(printable(message("cli.eval_files", **{kind: str(path) for kind, path in paths.items()})))
    if args.compare:
        changes = compare_runs(Path(args.compare), run)
        for kind in ("fixed", "broken"):
            for change in changes[kind]:
                console.print(printable(message(f"cli.{kind}", id=change["id"], question=change["question"],
                                                verdict=change["verdict"])))
        console.print(printable(message("cli.compared", old=args.compare, fixed=len(changes["fixed"]),
                                        broken=len(changes["broken"]))))
    failed = below_thresholds(run, thresholds)
    for sentence in failed:
        print(message("cli.failed", sentence=printable(sentence)), file=sys.stderr)
    return 1 if failed else 0


def run_bench(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.evaluation.bench import run_benchmark

    if args.questions < 1:
        raise UserError(message("errors.questions_min"))
    if args.scale:
        return cli_scale.run_scale_command(args, settings)
    result = run_benchmark(settings, args.questions)
    console.print_json(json.dumps(result, ensure_ascii=False))
    return 0


def run_calibrate(args: argparse.Namespace, settings: Settings) -> int:
    """Fit the extractive answerer's weights, confidence and threshold on the dev items of the gold
    files and write them to the packaged calibration file."""
    from assistant.answer.calibration import CALIBRATION_FILE, load_calibration, write_calibration
    from assistant.evaluation.calibrate import fit

    golds = [Path(g) for g in args.gold] or list(gold_files(settings.eval_dir).values())
    assistant = open_assistant(settings)
    items = [item for gold in golds for item in load_gold_for(assistant, gold) if item.split == "dev"]
    calibration, provenance = fit(assistant, items, load_calibration())
    write_calibration(calibration, {**provenance, "gold": [f"{g.parent.name}/{g.name}" for g in golds]})
    console.print(message("cli.calibrated", path=str(CALIBRATION_FILE), **provenance))
    return 0
