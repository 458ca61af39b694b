"""The index tab: which reports are indexed and how, and a rebuild button with progress."""

from __future__ import annotations

import time
from functools import partial
from html import escape

import gradio as gr

from .assistant import Assistant
from .errors import UserError
from .index_store import read_info
from .library import refresh_index
from .web_chat import LiveAssistant

REPORT_HEADERS = ["标题", "区", "年份", "文件", "段落数"]


def report_rows(live: LiveAssistant) -> list[list[str]]:
    """One row per indexed report: title, district, years, file and number of passages."""
    return [[r["title"], r["district"], "、".join(str(y) for y in r.get("years", ())), r.get("file", ""),
             str(r.get("chunks", ""))] for r in live.index_reports]


def index_summary(live: LiveAssistant) -> str:
    """How and when the current index was built, as HTML."""
    info = read_info(live.settings)
    if info is None:
        return '<div class="index-meta">还没有索引。</div>'
    built = time.strftime("%Y-%m-%d %H:%M", time.localtime(info.built_at))
    passages = sum(int(r.get("chunks", 0)) for r in info.reports)
    return (f'<div class="index-meta">建于 {built} · 嵌入模型 {escape(info.embedder)} · '
            f'每段约 {info.chunk_chars} 字 · 共 {len(info.reports)} 份报告、{passages} 段 · '
            f'索引目录 {escape(str(live.settings.index_dir))}</div>')


def rebuild(live: LiveAssistant, progress: gr.Progress = gr.Progress()) -> tuple[str, list[list[str]], str]:  # noqa: B008 (Gradio finds its progress bar by this default)
    """Re-index seeds and library (unchanged passages keep their vectors) and switch every tab to it."""
    if not live.rebuilding.acquire(blocking=False):
        return index_summary(live), report_rows(live), '<div class="index-meta">已有一次重建正在进行。</div>'
    try:
        progress((0, 1), desc="正在读取报告")
        embedder = live.assistant.embedder
        info = refresh_index(live.settings, embedder,
                             progress=lambda done, total: progress((done, total), desc="正在嵌入段落", unit="段"))
        live.refresh(Assistant(live.settings, embedder))
        note = f"重建完成：新嵌入 {info.embedded} 段，其余沿用已有向量。"
    except UserError as exc:
        note = str(exc)
    finally:
        live.rebuilding.release()
    return index_summary(live), report_rows(live), f'<div class="index-meta">{escape(note)}</div>'


def build_index_tab(live: LiveAssistant) -> None:
    """The 索引 tab's components and events (call inside a gr.Blocks)."""
    summary = gr.HTML(index_summary(live), elem_id="index-summary")
    table = gr.Dataframe(report_rows(live), headers=REPORT_HEADERS, label="已收录的报告", interactive=False,
                         wrap=True, elem_id="index-reports", column_widths=["52%", "10%", "12%", "18%", "8%"])
    with gr.Row():
        button = gr.Button("重建索引", variant="secondary", elem_id="rebuild", scale=0, min_width=140)
        status = gr.HTML(elem_id="rebuild-status")
    button.click(partial(rebuild, live), None, [summary, table, status], concurrency_id="index",
                 concurrency_limit=1)
