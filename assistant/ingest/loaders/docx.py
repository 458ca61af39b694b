"""Word .docx reports (python-docx): heading styles become headings, tables keep each row with its header."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from assistant.errors import UserError
from assistant.ingest.layout import as_text, clean_line, heading_line, table_lines
from assistant.ingest.loaders.base import LoadedDocument
from assistant.lang.zh.messages import message
from assistant.lang.zh.text import WORD_HEADING_STYLE

SUFFIXES = (".docx",)
MAGIC = b"PK\x03\x04"  # a .docx is a ZIP archive



def _docx_lines(document) -> Iterator[str]:
    """Paragraphs and tables in document order; Heading N styles become '#' heading lines."""
    from docx.table import Table

    for block in document.iter_inner_content():
        if isinstance(block, Table):
            yield from table_lines([[cell.text for cell in _unique_cells(row)] for row in block.rows])
            continue
        text = clean_line(block.text)
        style = WORD_HEADING_STYLE.match(block.style.name if block.style is not None else "")
        yield heading_line(text, int(style.group(1))) if style and text else text


def _unique_cells(row) -> list:
    """A row's cells with a horizontally merged cell counted once (python-docx repeats it)."""
    cells, seen = [], set()
    for cell in row.cells:
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            cells.append(cell)
    return cells


def load_docx(data: bytes, name: str) -> LoadedDocument:
    """A Word .docx: heading styles become headings, tables keep each row with its header."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError):
        raise UserError(message("errors.bad_docx", name=name)) from None
    lines = list(_docx_lines(document))
    title = clean_line(document.core_properties.title or "") or next(
        (line.lstrip("# ") for line in lines if line), "")
    return LoadedDocument(as_text(lines), title)

LOAD = load_docx
