"""HTML reports (BeautifulSoup): headings h1–h6, paragraphs and list items, tables row by row."""

from __future__ import annotations

from collections.abc import Iterator

from assistant.ingest.layout import as_text, clean_line, heading_line, table_lines
from assistant.ingest.loaders.base import Limits, LoadedDocument

SUFFIXES = (".html", ".htm")
MAGIC = None

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


def load_html(data: bytes, name: str, limits: Limits) -> LoadedDocument:
    """An .html page: headings h1–h6, paragraphs and list items, tables row by row."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data, "html.parser")
    title = clean_line(soup.title.get_text()) if soup.title else ""
    heading = soup.find("h1")
    return LoadedDocument(as_text(_html_lines(soup.body or soup)),
                          title or (clean_line(heading.get_text()) if heading else ""))


LOAD = load_html
