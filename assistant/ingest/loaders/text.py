"""Plain-text reports (.txt, UTF-8 or GB18030): numbered 一、/(一) headings are what the splitter reads."""

from __future__ import annotations

from assistant.ingest.layout import as_text
from assistant.ingest.loaders.base import Limits, LoadedDocument, decode_text

SUFFIXES = (".txt",)
MAGIC = None  # text has no signature; a binary signature under .txt is refused


def load_plain_text(data: bytes, name: str, limits: Limits) -> LoadedDocument:
    """A .txt file as it is."""
    text = decode_text(data, name)
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return LoadedDocument(as_text(text.splitlines()), first if len(first) <= 80 else "")



LOAD = load_plain_text
