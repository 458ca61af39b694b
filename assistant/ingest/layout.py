"""How extracted documents are laid out as plain text the splitter understands.

Every loader writes the same conventions, so the saved .txt is what gets cited:
  "# 标题" / "## 小标题"    a heading and its level (Word styles, Markdown #, HTML h1–h6, PDF font size)
  "表头：值；表头：值。"     one table row per line, each cell beside its column header
  anything else             a paragraph, one per line
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

from assistant.lang.zh.text import (
    CELL_SEPARATOR,
    CJK_TEXT,
    FULL_STOP,
    HEADER_VALUE_SEPARATOR,
    NUMBERED_HEADING,
    PAGE_NUMBER,
    PARAGRAPH_END,
)

# Whitespace beside a Chinese character is a soft line break or layout, never a word gap.
_SPACE_BESIDE_CJK = re.compile(rf"(?<=[{CJK_TEXT}])\s+|\s+(?=[{CJK_TEXT}])")
_SPACES = re.compile(r"\s+")
_HEADING_MAX = 25  # a numbered line this short without a full stop is a heading, not a wrapped item


def clean_line(text: str) -> str:
    """One line: whitespace runs collapsed, and none left beside Chinese characters."""
    return _SPACES.sub(" ", _SPACE_BESIDE_CJK.sub("", text)).strip()


def heading_line(text: str, level: int) -> str:
    """A heading as the splitter reads it: `level` hashes, a space, the heading text."""
    return f"{'#' * max(1, min(level, 6))} {clean_line(text)}"


def table_lines(rows: Sequence[Sequence[str | None]]) -> list[str]:
    """Table rows as lines; every row after the first names each cell by its column header, so a
    row stays understandable (and citable) when it lands in a passage without the header row."""
    cleaned = [[clean_line(cell or "").rstrip(FULL_STOP) for cell in row] for row in rows]
    cleaned = [row for row in cleaned if any(row)]
    if not cleaned:
        return []
    header, body = cleaned[0], cleaned[1:]
    if not body:
        return [CELL_SEPARATOR.join(cell for cell in header if cell) + FULL_STOP]
    lines = []
    for row in body:
        cells = [f"{name}{HEADER_VALUE_SEPARATOR}{cell}" if name and name != cell else cell
                 for name, cell in zip(header + [""] * len(row), row, strict=False) if cell]
        lines.append(CELL_SEPARATOR.join(cells) + FULL_STOP)
    return lines


def is_page_number(line: str) -> bool:
    """A running page number ("- 3 -", "第3页") printed on every page of a PDF."""
    return bool(PAGE_NUMBER.match(line.strip()))


def join_wrapped(lines: Iterable[tuple[str, bool]]) -> Iterator[str]:
    """Join visual lines a PDF broke mid-sentence back into paragraphs. Each line comes with
    whether it may be joined at all (table rows and headings may not)."""
    paragraph, open_paragraph = "", False
    for line, joinable in lines:
        if open_paragraph and joinable and not NUMBERED_HEADING.match(line) \
                and not paragraph.endswith(PARAGRAPH_END):
            paragraph = clean_line(paragraph + " " + line)
            continue
        if paragraph:
            yield paragraph
        paragraph, open_paragraph = line, joinable and not _numbered_heading(line)
    if paragraph:
        yield paragraph


def _numbered_heading(line: str) -> bool:
    return bool(NUMBERED_HEADING.match(line)) and FULL_STOP not in line and len(line) <= _HEADING_MAX


def _title_heading_to_text(lines: list[str]) -> list[str]:
    """A document whose only level-1 heading is its first line uses it as a title: keep the title
    as plain text and lift the other headings one level, so sections start at level 1."""
    top = [i for i, line in enumerate(lines) if line.startswith("# ")]
    if top != [0]:
        return lines
    lifted = [line[1:] if re.match(r"^#{2,6} ", line) else line for line in lines[1:]]
    return [lines[0][2:], *lifted]


def as_text(lines: Iterable[str]) -> str:
    """The saved text: non-empty lines, one per line, ending with a newline."""
    kept = _title_heading_to_text([line for line in (line.strip() for line in lines) if line])
    return "\n".join(kept) + "\n" if kept else ""
