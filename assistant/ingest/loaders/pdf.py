"""PDF reports (pdfplumber, text layer only): larger type becomes headings, tables become rows."""

from __future__ import annotations

import io
import re
import zlib
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
from assistant.ingest.loaders.base import Limits, LoadedDocument
from assistant.lang.zh.messages import message

SUFFIXES = (".pdf",)
MAGIC = b"%PDF-"
_STREAM = re.compile(rb"(?<!end)stream\r?\n")
# An image's dictionary (its /Subtype) lies between its "N 0 obj" and its `stream` keyword.
_IMAGE = re.compile(rb"/Subtype\s*/Image")
_DICTIONARY_REACH = 512
_PIECE = 2**20

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


def _check_streams(data: bytes, name: str, limits: Limits) -> None:
    """Refuse a PDF whose compressed (Flate) streams inflate to more than `limits.unpacked_bytes`,
    counted in bounded pieces, before pdfminer inflates any of them whole: a page's content stream
    can be a bomb like a .docx. Image streams are skipped, as text extraction never inflates them."""
    inflated = 0
    for match in _STREAM.finditer(data):
        header = data.rfind(b"obj", max(0, match.start() - _DICTIONARY_REACH), match.start())
        if _IMAGE.search(data, max(0, header), match.start()):
            continue
        inflater, position = zlib.decompressobj(), match.end()
        pending = b""
        while not inflater.eof and (pending or position < len(data)):
            if not pending:
                pending, position = data[position:position + _PIECE], position + _PIECE
            try:
                inflated += len(inflater.decompress(pending, _PIECE))
            except zlib.error:
                break  # not Flate data (or damaged): pdfminer judges it
            pending = inflater.unconsumed_tail
            if inflated > limits.unpacked_bytes:
                raise UserError(message("errors.untrusted.pdf_unpacked", name=name,
                                        limit_mb=limits.unpacked_bytes / 2**20))


def _items_within(pdf, name: str, limits: Limits) -> list[tuple[float, float, list]]:
    """The items of every page, refusing a PDF with more pages or more text than `limits` allow
    before reading a page, and as soon as the text read passes the limit."""
    pages = pdf.pages
    if len(pages) > limits.pages:
        raise UserError(message("errors.untrusted.pdf_pages", name=name, count=len(pages), limit=limits.pages))
    items, chars = [], 0
    for page in pages:
        found = _page_items(page)
        chars += sum(len(text) if isinstance(text, str) else sum(len(c or "") for row in text for c in row)
                     for _, _, text in found)
        if chars > limits.text_chars:
            raise UserError(message("errors.untrusted.pdf_text", name=name, limit=limits.text_chars))
        items += found
        page.close()  # pdfplumber keeps each page's parsed objects until closed
    return items


def load_pdf(data: bytes, name: str, limits: Limits) -> LoadedDocument:
    """A PDF with a text layer; an encrypted or image-only (scanned) PDF is refused with a sentence."""
    from pdfminer.psparser import PSException
    from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

    # What pdfminer and pdfplumber raise on a damaged file (truncated objects, wrong types where
    # they expect others, a page box that is not four numbers).
    malformed = (PSException, PdfminerException, MalformedPDFException, ValueError, KeyError, TypeError, IndexError)
    _check_streams(data, name, limits)
    # Not closed in a `with`: closing re-reads the page tree, which raises again on a damaged file;
    # the document lives in memory and goes with the last reference.
    pdf = _open_pdf(data, name)
    try:
        items = _items_within(pdf, name, limits)
        title = clean_line(str((pdf.metadata or {}).get("Title", "") or ""))
    except malformed as exc:
        raise UserError(message("errors.pdf_error", name=name, reason=type(exc).__name__)) from None
    lines = list(join_wrapped(_pdf_lines(items)))
    if not any(line.strip() for line in lines):
        raise UserError(message("errors.pdf_no_text", name=name))
    title = "" if title.lower() in ("untitled", "anonymous") else title
    return LoadedDocument(as_text(lines), title or next((line for line in lines if line), ""))


LOAD = load_pdf
