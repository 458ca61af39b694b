"""The index tab: which reports are indexed and how, a rebuild button, and adding or removing reports.

Rebuilding, adding and removing all change the index the same way (`reindex`): one at a time, with
a progress bar, and afterwards every tab asks a fresh Assistant over the new index.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from html import escape
from pathlib import Path

import gradio as gr

from assistant.answer.service import Assistant
from assistant.index.embedders import Embedder
from assistant.errors import UserError
from assistant.index.store import Progress, read_info
from assistant.index.reports import add_reports, refresh_index, remove_report
from assistant.web.chat import LiveAssistant
from assistant.web.uploads import (
    accepted_types,
    in_upload_order,
    library_choices,
    note,
    outcome_panel,
    read_year,
    screen_uploads,
)

REPORT_HEADERS = ["标题", "区", "年份", "文件", "段落数"]
IndexUpdate = tuple[str, list[list[str]], str]  # summary HTML, report rows, status HTML
# A change to the index: given the embedder and a progress callback for the passages it embeds, it
# does its work and returns the status HTML and whether the index changed.
IndexChange = Callable[[Embedder, Progress], tuple[str, bool]]


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


def reindex(live: LiveAssistant, progress: gr.Progress, change: IndexChange) -> IndexUpdate:
    """Run one change to the index (never two at once) and, when it changed, switch every tab to a
    fresh Assistant over it; the summary and report list as they are afterwards, and the status."""
    if not live.rebuilding.acquire(blocking=False):
        return index_summary(live), report_rows(live), note("索引正在更新，请等它完成后再试。")
    try:
        progress((0, 1), desc="正在读取报告")
        embedder = live.assistant.embedder
        status, changed = change(embedder, lambda done, total: progress((done, total), desc="正在嵌入段落",
                                                                        unit="段"))
        if changed:
            live.refresh(Assistant(live.settings, embedder))
    except UserError as exc:
        status = note(str(exc))
    finally:
        live.rebuilding.release()
    return index_summary(live), report_rows(live), status


def rebuild(live: LiveAssistant, progress: gr.Progress = gr.Progress()) -> IndexUpdate:  # noqa: B008 (Gradio finds its progress bar by this default)
    """Re-index seeds and library (unchanged passages keep their vectors) and switch every tab to it."""
    def change(embedder: Embedder, embedding: Progress) -> tuple[str, bool]:
        info = refresh_index(live.settings, embedder, progress=embedding)
        return note(f"重建完成：新嵌入 {info.embedded} 段，其余沿用已有向量。"), True

    return reindex(live, progress, change)


def add_uploaded(live: LiveAssistant, files: list[str] | None, district: str, year: str, title: str,
                 progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008
    """Add the uploaded reports as `assistant add` does and show what was added and what was not;
    the upload box is emptied when every file was added."""
    paths = [Path(f) for f in files or []]
    if not paths:
        return gr.skip(), gr.skip(), note("请先选择要添加的报告文件。"), gr.skip(), gr.skip()
    try:
        overrides = {"district": (district or "").strip() or None, "year": read_year(year),
                     "title": (title or "").strip() or None}
    except UserError as exc:
        return gr.skip(), gr.skip(), note(str(exc)), gr.skip(), gr.skip()
    accepted, refused = screen_uploads(paths, live.settings.max_report_mb)
    everything_added = False

    def change(embedder: Embedder, embedding: Progress) -> tuple[str, bool]:
        nonlocal everything_added
        outcome = add_reports(live.settings, accepted, **overrides, embedder=embedder, progress=embedding)
        everything_added = not refused and not outcome.rejected
        chunks = {r["id"]: r.get("chunks") for r in outcome.info.reports} if outcome.info else {}
        panel = outcome_panel(outcome.added, chunks, in_upload_order(refused + outcome.rejected, paths))
        return panel, outcome.info is not None

    if accepted:
        summary, rows, status = reindex(live, progress, change)
    else:
        summary, rows, status = gr.skip(), gr.skip(), outcome_panel([], {}, refused)
    return summary, rows, status, _removable(live), None if everything_added else gr.skip()


def remove_added(live: LiveAssistant, report_id: str | None,
                 progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008
    """Take the chosen added report out of the library and the index."""
    labels = {value: label for label, value in library_choices(live.settings)}
    if not report_id or report_id not in labels:
        return gr.skip(), gr.skip(), note("请先选择要移除的报告。"), _removable(live)

    def change(embedder: Embedder, embedding: Progress) -> tuple[str, bool]:
        remove_report(live.settings, report_id, embedder, embedding)
        return note(f"已移除 {labels[report_id]}。"), True

    return (*reindex(live, progress, change), _removable(live))


def _removable(live: LiveAssistant) -> gr.Dropdown:
    return gr.Dropdown(choices=library_choices(live.settings), value=None)


def opened(live: LiveAssistant) -> tuple[str, list[list[str]], gr.Dropdown]:
    """A new page shows the index and the added reports as they are now."""
    return index_summary(live), report_rows(live), _removable(live)


def build_index_tab(demo: gr.Blocks, live: LiveAssistant) -> None:
    """The 索引 tab's components and events (call inside `demo`); its lists are re-read on load."""
    summary = gr.HTML(index_summary(live), elem_id="index-summary")
    table = gr.Dataframe(report_rows(live), headers=REPORT_HEADERS, label="已收录的报告", interactive=False,
                         wrap=True, elem_id="index-reports", column_widths=["52%", "10%", "12%", "18%", "8%"])
    with gr.Row():
        button = gr.Button("重建索引", variant="secondary", elem_id="rebuild", scale=0, min_width=140)
        status = gr.HTML(elem_id="rebuild-status")
    gr.HTML('<h3 class="index-heading">添加报告</h3>')
    with gr.Row(equal_height=False):
        files = gr.File(label=f"报告文件（{accepted_types()}；每个不超过 {live.settings.max_report_mb} MB）",
                        file_count="multiple", type="filepath", elem_id="report-upload", scale=3, height=190)
        with gr.Column(scale=2, min_width=260):
            district = gr.Textbox(label="区县（可选）", placeholder="留空则从报告中识别", elem_id="add-district")
            with gr.Row():
                year = gr.Textbox(label="年份（可选）", placeholder="如 2024", elem_id="add-year", min_width=100)
                title = gr.Textbox(label="标题（可选）", placeholder="留空则用报告的标题", elem_id="add-title",
                                   scale=2)
            add = gr.Button("添加并索引", variant="primary", elem_id="add-reports")
    result = gr.HTML(elem_id="add-result")
    with gr.Row(equal_height=False, elem_id="remove-row"):
        removable = gr.Dropdown(library_choices(live.settings), value=None, elem_id="remove-choice", scale=4,
                                label="移除已添加的报告（种子报告不能在此移除）")
        remove = gr.Button("移除", variant="stop", elem_id="remove-report", scale=0, min_width=100)
    changing = {"concurrency_id": "index", "concurrency_limit": 1}
    button.click(partial(rebuild, live), None, [summary, table, status], **changing)
    add.click(partial(add_uploaded, live), [files, district, year, title],
              [summary, table, result, removable, files], **changing)
    remove.click(partial(remove_added, live), removable, [summary, table, result, removable], **changing)
    demo.load(partial(opened, live), None, [summary, table, removable], show_progress="hidden")
