"""The index tab's upload box, without Gradio: the optional year typed beside the files, the
added reports one can remove, and the HTML panel that lists what was added and what was not.

Uploaded files go to `index.reports.add_reports` as `assistant add` hands them over, so the web and
the CLI refuse a file (wrong type, empty, too large, unreadable) with the same sentence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from assistant.config import Settings
from assistant.errors import UserError
from assistant.index.reports import list_reports
from assistant.ingest.loaders import SUFFIXES
from assistant.lang.zh.messages import listing, message
from assistant.lang.zh.text import YEAR_VALUE

Refusal = tuple[str, str]  # (file name, sentence), as in AddOutcome.rejected


def accepted_types() -> str:
    """The supported file extensions, for the upload box's label: .txt、.md、…"""
    return listing(SUFFIXES)


def read_year(text: str | None) -> int | None:
    """The year typed in the upload form (None when left empty), or a sentence saying what to type."""
    text = (text or "").strip()
    if not text:
        return None
    found = YEAR_VALUE.fullmatch(text)
    if not found:
        raise UserError(message("errors.bad_year", text=text[:20]))
    return int(found.group(1))


def library_choices(settings: Settings) -> list[tuple[str, str]]:
    """(label, id) of every added report, for the remove picker; seed reports cannot be removed here."""
    try:
        reports = list_reports(settings)
    except UserError:
        return []
    return [(message("web.index.choice", title=r["title"], id=r["id"]), r["id"]) for r in reports
            if r["origin"] == "library"]


def note(sentence: str) -> str:
    """One status sentence as HTML."""
    return f'<div class="index-meta">{escape(sentence)}</div>'


def outcome_panel(added: Sequence[dict], chunks: Mapping[str, int | None], refused: Sequence[Refusal]) -> str:
    """What an upload did: each added report with the metadata read from it (to be checked), then
    each refused file with its sentence. Everything from the files and the form is escaped."""
    parts = ['<div class="add-result">']
    if added:
        headers = "".join(f"<th>{escape(message(f'web.index.added_columns.{c}'))}</th>"
                          for c in ("report", "district", "years", "kind", "chunks", "id"))
        parts.append(f'<div class="add-head">{escape(message("web.index.added", count=len(added)))}</div>'
                     f'<table class="add-table"><thead><tr>{headers}</tr></thead><tbody>')
        parts += [_added_row(entry, chunks.get(entry["id"])) for entry in added]
        parts.append(f'</tbody></table><div class="add-hint">{escape(message("web.index.check_hint"))}</div>')
    if refused:
        parts.append(f'<div class="add-head refused">{escape(message("web.index.refused", count=len(refused)))}'
                     '</div><ul class="refused-list">')
        parts += [f"<li>{_refusal(name, sentence)}</li>" for name, sentence in refused]
        parts.append("</ul>")
    if not added and not refused:
        parts.append(f'<div class="add-head">{escape(message("web.index.nothing"))}</div>')
    return "".join(parts) + "</div>"


def _added_row(entry: dict, chunks: int | None) -> str:
    cells = [f'{escape(entry["title"])}<div class="add-source">{escape(entry.get("source", ""))}</div>',
             escape(entry["district"]), escape(listing(entry.get("years", ()))),
             escape(entry.get("kind", "")), "" if chunks is None else str(chunks), escape(entry["id"])]
    return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"


def _refusal(name: str, sentence: str) -> str:
    """The sentence, led by the file name when the sentence does not say it."""
    if name in sentence:
        return escape(sentence)
    return f'<span class="add-source">{escape(name)}</span>{message("common.label_separator")}{escape(sentence)}'
