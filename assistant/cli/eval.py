"""`assistant eval` and `assistant bench`: accuracy against gold answers, and speed."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from assistant.cli import scale as cli_scale
from assistant.cli.ask import open_assistant
from assistant.cli.index import progress_bar
from assistant.errors import UserError
from assistant.evaluation.gold import default_gold
from assistant.evaluation.report import COLUMNS, below_thresholds, compare_runs, parse_thresholds, table_rows, write_reports
from assistant.evaluation.runner import load_gold_for, run_eval
from assistant.config import Settings

# Piped output keeps the whole table (rich would shrink it to 80 columns).
console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)


def register(commands: argparse._SubParsersAction) -> None:
    ev = commands.add_parser("eval", help="score answers against a gold file")
    ev.add_argument("--gold", default=None, help="gold JSONL file (default: eval/gold.jsonl, else the bundled one)")
    ev.add_argument("--out", default=None, help="report folder (default: eval/reports)")
    ev.add_argument("--compare", metavar="OLD.json", help="list items fixed and broken since OLD.json")
    ev.add_argument("--fail-under", default="", metavar="accuracy=0.9,...",
                    help="exit 1 when an overall metric is below its threshold")
    ev.set_defaults(run=run_eval_command)
    bench = commands.add_parser("bench", help="index build time, warm latency, peak memory")
    bench.add_argument("--questions", type=int, default=100, help="how many questions to time")
    cli_scale.add_arguments(bench)
    bench.set_defaults(run=run_bench)


def run_eval_command(args: argparse.Namespace, settings: Settings) -> int:
    thresholds = parse_thresholds(args.fail_under)
    gold = Path(args.gold) if args.gold else default_gold(settings.eval_dir)
    assistant = open_assistant(settings)
    items = load_gold_for(assistant, gold)
    with progress_bar(f"评测 {gold.name}") as update:
        run = run_eval(assistant, items, gold.name, update)
    table = Table(title=f"{gold.name} · {run.answerer} · {len(items)} items")
    for column in ("type", *COLUMNS):
        table.add_column(column, justify="left" if column == "type" else "right")
    for row in table_rows(run):
        table.add_row(*row)
    console.print(table)
    paths = write_reports(run, Path(args.out) if args.out else settings.eval_dir / "reports")
    console.print(f"报告：{paths['json']}  {paths['md']}  {paths['png']}")
    if args.compare:
        changes = compare_runs(Path(args.compare), run)
        for kind, label in (("fixed", "修复"), ("broken", "退步")):
            for change in changes[kind]:
                console.print(f"{label} {change['id']} {change['question']} → {change['verdict']}")
        console.print(f"相比 {args.compare}：修复 {len(changes['fixed'])} 项，退步 {len(changes['broken'])} 项")
    failed = below_thresholds(run, thresholds)
    for sentence in failed:
        print(f"FAIL: {sentence}", file=sys.stderr)
    return 1 if failed else 0


def run_bench(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.evaluation.bench import run_benchmark

    if args.questions < 1:
        raise UserError("--questions must be at least 1.")
    if args.scale:
        return cli_scale.run_scale_command(args, settings)
    result = run_benchmark(settings, args.questions)
    console.print_json(json.dumps(result, ensure_ascii=False))
    return 0
