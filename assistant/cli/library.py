"""`assistant add`, `assistant remove`, `assistant list`: the reports the index covers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from assistant.cli.index import progress_bar
from assistant.index.reports import add_reports, list_reports, remove_report
from assistant.config import Settings

console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)


def register(commands: argparse._SubParsersAction) -> None:
    """Add the add, remove and list commands."""
    add = commands.add_parser("add", help="add report files (.txt .md .docx .pdf .html) and index them")
    add.add_argument("paths", nargs="+", metavar="PATH", help="report files")
    add.add_argument("--district", help="district the reports are about (default: read from the title)")
    add.add_argument("--year", type=int, help="year the reports plan for (default: read from the title)")
    add.add_argument("--title", help="title (default: the document's own title or first line)")
    add.set_defaults(run=run_add)
    remove = commands.add_parser("remove", help="remove an added report from the library and the index")
    remove.add_argument("id", help="report id, as 'assistant list' shows it")
    remove.set_defaults(run=run_remove)
    listing = commands.add_parser("list", help="list the reports: seeds and added ones")
    listing.set_defaults(run=run_list)


def _describe(entry: dict) -> str:
    """The inferred metadata on one line, for the user to confirm."""
    periods = []
    if entry.get("actual_year"):
        periods.append(f"{entry['actual_year']}年完成情况")
    if entry.get("target_year"):
        periods.append(f"{entry['target_year']}年目标")
    return (f"已添加 {entry['id']}：{entry['title']}\n"
            f"  区县 {entry['district']} · 年份 {'、'.join(map(str, entry['years']))} · 类型 {entry['kind']}"
            f" · 内容 {'与'.join(periods)} · 来源 {entry['source']}")


def run_add(args: argparse.Namespace, settings: Settings) -> int:
    """Add files, show what was inferred for each, one error line per refused file (exit 2)."""
    with progress_bar("嵌入新段落") as update:
        outcome = add_reports(settings, [Path(p) for p in args.paths], district=args.district,
                              year=args.year, title=args.title, progress=update)
    for entry in outcome.added:
        console.print(_describe(entry))
    for _name, sentence in outcome.rejected:
        print(f"错误：{sentence}", file=sys.stderr)
    if outcome.info:
        total = sum(r["chunks"] for r in outcome.info.reports)
        console.print(f"索引已更新：共 {len(outcome.info.reports)} 份报告、{total} 段，新嵌入 "
                      f"{outcome.info.embedded} 段。元数据不对？用 'assistant remove ID' 删除后，"
                      "加 --district/--year/--title 重新添加。")
    return 2 if outcome.rejected else 0


def run_remove(args: argparse.Namespace, settings: Settings) -> int:
    """Remove an added report and refresh the index."""
    with progress_bar("更新索引") as update:
        info = remove_report(settings, args.id, progress=update)
    console.print(f"已删除 {args.id}；索引现有 {len(info.reports)} 份报告。")
    return 0


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    """Print every report: id, district, years, kind, origin, passages, title."""
    table = Table(title="报告")
    for column in ("id", "区县", "年份", "类型", "来源", "段落", "标题"):
        table.add_column(column)
    for r in list_reports(settings):
        table.add_row(r["id"], r["district"], "、".join(map(str, r["years"])), r["kind"],
                      "种子" if r["origin"] == "seeds" else f"添加（{r['source']}）",
                      "未索引" if r["chunks"] is None else str(r["chunks"]), r["title"])
    console.print(table)
    return 0
