"""Plain-text reports (.txt, UTF-8 or GB18030): numbered 一、/(一) headings are what the splitter reads;
a text without them (a report copied from a web page) has its parts as short unpunctuated lines."""

from __future__ import annotations

from assistant.ingest.layout import as_text, heading_line
from assistant.ingest.loaders.base import Limits, LoadedDocument, decode_text
from assistant.lang.zh.text import HEADING_LEVEL1, NUMBERED_HEADING, PARAGRAPH_END, SENTENCE_PUNCTUATION, STATED_YEAR

_HEADING_MAX = 25  # a standalone line this short, without punctuation, names a part

SUFFIXES = (".txt",)
MAGIC = None  # text has no signature; a binary signature under .txt is refused


def load_plain_text(data: bytes, name: str, limits: Limits) -> LoadedDocument:
    """A .txt file as it is."""
    text = decode_text(data, name)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    first = lines[0] if lines else ""
    if lines and not any(HEADING_LEVEL1.match(line) for line in lines):
        lines = [first, *(heading_line(line, 1) if _part_heading(line) else line for line in lines[1:])]
    return LoadedDocument(as_text(lines), first if len(first) <= 80 else "")


def _part_heading(line: str) -> bool:
    """"2024年工作回顾" on a line of its own: a heading, so its part gets its year and period. A short
    line with a figure ("地区生产总值 500亿元") is data, not a heading."""
    return len(line) <= _HEADING_MAX and not any(c.isdigit() for c in STATED_YEAR.sub("", line)) \
        and not any(c in SENTENCE_PUNCTUATION for c in line) and not line.endswith(PARAGRAPH_END) \
        and not line.startswith("#") and not NUMBERED_HEADING.match(line)



LOAD = load_plain_text
