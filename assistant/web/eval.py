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
from assistant.web.chat import LiveAssistant

FAILURE_HEADERS = ["编号", "题型", "问题", "期望", "回答", "判定"]
COLUMN_NAMES = {"n": "题数", "accuracy": "准确率", "citation": "引用正确率", "recall@1": "召回@1",
                "recall@3": "召回@3", "recall@5": "召回@5", "mrr": "MRR", "latency_p50_ms": "延迟p50(ms)",
                "latency_p95_ms": "延迟p95(ms)", "llm_rejected": "LLM回答被拒"}
TYPE_NAMES = {"numeric": "数值", "paraphrase": "换种说法", "multi_doc": "跨报告", "followup": "追问",
              "unanswerable": "无答案", "text": "文字", "overall": "总计"}
METRIC_HEADERS = ["题型", *(COLUMN_NAMES.get(c, c) for c in COLUMNS)]
EvalUpdate = tuple[str, list[list[str]], str | None, list[list[str]], list[str] | None]


def _refreshed(eval_dir: Path) -> gr.Dropdown:
    names = list(gold_files(eval_dir))
    return gr.Dropdown(choices=names, value=names[0] if names else None)


def failure_rows(run: EvalRun) -> list[list[str]]:
    """One row per item the run got wrong: id, type, question, expected, answer, verdict."""
    return [[r["id"], TYPE_NAMES.get(r["type"], r["type"]), r["question"], "、".join(r["expected"]), r["answer"], r["verdict"]]
            for r in run.items if not r["correct"]]


def metric_rows(run: EvalRun) -> list[list[str]]:
    """The metrics table of the CLI report, with the question types named in Chinese."""
    return [[TYPE_NAMES.get(row[0], row[0]), *row[1:]] for row in table_rows(run)]


def summary_sentence(run: EvalRun, name: str) -> str:
    """The status line above the table, as HTML (the file name escaped)."""
    overall = run.summary["overall"]
    failures = sum(not r["correct"] for r in run.items)
    return (f'<div class="eval-note">{escape(name)}：共 {int(overall["n"])} 题，准确率 '
            f'{overall["accuracy"]:.1%}，答错 {failures} 题；回答者 {escape(run.answerer)}。</div>')


def run_gold(live: LiveAssistant, name: str | None, progress: gr.Progress = gr.Progress()) -> EvalUpdate:  # noqa: B008 (Gradio finds its progress bar by this default)
    """Evaluate the chosen gold file and return the status, metrics, chart, failures and files."""
    eval_dir = live.settings.eval_dir
    if not name or name not in gold_files(eval_dir):
        return (f'<div class="eval-note">请先在 {escape(str(eval_dir))} 中放入金标准文件（.jsonl）并选择它。</div>',
                [], None, [], None)
    try:
        items = load_gold_for(live.assistant, gold_files(eval_dir)[name])
    except UserError as exc:
        return f'<div class="eval-note">{escape(str(exc))}</div>', [], None, [], None
    progress((0, len(items)), desc="正在评测", unit="题")
    run = run_eval(live.assistant, items, gold_name=name,
                   progress=lambda done, total: progress((done, total), desc="正在评测", unit="题"))
    paths = write_reports(run, eval_dir / "reports")
    return (summary_sentence(run, name), metric_rows(run), str(paths["png"]), failure_rows(run),
            [str(paths["md"]), str(paths["json"])])


def build_eval_tab(demo: gr.Blocks, live: LiveAssistant) -> None:
    """The 评测 tab's components and events (call inside `demo`); the file list is re-read on load."""
    eval_dir = live.settings.eval_dir
    gr.HTML(f'<div class="eval-note">从 {escape(str(eval_dir))} 中选择金标准文件，用与问答页相同的助手逐题回答并打分。'
            "报告写入其中的 reports/ 文件夹。</div>")
    with gr.Row(equal_height=False, elem_id="eval-controls"):
        names = list(gold_files(eval_dir))
        gold = gr.Dropdown(names, value=names[0] if names else None, label="金标准文件", scale=4,
                           elem_id="gold-file")
        with gr.Column(scale=1, min_width=160):
            run = gr.Button("运行评测", variant="primary", elem_id="run-eval")
            refresh = gr.Button("刷新列表", size="sm", elem_id="gold-refresh")
    status = gr.HTML(elem_id="eval-status")
    metrics = gr.Dataframe(headers=METRIC_HEADERS, label="指标（按题型）", interactive=False,
                           elem_id="eval-metrics")
    with gr.Row():
        chart = gr.Image(label="按题型的准确率", type="filepath", interactive=False, elem_id="eval-chart",
                         buttons=["download"], scale=3)
        files = gr.File(label="报告文件", file_count="multiple", interactive=False, scale=1)
    failures = gr.Dataframe(headers=FAILURE_HEADERS, label="答错的题目", interactive=False, wrap=True,
                            show_search="search", max_height=480, elem_id="eval-failures",
                            column_widths=["8%", "10%", "22%", "12%", "30%", "18%"])
    refresh.click(partial(_refreshed, eval_dir), None, gold)
    demo.load(partial(_refreshed, eval_dir), None, gold)
    run.click(partial(run_gold, live), gold, [status, metrics, chart, failures, files],
              concurrency_id="eval", concurrency_limit=1)
