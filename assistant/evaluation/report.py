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
        answerer = message(f"eval.answerers.{run.answerer}")
        ax.set_title(message("eval.chart_title", gold=run.gold, answerer=answerer))
        ax.legend(loc="lower right")
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


def compare_runs(old_path: Path, run: EvalRun) -> dict[str, list[dict]]:
    """Items fixed and broken since the run saved at `old_path` (matched by id)."""
    try:
        old = json.loads(Path(old_path).read_text(encoding="utf-8"))
        before = {r["id"]: r for r in old["items"]}
    except (OSError, ValueError, KeyError, TypeError):
        raise UserError(message("errors.not_an_eval_report", path=old_path)) from None
    changes: dict[str, list[dict]] = {"fixed": [], "broken": []}
    for record in run.items:
        previous = before.get(record["id"])
        if previous and previous["correct"] != record["correct"]:
            changes["fixed" if record["correct"] else "broken"].append(
                {"id": record["id"], "question": record["question"], "before": previous["answer"],
                 "after": record["answer"], "verdict": record["verdict"]})
    return changes


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
