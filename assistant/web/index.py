"""The index tab: which reports are indexed and how, a rebuild button, adding reports, and for each
report how it was split, its place, year and title corrected, or its removal.

Rebuilding, adding, editing and removing all change the index the same way (`reindex`): one at a
time, with a progress bar, and afterwards every tab asks a fresh Assistant over the new index.
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
from assistant.index.reports import add_reports, edit_report, list_reports, refresh_index, remove_report
from assistant.index.store import Progress, read_info
from assistant.ingest.corpus import load_corpus
from assistant.ingest.library import library_entries
from assistant.lang.zh.messages import listing, message
from assistant.web.chat import LiveAssistant
from assistant.web.uploads import accepted_types, library_choices, note, outcome_panel, read_year

REPORT_HEADERS = [message(f"web.index.columns.{c}") for c in ("title", "district", "years", "file", "origin", "chunks")]
MAX_PREVIEW = 300  # passages shown in a split preview (a long report has thousands)
IndexUpdate = tuple[str, list[list[str]], str]  # summary HTML, report rows, status HTML
# A change to the index: given the embedder and a progress callback for the passages it embeds, it
# does its work and returns the status HTML and whether the index changed.
IndexChange = Callable[[Embedder, Progress], tuple[str, bool]]


def report_rows(live: LiveAssistant) -> list[list[str]]:
    """One row per report: title, district, years, the file it came from (as the user named it),
    whether it is an example or was added, and its number of indexed passages."""
    try:
        reports = list_reports(live.settings)
    except UserError:  # the library cannot be read: list what the index holds
        reports = [dict(r, source=r.get("file", ""), origin="") for r in live.index_reports]
    return [[r["title"], r["district"], listing(r.get("years", ())), r["source"],
             message(f"web.index.origins.{r['origin']}") if r["origin"] else "",
             "" if r.get("chunks") is None else str(r["chunks"])] for r in reports]


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
    return summary, rows, status, _picker(live, None), None if everything_added else gr.skip()


def report_choices(live: LiveAssistant) -> list[tuple[str, str]]:
    """(label, id) of every report for the report picker, examples marked as such."""
    try:
        reports = list_reports(live.settings)
    except UserError:
        return []
    return [(message("web.index.edit.choice", title=r["title"], id=r["id"],
                     origin=message(f"web.index.origins.{r['origin']}")), r["id"]) for r in reports]


def _picker(live: LiveAssistant, chosen: str | None) -> gr.Dropdown:
    choices = report_choices(live)
    return gr.Dropdown(choices=choices, value=chosen if chosen in {v for _, v in choices} else None)


def split_preview(live: LiveAssistant, report_id: str) -> str:
    """How the report was split: each indexed passage with its heading path, year and period."""
    chunks = [c for c in live.assistant.index.chunks if c.doc_id == report_id]
    head = message("web.index.edit.preview", count=len(chunks))
    items = []
    for chunk in chunks[:MAX_PREVIEW]:
        period = message(f"web.chat.period_{chunk.period}", year=chunk.year) if chunk.year else ""
        where = message("common.label_separator").join(filter(None, (chunk.section, period)))
        items.append(f'<li><div class="add-source">{escape(where)}</div>{escape(chunk.text)}</li>')
    more = (f'<div class="add-hint">{escape(message("web.index.edit.preview_more", shown=MAX_PREVIEW))}</div>'
            if len(chunks) > MAX_PREVIEW else "")
    return (f'<div class="add-result"><div class="add-head">{escape(head)}</div>'
            f'<ol class="split-preview" style="max-height:480px;overflow-y:auto">{"".join(items)}</ol>{more}</div>')


def picked(live: LiveAssistant, report_id: str | None) -> tuple:
    """The chosen report's place, year and title in the edit fields (editable for added reports
    only), a sentence when it cannot be edited, and how it was split."""
    try:
        report = next((r for r in load_corpus(live.settings) if r.id == report_id), None)
        added = any(e.get("id") == report_id for e in library_entries(live.settings))
        problem = ""
    except UserError as exc:
        report, added, problem = None, False, note(str(exc))
    if report is None:
        blank = gr.Textbox(value="", interactive=False)
        return blank, blank, blank, gr.Button(interactive=False), gr.Button(interactive=False), problem, ""
    year = report.target_year or report.actual_year or ""
    fields = [gr.Textbox(value=str(value), interactive=added) for value in (report.district, year, report.title)]
    hint = "" if added else note(message("web.index.edit.seed_locked"))
    return (*fields, gr.Button(interactive=added), gr.Button(interactive=added), hint,
            split_preview(live, report.id))


def save_edit(live: LiveAssistant, report_id: str | None, district: str, year: str, title: str,
              progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008
    """Correct the chosen added report's place, year or title and re-index its passages."""
    if not report_id:
        return gr.skip(), gr.skip(), note(message("web.index.choose_report")), gr.skip()
    try:
        changes: dict[str, Any] = {"district": district, "year": read_year(year), "title": title}
    except UserError as exc:
        return gr.skip(), gr.skip(), note(str(exc)), gr.skip()

    def change(embedder: Embedder, embedding: Progress) -> tuple[str, bool]:
        info = edit_report(live.settings, report_id, **changes, embedder=embedder, progress=embedding)
        entry = next(r for r in info.reports if r["id"] == report_id)
        return note(message("web.index.edit.edited", title=entry["title"], district=entry["district"],
                            years=listing(entry["years"]), embedded=info.embedded)), True

    summary, rows, status = reindex(live, progress, change)
    return summary, rows, status, split_preview(live, report_id)


def remove_added(live: LiveAssistant, report_id: str | None,
                 progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008
    """Take the chosen added report out of the library and the index."""
    labels = {value: label for label, value in library_choices(live.settings)}
    if not report_id or report_id not in labels:
        return gr.skip(), gr.skip(), note(message("web.index.choose_report")), gr.skip()

    def change(embedder: Embedder, embedding: Progress) -> tuple[str, bool]:
        remove_report(live.settings, report_id, embedder, embedding)
        return note(message("web.index.removed", label=labels[report_id])), True

    return (*reindex(live, progress, change), _picker(live, None))


def opened(live: LiveAssistant, chosen: str | None = None) -> tuple[str, list[list[str]], gr.Dropdown]:
    """A new page shows the index and the reports as they are now (a report picked while the page
    loaded stays picked)."""
    return index_summary(live), report_rows(live), _picker(live, chosen)


def build_index_tab(demo: gr.Blocks, live: LiveAssistant) -> None:
    """The 索引 tab's components and events (call inside `demo`); its lists are re-read on load."""
    summary = gr.HTML(index_summary(live), elem_id="index-summary")
    # Widths in pixels: on a phone the table scrolls sideways instead of a character per line.
    table = gr.Dataframe(report_rows(live), headers=REPORT_HEADERS, label=message("web.index.reports"),
                         interactive=False, wrap=True, elem_id="index-reports",
                         column_widths=["540px", "90px", "110px", "300px", "80px", "80px"])
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
    gr.HTML(f'<h3 class="index-heading">{escape(message("web.index.edit.heading"))}</h3>')
    chosen = gr.Dropdown(report_choices(live), value=None, label=message("web.index.edit.pick"),
                         elem_id="report-choice")
    with gr.Row(equal_height=False, elem_id="edit-row"):
        edit_district = gr.Textbox(label=message("web.index.columns.district"), interactive=False,
                                   elem_id="edit-district", min_width=120)
        edit_year = gr.Textbox(label=message("web.index.edit.year"), interactive=False, elem_id="edit-year",
                               min_width=90)
        edit_title = gr.Textbox(label=message("web.index.columns.title"), interactive=False, elem_id="edit-title",
                                scale=3, min_width=200)
    with gr.Row(elem_id="remove-row"):
        save = gr.Button(message("web.index.edit.save"), variant="primary", interactive=False, elem_id="save-edit",
                         scale=0, min_width=220)
        remove = gr.Button(message("web.index.remove"), variant="stop", interactive=False, elem_id="remove-report",
                           scale=0, min_width=100)
        hint = gr.HTML(elem_id="edit-note")
    changed = gr.HTML(elem_id="edit-result")
    preview = gr.HTML(elem_id="split-preview")
    changing: dict[str, Any] = {"concurrency_id": "index", "concurrency_limit": 1}
    button.click(partial(rebuild, live), None, [summary, table, status], **changing)
    add.click(partial(add_uploaded, live), [files, district, year, title],
              [summary, table, result, chosen, files], **changing)
    chosen.change(partial(picked, live), chosen, [edit_district, edit_year, edit_title, save, remove, hint, preview],
                  show_progress="hidden")
    save.click(partial(save_edit, live), [chosen, edit_district, edit_year, edit_title],
               [summary, table, changed, preview], show_progress_on=[changed], **changing)
    remove.click(partial(remove_added, live), chosen, [summary, table, changed, chosen], show_progress_on=[changed],
                 **changing)
    demo.load(partial(opened, live), chosen, [summary, table, chosen], show_progress="hidden")
