"""PDF reports (pdfplumber, text layer only): larger type becomes headings, tables become rows."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator, Sequence

from assistant.errors import UserError
from assistant.ingest.layout import (
    as_text,
    clean_line,
    heading_line,
    is_page_number,
    join_wrapped,
    table_lines,
)
from assistant.ingest.loaders.base import LoadedDocument
from assistant.lang.zh.messages import message

SUFFIXES = (".pdf",)
MAGIC = b"%PDF-"

def _inside(obj: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    middle_x, middle_y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= middle_x <= x1 and top <= middle_y <= bottom for x0, top, x1, bottom in boxes)


def _page_items(page) -> list[tuple[float, float, list]]:
    """(top, font size, line text or table rows) for the text lines and tables of one page."""
    tables = page.find_tables()
    boxes = [table.bbox for table in tables]
    outside = page.filter(lambda obj: obj.get("object_type") != "char" or not _inside(obj, boxes))
    items = []
    for line in outside.extract_text_lines(return_chars=True):
        sizes = [round(char["size"], 1) for char in line["chars"]] or [0.0]
        items.append((line["top"], max(set(sizes), key=sizes.count), line["text"]))
    items += [(table.bbox[1], 0.0, table.extract()) for table in tables]
    return sorted(items, key=lambda item: item[0])


def _pdf_lines(items: Sequence[tuple[float, float, str | list]]) -> Iterator[tuple[str, bool]]:
    """(line, may be joined to the line before) for the whole PDF: text set larger than the body
    size becomes a heading (the largest line first met is the title, kept as text), tables become
    header-named rows, running page numbers are dropped."""
    body = Counter(size for _, size, text in items if isinstance(text, str) and size).most_common(1)
    body_size = body[0][0] if body else 0.0
    larger = sorted({size for _, size, _ in items if size > body_size * 1.1}, reverse=True)
    titled = False
    for _, size, content in items:
        if not isinstance(content, str):
            yield from ((row, False) for row in table_lines(content))
        elif is_page_number(content):
            continue
        elif size in larger and not titled and size == larger[0]:
            titled = True
            yield clean_line(content), False
        elif size in larger:
            yield heading_line(content, max(1, larger.index(size))), False
        else:
            yield clean_line(content), True


def _open_pdf(data: bytes, name: str):
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        return pdfplumber.open(io.BytesIO(data))
    except PdfminerException as exc:
        if exc.args and isinstance(exc.args[0], PDFPasswordIncorrect):
            raise UserError(message("errors.encrypted_pdf", name=name)) from None
        raise UserError(message("errors.bad_pdf", name=name)) from None


def load_pdf(data: bytes, name: str) -> LoadedDocument:
    """A PDF with a text layer; an encrypted or image-only (scanned) PDF is refused with a sentence."""
    from pdfminer.psparser import PSException
    from pdfplumber.utils.exceptions import PdfminerException

    with _open_pdf(data, name) as pdf:
        try:
            items = [item for page in pdf.pages for item in _page_items(page)]
        except (PSException, PdfminerException, ValueError, KeyError, TypeError, IndexError) as exc:
            raise UserError(message("errors.pdf_error", name=name, reason=type(exc).__name__)) from None
        title = clean_line(str((pdf.metadata or {}).get("Title", "") or ""))
    lines = list(join_wrapped(_pdf_lines(items)))
    if not any(line.strip() for line in lines):
        raise UserError(message("errors.pdf_no_text", name=name))
    title = "" if title.lower() in ("untitled", "anonymous") else title
    return LoadedDocument(as_text(lines), title or next((line for line in lines if line), ""))

LOAD = load_pdf
