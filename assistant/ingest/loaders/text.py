"""Report files of each supported format read into the plain text that is saved, split and cited.

`load_document(path)` checks the file (exists, not empty, extension supported and matching its
content) and hands it to the loader for its format; every problem is one UserError sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import UserError
from assistant.ingest.layout import as_text, clean_line, heading_line, table_lines


@dataclass(frozen=True)
class LoadedDocument:
    """A report's text as it will be saved (see layout.py) and the title the file gives itself."""

    text: str
    title: str = ""


SUFFIXES = (".txt", ".md", ".markdown", ".docx", ".pdf", ".html", ".htm")
_MAGIC = {b"%PDF-": "PDF", b"PK\x03\x04": "ZIP (Word .docx)", b"\xd0\xcf\x11\xe0": "old Word .doc"}
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_MD_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _kind_of_bytes(head: bytes) -> str | None:
    """The binary format a file's first bytes announce, if any."""
    return next((kind for magic, kind in _MAGIC.items() if head.startswith(magic)), None)


def _check_file(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, once it is known to exist, hold something and be of a supported kind."""
    if not path.exists():
        raise UserError(f"{path} does not exist.")
    if not path.is_file():
        raise UserError(f"{path} is not a file.")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        hint = "; save it as .docx first" if suffix == ".doc" else ""
        raise UserError(f"{path.name}: {suffix or 'files without an extension'} is not supported "
                        f"(use .txt, .md, .docx, .pdf or .html){hint}.")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path} cannot be read: {exc.strerror}.") from None
    if not data:
        raise UserError(f"{path.name} is empty (0 bytes).")
    if len(data) > max_bytes:
        raise UserError(f"{path.name} is {len(data) / 2**20:.1f} MB, over the {max_bytes / 2**20:.0f} MB limit.")
    found = _kind_of_bytes(data[:8])
    expected = {".pdf": "PDF", ".docx": "ZIP (Word .docx)"}.get(suffix)
    if found != expected:
        what = f"a {found} file" if found else "not a " + (expected or "text") + " file"
        raise UserError(f"{path.name} is {what}, which does not match its extension {suffix}.")
    return data


def decode_text(data: bytes, name: str) -> str:
    """Text from UTF-8 (with or without BOM) or GB18030 bytes, newlines normalised to \\n."""
    if b"\x00" in data:
        raise UserError(f"{name} holds binary data, not text.")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding).replace("\r\n", "\n").replace("\r", "\n")
        except UnicodeDecodeError:
            continue
    raise UserError(f"{name} is neither UTF-8 nor GB18030 text.")


def load_plain_text(data: bytes, name: str) -> LoadedDocument:
    """A .txt file as it is (its numbered 一、/(一) headings are already what the splitter reads)."""
    text = decode_text(data, name)
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return LoadedDocument(as_text(text.splitlines()), first if len(first) <= 80 else "")


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


def load_markdown(data: bytes, name: str) -> LoadedDocument:
    """A .md file: '#' headings kept, tables row by row with their header."""
    lines = list(_markdown_lines(decode_text(data, name)))
    title = next((line[2:] for line in lines if line.startswith("# ")), "")
    return LoadedDocument(as_text(lines), title)


_HTML_SKIP = {"script", "style", "noscript", "template", "head", "nav"}
_HTML_BLOCKS = {"p", "div", "section", "article", "main", "body", "html", "li", "ul", "ol", "dl", "dt",
                "dd", "blockquote", "pre", "header", "footer", "aside", "figure", "figcaption",
                "table", "h1", "h2", "h3", "h4", "h5", "h6", "center", "form", "tr", "td"}


def _html_lines(node) -> Iterator[str]:
    """Block-level text of an HTML element in document order."""
    from bs4 import Comment, NavigableString

    for child in node.children:
        if isinstance(child, NavigableString):
            if not isinstance(child, Comment) and clean_line(str(child)):
                yield clean_line(str(child))
        elif child.name in _HTML_SKIP:
            continue
        elif child.name in ("h1", "h2", "h3", "h4", "h5", "h6"):
            yield heading_line(child.get_text(), int(child.name[1]))
        elif child.name == "table":
            yield from table_lines([[cell.get_text() for cell in row.find_all(["th", "td"])]
                                    for row in child.find_all("tr")])
        elif any(d.name in _HTML_BLOCKS for d in child.find_all(True)):
            yield from _html_lines(child)
        else:
            yield clean_line(child.get_text())


def load_html(data: bytes, name: str) -> LoadedDocument:
    """An .html page: headings h1–h6, paragraphs and list items, tables row by row."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data, "html.parser")
    title = clean_line(soup.title.get_text()) if soup.title else ""
    heading = soup.find("h1")
    return LoadedDocument(as_text(_html_lines(soup.body or soup)),
                          title or (clean_line(heading.get_text()) if heading else ""))


def _loader_for(suffix: str) -> Callable[[bytes, str], LoadedDocument]:
    from assistant.ingest.loaders.binary import load_docx, load_pdf

    return {".txt": load_plain_text, ".md": load_markdown, ".markdown": load_markdown,
            ".html": load_html, ".htm": load_html, ".docx": load_docx, ".pdf": load_pdf}[suffix]


def load_document(path: Path, max_bytes: int = 50 * 2**20) -> LoadedDocument:
    """The text of a report file, or a UserError sentence saying why it cannot be used."""
    data = _check_file(path, max_bytes)
    document = _loader_for(path.suffix.lower())(data, path.name)
    if not document.text.strip():
        raise UserError(f"{path.name} contains no text.")
    return document
