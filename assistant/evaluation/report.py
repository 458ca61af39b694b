"""Evaluation reports: terminal table, JSON/Markdown/PNG files, run comparison and thresholds."""

from __future__ import annotations

import json
import time
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, cast

from assistant.errors import UserError
from assistant.evaluation.runner import METRICS, EvalRun
from assistant.lang.zh.messages import message

COLUMNS = ("n", *METRICS, "wrong_source", "latency_p50_ms", "latency_p95_ms", "llm_rejected")
# Charts carry Chinese labels: fonts with Chinese glyphs first (Linux, macOS, Windows), as matplotlib's
# default font has none.
_CHART_STYLE: dict[str, Any] = {"font.sans-serif": ["Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
                                   "PingFang SC", "Microsoft YaHei", "DejaVu Sans"],
               "axes.unicode_minus": False}


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


def _markdown(run: EvalRun) -> str:
    failures = [r for r in run.items if not r["correct"]]
    lines = [f"# Evaluation: {run.gold} ({run.answerer})", "", markdown_table(run), "",
             f"## Failures ({len(failures)})", ""]
    for r in failures:
        lines.append(f"- **{r['id']}** ({r['type']}) {r['question']} — expected "
                     f"{', '.join(r['expected'])}; {r['verdict']}; answer: {r['answer'][:160]}")
    return "\n".join(lines) + "\n"


def write_chart(run: EvalRun, path: Path) -> None:
    """A bar chart of accuracy and citation correctness by question type."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import PercentFormatter

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


def write_reports(run: EvalRun, folder: Path) -> dict[str, Path]:
    """JSON, Markdown and PNG reports in `folder`, named by gold file and time."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{Path(run.gold).stem or 'eval'}-{time.strftime('%Y%m%d-%H%M%S')}"
    paths = {"json": folder / f"{stem}.json", "md": folder / f"{stem}.md", "png": folder / f"{stem}.png"}
    paths["json"].write_text(json.dumps(run.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
    paths["md"].write_text(_markdown(run), encoding="utf-8")
    write_chart(run, paths["png"])
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
    """Sentences naming each overall metric that is below its threshold."""
    overall = run.summary["overall"]
    return [message("eval.below_threshold", metric=name, value=overall.get(name, 0.0), limit=limit)
            for name, limit in thresholds.items() if overall.get(name, 0.0) < limit]
