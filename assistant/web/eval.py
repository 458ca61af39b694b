"""The evaluation tab: run a gold file from the eval folder through the same Assistant, see the metrics."""

from __future__ import annotations

from functools import partial
from html import escape
from pathlib import Path

import gradio as gr

from assistant.errors import UserError
from assistant.evaluation.gold import gold_files
from assistant.evaluation.report import COLUMNS, table_rows, write_reports
from assistant.evaluation.runner import EvalRun, load_gold_for, run_eval
from assistant.lang.zh.messages import listing, message
from assistant.web.chat import LiveAssistant

FAILURE_HEADERS = [message(f"web.eval.failure_columns.{c}")
                   for c in ("id", "type", "question", "expected", "answer", "verdict")]
METRIC_HEADERS = [message(f"eval.columns.{c}") for c in ("type", *COLUMNS)]
EvalUpdate = tuple[str, list[list[str]], str | None, list[list[str]], list[str] | None]


def _refreshed(eval_dir: Path) -> gr.Dropdown:
    names = list(gold_files(eval_dir))
    return gr.Dropdown(choices=names, value=names[0] if names else None)


def failure_rows(run: EvalRun) -> list[list[str]]:
    """One row per item the run got wrong: id, type, question, expected, answer, verdict."""
    return [[r["id"], message(f"eval.types.{r['type']}"), r["question"], listing(r["expected"]), r["answer"],
             r["verdict"]] for r in run.items if not r["correct"]]


def metric_rows(run: EvalRun) -> list[list[str]]:
    """The metrics table of the CLI report, with the question types named in Chinese."""
    return [[message(f"eval.types.{kind}"), *cells] for kind, *cells in table_rows(run)]


def summary_sentence(run: EvalRun, name: str) -> str:
    """The status line above the table, as HTML (the file name escaped)."""
    overall = run.summary["overall"]
    failures = sum(not r["correct"] for r in run.items)
    summary = message("web.eval.summary", gold=name, count=int(overall["n"]), accuracy=overall["accuracy"],
                      failures=failures, answerer=message(f"eval.answerers.{run.answerer}"))
    return f'<div class="eval-note">{escape(summary)}</div>'


def run_gold(live: LiveAssistant, name: str | None, progress: gr.Progress = gr.Progress()) -> EvalUpdate:  # noqa: B008 (Gradio finds its progress bar by this default)
    """Evaluate the chosen gold file and return the status, metrics, chart, failures and files."""
    eval_dir = live.settings.eval_dir
    if not name or name not in gold_files(eval_dir):
        return (f'<div class="eval-note">{escape(message("web.eval.no_gold", folder=eval_dir))}</div>',
                [], None, [], None)
    try:
        items = load_gold_for(live.assistant, gold_files(eval_dir)[name])
    except UserError as exc:
        return f'<div class="eval-note">{escape(str(exc))}</div>', [], None, [], None
    running, unit = message("web.eval.running"), message("web.eval.unit")
    progress((0, len(items)), desc=running, unit=unit)
    run = run_eval(live.assistant, items, gold_name=name,
                   progress=lambda done, total: progress((done, total), desc=running, unit=unit))
    paths = write_reports(run, eval_dir / "reports")
    return (summary_sentence(run, name), metric_rows(run), str(paths["png"]), failure_rows(run),
            [str(paths["md"]), str(paths["json"])])


def build_eval_tab(demo: gr.Blocks, live: LiveAssistant) -> None:
    """The 评测 tab's components and events (call inside `demo`); the file list is re-read on load."""
    eval_dir = live.settings.eval_dir
    gr.HTML(f'<div class="eval-note">{escape(message("web.eval.intro", folder=eval_dir))}</div>')
    with gr.Row(equal_height=False, elem_id="eval-controls"):
        names = list(gold_files(eval_dir))
        gold = gr.Dropdown(names, value=names[0] if names else None, label=message("web.eval.gold_file"),
                           scale=4, elem_id="gold-file")
        with gr.Column(scale=1, min_width=160):
            run = gr.Button(message("web.eval.run"), variant="primary", elem_id="run-eval")
            refresh = gr.Button(message("web.eval.refresh"), size="sm", elem_id="gold-refresh")
    status = gr.HTML(elem_id="eval-status")
    metrics = gr.Dataframe(headers=METRIC_HEADERS, label=message("web.eval.metrics"), interactive=False,
                           elem_id="eval-metrics")
    with gr.Row():
        chart = gr.Image(label=message("web.eval.chart"), type="filepath", interactive=False,
                         elem_id="eval-chart", buttons=["download"], scale=3)
        files = gr.File(label=message("web.eval.files"), file_count="multiple", interactive=False, scale=1)
    failures = gr.Dataframe(headers=FAILURE_HEADERS, label=message("web.eval.failures"), interactive=False,
                            wrap=True, show_search="search", max_height=480, elem_id="eval-failures",
                            column_widths=["8%", "10%", "22%", "12%", "30%", "18%"])
    refresh.click(partial(_refreshed, eval_dir), None, gold)
    demo.load(partial(_refreshed, eval_dir), None, gold)
    run.click(partial(run_gold, live), gold, [status, metrics, chart, failures, files],
              concurrency_id="eval", concurrency_limit=1)
