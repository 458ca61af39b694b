"""Word .docx reports (python-docx): heading styles become headings, tables keep each row with its header."""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator

from assistant.errors import UserError
from assistant.ingest.layout import as_text, clean_line, heading_line, table_lines
from assistant.ingest.loaders.base import Limits, LoadedDocument
from assistant.lang.zh.messages import message
from assistant.lang.zh.text import WORD_HEADING_STYLE

SUFFIXES = (".docx",)
MAGIC = b"PK\x03\x04"  # a .docx is a ZIP archive
_PIECE = 2**20  # members are inflated this much at a time, so a bomb is caught within a piece of the limit


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


def _unpacked(data: bytes, name: str, limits: Limits) -> io.BytesIO:
    """The package re-stored uncompressed, refusing it when it has too many members or unpacks to
    too much. The central directory's sizes are checked first; as they may lie, each member is
    then inflated in bounded pieces and counted, so no more than the limit is ever unpacked
    (zipfile would inflate a whole member in one call when python-docx reads it)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package, \
                zipfile.ZipFile(stored := io.BytesIO(), "w", zipfile.ZIP_STORED) as copy:
            members = package.infolist()
            _check_sizes(name, len(members), sum(m.file_size for m in members), limits)
            unpacked = 0
            for member in members:
                parts = []
                with package.open(member) as source:
                    while piece := source.read(_PIECE):
                        unpacked += len(piece)
                        _check_sizes(name, len(members), unpacked, limits)
                        parts.append(piece)
                copy.writestr(member, b"".join(parts), zipfile.ZIP_STORED)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError, EOFError, OSError,
            zlib.error):
        raise UserError(message("errors.bad_docx", name=name)) from None
    return stored


def _check_sizes(name: str, members: int, unpacked: int, limits: Limits) -> None:
    if members > limits.members:
        raise UserError(message("errors.untrusted.docx_members", name=name, count=members, limit=limits.members))
    if unpacked > limits.unpacked_bytes:
        raise UserError(message("errors.untrusted.docx_unpacked", name=name, size_mb=unpacked / 2**20,
                                limit_mb=limits.unpacked_bytes / 2**20))


def load_docx(data: bytes, name: str, limits: Limits) -> LoadedDocument:
    """A Word .docx: heading styles become headings, tables keep each row with its header."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import LxmlError

    package = _unpacked(data, name, limits)
    try:
        document = docx.Document(package)
        lines = list(_docx_lines(document))
        title = clean_line(document.core_properties.title or "")
    except (PackageNotFoundError, zipfile.BadZipFile, LxmlError, KeyError, ValueError, EOFError):
        raise UserError(message("errors.bad_docx", name=name)) from None
    return LoadedDocument(as_text(lines), title or next((line.lstrip("# ") for line in lines if line), ""))


LOAD = load_docx
