"""What every loader returns, and the text decoding the plain-text formats share."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.errors import UserError
from assistant.lang.zh.messages import message


@dataclass(frozen=True)
class LoadedDocument:
    """A report's text as it will be saved (see ingest/layout.py) and the title the file gives itself."""

    text: str
    title: str = ""


def decode_text(data: bytes, name: str) -> str:
    """Text from UTF-8 (with or without BOM) or GB18030 bytes, newlines normalised to \\n."""
    if b"\x00" in data:
        raise UserError(message("errors.binary_text", name=name))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding).replace("\r\n", "\n").replace("\r", "\n")
        except UnicodeDecodeError:
            continue
    raise UserError(message("errors.unknown_encoding", name=name))

