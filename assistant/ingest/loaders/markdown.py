"""Markdown reports: '#' headings kept, pipe tables row by row with their header."""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.ingest.layout import as_text, heading_line, table_lines
from assistant.ingest.loaders.base import Limits, LoadedDocument, decode_text

SUFFIXES = (".md", ".markdown")
MAGIC = None
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_MD_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _markdown_lines(text: str) -> Iterator[str]:
    """Markdown lines with headings normalised and pipe tables turned into header-named rows."""
    table: list[list[str]] = []
    for line in text.splitlines() + [""]:
        stripped = line.strip()
        if stripped.startswith("|"):
            if not _MD_TABLE_RULE.match(stripped):
                table.append([cell.strip() for cell in stripped.strip("|").split("|")])
            continue
        if table:
            yield from table_lines(table)
            table = []
        heading = _MD_HEADING.match(stripped)
        yield heading_line(heading.group(2), len(heading.group(1))) if heading else stripped


def load_markdown(data: bytes, name: str, limits: Limits) -> LoadedDocument:
    """A .md file: '#' headings kept, tables row by row with their header."""
    lines = list(_markdown_lines(decode_text(data, name)))
    title = next((line[2:] for line in lines if line.startswith("# ")), "")
    return LoadedDocument(as_text(lines), title)


LOAD = load_markdown
