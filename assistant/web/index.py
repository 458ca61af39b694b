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
from typing import Any

import gradio as gr

from assistant.answer.service import Assistant
from assistant.errors import UserError
from assistant.index.embedders import Embedder
from assistant.index.reports import add_reports, refresh_index, remove_report
from assistant.index.store import Progress, read_info
from assistant.lang.zh.messages import listing, message
from assistant.web.chat import LiveAssistant
from assistant.web.uploads import accepted_types, library_choices, note, outcome_panel, read_year

REPORT_HEADERS = [message(f"web.index.columns.{c}") for c in ("title", "district", "years", "file", "chunks")]
IndexUpdate = tuple[str, list[list[str]], str]  # summary HTML, report rows, status HTML
# A change to the index: given the embedder and a progress callback for the passages it embeds, it
# does its work and returns the status HTML and whether the index changed.
IndexChange = Callable[[Embedder, Progress], tuple[str, bool]]


def report_rows(live: LiveAssistant) -> list[list[str]]:
    """One row per indexed report: title, district, years, file and number of passages."""
    return [[r["title"], r["district"], listing(r.get("years", ())), r.get("file", ""),
             str(r.get("chunks", ""))] for r in live.index_reports]


def index_summary(live: LiveAssistant) -> str:
    """How and when the current index was built, as HTML."""
    info = read_info(live.settings)
    if info is None:
        return note(message("web.index.none"))
    built = time.strftime("%Y-%m-%d %H:%M", time.localtime(info.built_at))
    passages = sum(int(r.get("chunks", 0)) for r in info.reports)
    return note(message("web.index.summary", built=built, embedder=info.embedder,
                        chunk_chars=info.chunk_chars, reports=len(info.reports), passages=passages,
                        folder=live.settings.index_dir))


def reindex(live: LiveAssistant, progress: gr.Progress, change: IndexChange) -> IndexUpdate:
    """Run one change to the index (never two at once) and, when it changed, switch every tab to a
    fresh Assistant over it; the summary and report list as they are afterwards, and the status."""
    if not live.rebuilding.acquire(blocking=False):
        return index_summary(live), report_rows(live), note(message("web.busy"))
    try:
        progress((0, 1), desc=message("web.index.reading"))
        embedder = live.assistant.embedder
        embedding, unit = message("web.index.embedding"), message("web.index.unit")
        status, changed = change(embedder,
                                 lambda done, total: progress((done, total), desc=embedding, unit=unit))
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
        return note(message("web.index.rebuilt", embedded=info.embedded)), True

    return reindex(live, progress, change)


def add_uploaded(live: LiveAssistant, files: list[str] | None, district: str, year: str, title: str,
                 progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008
    """Add the uploaded reports as `assistant add` does and show what was added and what was not;
    the upload box is emptied when every file was added."""
    paths = [Path(f) for f in files or []]
    if not paths:
        return gr.skip(), gr.skip(), note(message("web.index.choose_files")), gr.skip(), gr.skip()
    try:
        overrides: dict[str, Any] = {"district": (district or "").strip() or None, "year": read_year(year),
                     "title": (title or "").strip() or None}
    except UserError as exc:
        return gr.skip(), gr.skip(), note(str(exc)), gr.skip(), gr.skip()
    everything_added = False

    def change(embedder: Embedder, embedding: Progress) -> tuple[str, bool]:
        nonlocal everything_added
        outcome = add_reports(live.settings, paths, **overrides, embedder=embedder, progress=embedding)
        everything_added = not outcome.rejected
        chunks = {r["id"]: r.get("chunks") for r in outcome.info.reports} if outcome.info else {}
        return outcome_panel(outcome.added, chunks, outcome.rejected), outcome.info is not None

    summary, rows, status = reindex(live, progress, change)
    return summary, rows, status, _removable(live), None if everything_added else gr.skip()


def remove_added(live: LiveAssistant, report_id: str | None,
                 progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008
    """Take the chosen added report out of the library and the index."""
    labels = {value: label for label, value in library_choices(live.settings)}
    if not report_id or report_id not in labels:
        return gr.skip(), gr.skip(), note(message("web.index.choose_report")), _removable(live)

    def change(embedder: Embedder, embedding: Progress) -> tuple[str, bool]:
        remove_report(live.settings, report_id, embedder, embedding)
        return note(message("web.index.removed", label=labels[report_id])), True

    return (*reindex(live, progress, change), _removable(live))


def _removable(live: LiveAssistant) -> gr.Dropdown:
    return gr.Dropdown(choices=library_choices(live.settings), value=None)


def opened(live: LiveAssistant) -> tuple[str, list[list[str]], gr.Dropdown]:
    """A new page shows the index and the added reports as they are now."""
    return index_summary(live), report_rows(live), _removable(live)


def build_index_tab(demo: gr.Blocks, live: LiveAssistant) -> None:
    """The 索引 tab's components and events (call inside `demo`); its lists are re-read on load."""
    summary = gr.HTML(index_summary(live), elem_id="index-summary")
    table = gr.Dataframe(report_rows(live), headers=REPORT_HEADERS, label=message("web.index.reports"),
                         interactive=False, wrap=True, elem_id="index-reports",
                         column_widths=["52%", "10%", "12%", "18%", "8%"])
    with gr.Row():
        button = gr.Button(message("web.index.rebuild"), variant="secondary", elem_id="rebuild", scale=0,
                           min_width=140)
        status = gr.HTML(elem_id="rebuild-status")
    gr.HTML(f'<h3 class="index-heading">{escape(message("web.index.add_heading"))}</h3>')
    with gr.Row(equal_height=False):
        label = message("web.index.files", types=accepted_types(), max_mb=live.settings.max_report_mb)
        files = gr.File(label=label, file_count="multiple", type="filepath", elem_id="report-upload", scale=3,
                        height=190)
        with gr.Column(scale=2, min_width=260):
            district = gr.Textbox(label=message("web.index.district"),
                                  placeholder=message("web.index.district_hint"), elem_id="add-district")
            with gr.Row():
                year = gr.Textbox(label=message("web.index.year"), placeholder=message("web.index.year_hint"),
                                  elem_id="add-year", min_width=100)
                title = gr.Textbox(label=message("web.index.title"),
                                   placeholder=message("web.index.title_hint"), elem_id="add-title", scale=2)
            add = gr.Button(message("web.index.add"), variant="primary", elem_id="add-reports")
    result = gr.HTML(elem_id="add-result")
    with gr.Row(equal_height=False, elem_id="remove-row"):
        removable = gr.Dropdown(library_choices(live.settings), value=None, elem_id="remove-choice", scale=4,
                                label=message("web.index.removable"))
        remove = gr.Button(message("web.index.remove"), variant="stop", elem_id="remove-report", scale=0,
                           min_width=100)
    changing: dict[str, Any] = {"concurrency_id": "index", "concurrency_limit": 1}
    button.click(partial(rebuild, live), None, [summary, table, status], **changing)
    add.click(partial(add_uploaded, live), [files, district, year, title],
              [summary, table, result, removable, files], **changing)
    remove.click(partial(remove_added, live), removable, [summary, table, result, removable], **changing)
    demo.load(partial(opened, live), None, [summary, table, removable], show_progress="hidden")
