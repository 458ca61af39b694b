"""What every loader returns, the limits it reads an untrusted file under, and the text decoding
the plain-text formats share."""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from assistant.errors import UserError
from assistant.lang.zh.messages import message
from assistant.lang.zh.text import readable_share


@dataclass(frozen=True)
class LoadedDocument:
    """A report's text as it will be saved (see ingest/layout.py) and the title the file gives itself."""

    text: str
    title: str = ""


# A .docx's images hardly shrink when zipped and its text XML shrinks 5–10×, so a real report
# unpacks to little more than its file size; twice the file limit leaves room, while a bomb (1 MB
# unpacking to 300 MB of XML, which python-docx would hold as a tree about 12× that size) is refused.
UNPACKED_PER_FILE_BYTE = 2
# A Word package has a few dozen parts (one per picture at most); thousands of tiny members are a
# bomb of another kind, each one costing a read and a parse.
MAX_MEMBERS = 1000
# One PDF page per 20 KB of the file limit (2,560 pages at the default 50 MB): the longest reports,
# five-year plans with their appendices, run to a few hundred pages, and pdfplumber takes about
# 50 ms a page.
FILE_BYTES_PER_PAGE = 20 * 2**10
# A dense page of Chinese holds under 2,000 characters; more text than the page limit's worth of
# full pages comes from a crafted file, and would take hours to embed.
CHARS_PER_PAGE = 2000


@dataclass(frozen=True)
class Limits:
    """How much of one untrusted file a loader may unpack and read, all derived from the file-size
    limit (`settings.max_report_mb`), so raising that one setting raises them together."""

    file_bytes: int

    @property
    def unpacked_bytes(self) -> int:
        return self.file_bytes * UNPACKED_PER_FILE_BYTE

    @property
    def members(self) -> int:
        return MAX_MEMBERS

    @property
    def pages(self) -> int:
        return max(1, self.file_bytes // FILE_BYTES_PER_PAGE)

    @property
    def text_chars(self) -> int:
        return self.pages * CHARS_PER_PAGE


# Below this share of readable characters (lang/zh/text.py) a decoding is garbage, not a report.
_MIN_READABLE = 0.8
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Tried in order when no BOM names the encoding; the first whose result reads best wins.
_LEGACY = ("gb18030", "big5hkscs")


def decode_text(data: bytes, name: str) -> str:
    """Text from UTF-8 (with or without BOM), UTF-16 (with BOM), GB18030 or Big5 bytes, newlines
    normalised to \\n; anything else is refused with one sentence, never returned as mojibake.

    A BOM decides the encoding. Otherwise UTF-8 is tried first (its strict decoding almost never
    succeeds on other bytes), then GB18030 and Big5. Big5 bytes without a BOM usually decode as
    GB18030 too, into garbage, so both are decoded and the one that reads as Chinese wins
    (`readable_share`: Big5 read as GB18030 gives kana, box drawing and private-use characters;
    GB18030 wins a tie); text that reads as Chinese in neither, or that holds replacement
    characters (mojibake saved earlier), is refused. UTF-16 without a BOM is refused (as binary
    when it has zero bytes).
    """
    text = _decode(data, name)
    if "\ufffd" in text or "\x00" in text:
        raise UserError(message("errors.garbled_text", name=name))
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode(data: bytes, name: str) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                raise UserError(message("errors.garbled_text", name=name)) from None
    if b"\x00" in data:
        raise UserError(message("errors.binary_text", name=name))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    readings = []
    for encoding in _LEGACY:
        try:
            readings.append(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    best = max(readings, key=readable_share, default=None)  # max keeps the first of equals
    if best is None or readable_share(best) < _MIN_READABLE:
        raise UserError(message("errors.garbled_text", name=name))
    return best
