"""The index tab's upload box, without Gradio: which uploaded files go on to `library.add_reports`,
the optional year typed beside them, and the HTML panel that lists what was added and what was not.

Files of an unsupported type, empty files and files over `settings.max_report_mb` are refused here
with one Chinese sentence each, before anything is read; every other refusal is the library's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from pathlib import Path

from assistant.errors import UserError
from assistant.index.reports import list_reports
from assistant.ingest.loaders import SUFFIXES
from assistant.config import Settings

Refusal = tuple[str, str]  # (file name, sentence), as in AddOutcome.rejected
_YEAR = re.compile(r"^((?:19|20)\d\d)\s*年?$")


def accepted_types() -> str:
    """The supported file extensions, for labels and refusals: .txt、.md、…"""
    return "、".join(SUFFIXES)


def screen_uploads(paths: Sequence[Path], max_mb: int) -> tuple[list[Path], list[Refusal]]:
    """The uploaded files worth handing to add_reports, and a sentence for each one that is not."""
    accepted: list[Path] = []
    refused: list[Refusal] = []
    for path in paths:
        size = path.stat().st_size
        suffix = path.suffix.lower()
        if suffix not in SUFFIXES:
            kind = f"的格式（{suffix}）不受支持" if suffix else "没有扩展名"
            refused.append((path.name, f"{path.name} {kind}，请上传 {accepted_types()} 格式的报告。"))
        elif size == 0:
            refused.append((path.name, f"{path.name} 是空文件（0 字节）。"))
        elif size > max_mb * 2**20:
            refused.append((path.name, f"{path.name} 有 {size / 2**20:.1f} MB，超过了每个文件 {max_mb} MB 的上限。"))
        else:
            accepted.append(path)
    return accepted, refused


def read_year(text: str | None) -> int | None:
    """The year typed in the upload form (None when left empty), or a sentence saying what to type."""
    text = (text or "").strip()
    if not text:
        return None
    found = _YEAR.match(text)
    if not found:
        raise UserError(f"年份“{text[:20]}”无法识别，请填写四位数字的年份，例如 2024，或留空自动识别。")
    return int(found.group(1))


def in_upload_order(refused: Sequence[Refusal], paths: Sequence[Path]) -> list[Refusal]:
    """Refusals from the screening and from the library, listed in the order the files were given."""
    order = {path.name: i for i, path in reversed(list(enumerate(paths)))}
    return sorted(refused, key=lambda refusal: order.get(refusal[0], len(order)))


def library_choices(settings: Settings) -> list[tuple[str, str]]:
    """(label, id) of every added report, for the remove picker; seed reports cannot be removed here."""
    try:
        reports = list_reports(settings)
    except UserError:
        return []
    return [(f"{r['title']}（{r['id']}）", r["id"]) for r in reports if r["origin"] == "library"]


def note(sentence: str) -> str:
    """One status sentence as HTML."""
    return f'<div class="index-meta">{escape(sentence)}</div>'


def outcome_panel(added: Sequence[dict], chunks: dict[str, int], refused: Sequence[Refusal]) -> str:
    """What an upload did: each added report with the metadata read from it (to be checked), then
    each refused file with its sentence. Everything from the files and the form is escaped."""
    parts = ['<div class="add-result">']
    if added:
        parts.append(f'<div class="add-head">已添加 {len(added)} 份报告并更新索引。请核对从报告中识别出的信息：</div>'
                     '<table class="add-table"><thead><tr><th>报告</th><th>区县</th><th>年份</th><th>类型</th>'
                     "<th>段落数</th><th>编号</th></tr></thead><tbody>")
        parts += [_added_row(entry, chunks.get(entry["id"])) for entry in added]
        parts.append('</tbody></table><div class="add-hint">识别有误时，可在下方移除该报告，'
                     "填写区县、年份或标题后重新添加。</div>")
    if refused:
        parts.append(f'<div class="add-head refused">{len(refused)} 个文件未添加：</div><ul class="refused-list">')
        parts += [f"<li>{_refusal(name, sentence)}</li>" for name, sentence in refused]
        parts.append("</ul>")
    if not added and not refused:
        parts.append('<div class="add-head">没有需要添加的文件。</div>')
    return "".join(parts) + "</div>"


def _added_row(entry: dict, chunks: int | None) -> str:
    cells = [f'{escape(entry["title"])}<div class="add-source">{escape(entry.get("source", ""))}</div>',
             escape(entry["district"]), escape("、".join(str(y) for y in entry.get("years", ()))),
             escape(entry.get("kind", "")), "" if chunks is None else str(chunks), escape(entry["id"])]
    return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"


def _refusal(name: str, sentence: str) -> str:
    """The sentence, led by the file name when the sentence does not say it."""
    if name in sentence:
        return escape(sentence)
    return f'<span class="add-source">{escape(name)}</span>：{escape(sentence)}'
