"""Evaluation reports: terminal table, JSON/Markdown/PNG files, run comparison and thresholds."""

from __future__ import annotations

import json
import time
from bisect import bisect_right
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, cast

from assistant.errors import UserError
from assistant.evaluation.runner import LOWER_IS_BETTER, METRICS, EvalRun
from assistant.lang.zh.messages import message

COLUMNS = ("n", *METRICS, "wrong_source", "latency_p50_ms", "latency_p95_ms", "llm_rejected")
# Charts carry Chinese labels: fonts with Chinese glyphs first (Linux, macOS, Windows), as matplotlib's
# default font has none.
_CHART_STYLE: dict[str, Any] = {"font.sans-serif": ["Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
                                   "PingFang SC", "Microsoft YaHei", "DejaVu Sans"],
               "axes.unicode_minus": False}
# Confidence buckets of the reliability diagram: the answerer abstains below its threshold (about
# 0.4), so everything under 0.5 is one bucket and the range where answers are given is split finely.
RELIABILITY_EDGES = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


def chart_style() -> AbstractContextManager:
    """matplotlib settings every chart of ours is drawn with (a Chinese font, so labels render)."""
    import matplotlib.pyplot as plt

    return plt.rc_context(cast(Any, _CHART_STYLE))  # the stubs want literal keys


def _cell(value: float | None, key: str) -> str:
    if value is None:
        return "–"
    if key in ("n", "llm_rejected", "wrong_source") or key.startswith("latency"):
        return f"{value:.0f}"
    return f"{value:.3f}"


def table_rows(run: EvalRun) -> list[list[str]]:
    """One row per type (overall last) with the COLUMNS metrics, formatted."""
    order = [k for k in run.summary if k != "overall"] + ["overall"]
    return [[name] + [_cell(run.summary[name].get(c), c) for c in COLUMNS] for name in order]


def markdown_table(run: EvalRun) -> str:
    """The results table in Markdown, as pasted into the README."""
    lines = ["| type | " + " | ".join(COLUMNS) + " |", "|" + "---|" * (len(COLUMNS) + 1)]
    lines += ["| " + " | ".join(row) + " |" for row in table_rows(run)]
    return "\n".join(lines)


def reliability(run: EvalRun) -> list[dict[str, float]]:
    """Per confidence bucket that has items (low, high, n, accuracy, mean confidence), over the
    answered items with a confidence: a calibrated answerer is right about as often as it says."""
    scored = [r for r in run.items if not r["abstained"] and r.get("confidence") is not None]
    buckets: dict[int, list[dict]] = {}
    for r in scored:  # a confidence of 1.0 belongs to the last bucket
        buckets.setdefault(min(bisect_right(RELIABILITY_EDGES, r["confidence"]), len(RELIABILITY_EDGES) - 1) - 1,
                           []).append(r)
    return [{"low": RELIABILITY_EDGES[i], "high": RELIABILITY_EDGES[i + 1], "n": len(rs),
             "accuracy": sum(r["correct"] for r in rs) / len(rs),
             "confidence": sum(r["confidence"] for r in rs) / len(rs)} for i, rs in sorted(buckets.items())]


def reliability_table(run: EvalRun) -> str:
    """The reliability diagram's numbers in Markdown."""
    rows = reliability(run)
    if not rows:
        return "No answer carries a confidence."
    lines = ["| confidence | n | accuracy | mean confidence |", "|---|---|---|---|"]
    lines += [f"| {b['low']:.1f}–{b['high']:.1f} | {b['n']} | {b['accuracy']:.3f} | {b['confidence']:.3f} |"
              for b in rows]
    return "\n".join(lines)


def _markdown(run: EvalRun) -> str:
    failures = [r for r in run.items if not r["correct"]]
    lines = [f"# Evaluation: {run.gold} ({run.answerer})", "", markdown_table(run), "",
             "## Reliability (answered items: confidence against accuracy)", "", reliability_table(run), "",
             f"## Failures ({len(failures)})", ""]
    for r in failures:
        lines.append(f"- **{r['id']}** ({r['type']}) {r['question']} — expected "
                     f"{', '.join(r['expected'])}; {r['verdict']}; answer: {r['answer'][:160]}")
    return "\n".join(lines) + "\n"


def _pyplot() -> Any:
    """matplotlib's pyplot drawing to files only (no window, no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def write_chart(run: EvalRun, path: Path) -> None:
    """A bar chart of accuracy and citation correctness by question type."""
    from matplotlib.ticker import PercentFormatter

    plt = _pyplot()

    names = [k for k in run.summary if k != "overall"] + ["overall"]
    accuracy = [run.summary[n]["accuracy"] for n in names]
    citation = [run.summary[n].get("citation", 0.0) for n in names]
    with chart_style():
        fig, ax = plt.subplots(figsize=(8, 3.6), dpi=110)
        xs = range(len(names))
        ax.bar([x - 0.2 for x in xs], accuracy, width=0.4, label=message("eval.chart_accuracy"),
               color="#2b6cb0")
        ax.bar([x + 0.2 for x in xs], citation, width=0.4, label=message("eval.chart_citation"),
               color="#9ae6b4")
        ax.set_xticks(list(xs), [message(f"eval.types.{name}") for name in names])
        ax.set_ylim(0, 1.05)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_xlabel(message("eval.chart.x"))
        ax.set_ylabel(message("eval.chart.y"), rotation=0, labelpad=14)
        answerer = message(f"eval.answerers.{run.answerer}")
        ax.set_title(message("eval.chart_title", gold=run.gold, answerer=answerer), loc="left")
        # Beside the title, not over the bars: every type's bar can reach 100 %.
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, frameon=False)
        fig.tight_layout()
        fig.savefig(path)
    plt.close(fig)


def write_reliability_chart(run: EvalRun, path: Path) -> None:
    """The reliability diagram: each confidence bucket's accuracy as a bar against the diagonal of
    perfect calibration, with its number of items above it."""
    from matplotlib.ticker import PercentFormatter

    plt = _pyplot()
    rows = reliability(run)
    with chart_style():
        fig, ax = plt.subplots(figsize=(6, 4.4), dpi=110)
        bars = ax.bar([b["low"] for b in rows], [b["accuracy"] for b in rows], align="edge",
                      width=[b["high"] - b["low"] for b in rows], color="#90cdf4", edgecolor="white",
                      label=message("eval.reliability.accuracy"))
        ax.bar_label(bars, [message("eval.reliability.count", n=b["n"]) for b in rows], padding=2, fontsize=8)
        # Over the bars, so a bucket's distance from perfect calibration shows.
        ax.plot([0, 1], [0, 1], linestyle="--", color="#2d3748", label=message("eval.reliability.diagonal"))
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.22)  # room above 100 % for the counts and the legend
        ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_formatter(PercentFormatter(1.0))
        ax.set_xlabel(message("eval.reliability.x"))
        ax.set_ylabel(message("eval.reliability.y"))
        answerer = message(f"eval.answerers.{run.answerer}")
        ax.set_title(message("eval.reliability.title", gold=run.gold, answerer=answerer), loc="left")
        ax.legend(loc="upper left", ncols=2, frameon=False)
        fig.tight_layout()
        fig.savefig(path)
    plt.close(fig)


def write_reports(run: EvalRun, folder: Path) -> dict[str, Path]:
    """JSON, Markdown and PNG reports (the chart by type and the reliability diagram) in `folder`,
    named by gold file and time."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{Path(run.gold).stem or 'eval'}-{time.strftime('%Y%m%d-%H%M%S')}"
    paths = {"json": folder / f"{stem}.json", "md": folder / f"{stem}.md", "png": folder / f"{stem}.png",
             "reliability": folder / f"{stem}-reliability.png"}
    paths["json"].write_text(json.dumps(run.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
    paths["md"].write_text(_markdown(run), encoding="utf-8")
    write_chart(run, paths["png"])
    write_reliability_chart(run, paths["reliability"])
    return paths


def read_run(path: Path) -> EvalRun:
    """A run saved by `write_reports` (its .json), or one sentence saying the file is not one."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        run = EvalRun(data.get("gold", ""), data.get("answerer", ""), data.get("summary", {}), data["items"])
        if not all(isinstance(r, dict) and "id" in r and "correct" in r for r in run.items):
            raise TypeError
        return run
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise UserError(message("errors.not_an_eval_report", path=path)) from None


def run_changes(before: EvalRun, after: EvalRun) -> dict[str, list[dict]]:
    """Items fixed and broken from one run to another (matched by id)."""
    earlier = {r["id"]: r for r in before.items}
    changes: dict[str, list[dict]] = {"fixed": [], "broken": []}
    for record in after.items:
        previous = earlier.get(record["id"])
        if previous and previous["correct"] != record["correct"]:
            changes["fixed" if record["correct"] else "broken"].append(
                {"id": record["id"], "type": record["type"], "question": record["question"],
                 "before": previous["answer"], "after": record["answer"], "verdict": record["verdict"]})
    return changes


def compare_runs(old_path: Path, run: EvalRun) -> dict[str, list[dict]]:
    """Items fixed and broken since the run saved at `old_path` (matched by id)."""
    return run_changes(read_run(old_path), run)


def verdict_text(reason: str) -> str:
    """A scoring verdict ("wrong or missing figure: expected 5%") in Chinese, its details kept."""
    phrase, _, detail = reason.partition(": ")
    detail = detail.removeprefix("expected ")
    if phrase.startswith("also stated figures from "):
        phrase, detail = "also stated figures from", phrase.removeprefix("also stated figures from ")
    key = _VERDICT_KEYS.get(phrase)
    if key is None:  # a verdict added to scoring.py without a translation here: shown as it is
        return reason
    return message(f"eval.verdicts.{key}") + (message("common.label_separator") + detail if detail else "")


# Scoring's verdict phrases (evaluation/scoring.py) and their keys in messages.toml [eval.verdicts].
_VERDICT_KEYS = {"correct": "correct", "abstained": "abstained", "figure right, citation wrong": "citation_wrong",
                 "stated a figure for an unanswerable question": "answered_unanswerable",
                 "abstained on an answerable question": "abstained_answerable",
                 "wrong or missing figure": "wrong_figure", "a district's figure is missing": "district_missing",
                 "also stated figures from": "stray_figures"}


def parse_thresholds(text: str) -> dict[str, float]:
    """"accuracy=0.9,citation=0.9" → {"accuracy": 0.9, "citation": 0.9}, metric names checked."""
    thresholds = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, value = part.partition("=")
        if name not in METRICS:
            raise UserError(message("errors.unknown_metric", name=name, known=", ".join(METRICS)))
        try:
            thresholds[name] = float(value)
        except ValueError:
            raise UserError(message("errors.threshold_not_number", part=part)) from None
    return thresholds


def below_thresholds(run: EvalRun, thresholds: dict[str, float]) -> list[str]:
    """Sentences naming each overall metric that misses its threshold: below it, or above it for
    a rate of failures (LOWER_IS_BETTER)."""
    overall = run.summary["overall"]
    failed = []
    for name, limit in thresholds.items():
        value = overall.get(name, 0.0)
        if (value > limit) if name in LOWER_IS_BETTER else (value < limit):
            key = "eval.above_threshold" if name in LOWER_IS_BETTER else "eval.below_threshold"
            failed.append(message(key, metric=name, value=value, limit=limit))
    return failed
