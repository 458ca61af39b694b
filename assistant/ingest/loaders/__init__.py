"""Report files read into the plain text that is saved, split and cited: one module per format
(text, markdown, html, docx, pdf), each declaring its SUFFIXES, its MAGIC first bytes (None for
text formats) and LOAD(data, name, limits). `load_document` checks a file and hands it to its loader;
adding a format is adding one module here. Text formats are no bigger than their file; the packed
ones (docx, pdf) unpack within `limits` (base.Limits), so a bomb is refused before it is inflated."""

from __future__ import annotations

import importlib
import os
import pkgutil
from pathlib import Path
from types import ModuleType

from assistant.errors import UserError
from assistant.ingest.loaders.base import Limits, LoadedDocument
from assistant.lang.zh.messages import listing, message

_NOT_LOADERS = {"base"}
# First bytes of formats we recognise but do not read, so a renamed file is named for what it is.
_OTHER_MAGIC = {b"\xd0\xcf\x11\xe0": "old Word .doc"}


def _loaders() -> dict[str, ModuleType]:
    """Suffix -> loader module, for every module of this package but base."""
    found: dict[str, ModuleType] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name not in _NOT_LOADERS:
            module = importlib.import_module(f"{__name__}.{info.name}")
            found.update({suffix: module for suffix in module.SUFFIXES})
    return found


LOADERS = _loaders()
SUFFIXES = tuple(LOADERS)


def _kind_of_bytes(head: bytes) -> str | None:
    """The binary format a file's first bytes announce, if any."""
    magic = {m.MAGIC: m.__name__.rsplit(".", 1)[-1].upper() for m in LOADERS.values() if m.MAGIC}
    return next((kind for sig, kind in {**magic, **_OTHER_MAGIC}.items() if head.startswith(sig)), None)


def _check_file(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, once it is known to exist, hold something, fit the limit and be of a
    supported kind. The size is checked before reading, and the read itself stops one byte past
    the limit, so a huge file (or one growing meanwhile) is never read whole just to be refused."""
    if not path.exists():
        raise UserError(message("errors.file_missing", path=path))
    if not path.is_file():
        raise UserError(message("errors.not_a_file", path=path))
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        key = "errors.old_word_file" if suffix == ".doc" else \
            "errors.unsupported_type" if suffix else "errors.no_extension"
        raise UserError(message(key, name=path.name, suffix=suffix, suffixes=listing(SUFFIXES)))
    try:
        with path.open("rb") as file:
            size = os.fstat(file.fileno()).st_size
            data = file.read(max_bytes + 1) if size <= max_bytes else b""
    except OSError as exc:
        raise UserError(message("errors.cannot_read", path=path, reason=exc.strerror)) from None
    size = max(size, len(data))
    if size > max_bytes:
        raise UserError(message("errors.file_too_large", name=path.name, size_mb=size / 2**20,
                                limit_mb=max_bytes / 2**20))
    if not data:
        raise UserError(message("errors.file_empty", name=path.name))
    found = _kind_of_bytes(data[:8])
    expected = suffix.lstrip(".").upper() if LOADERS[suffix].MAGIC else None
    if found != expected:
        key = "errors.file_is_other_kind" if found else "errors.file_not_of_kind"
        raise UserError(message(key, name=path.name, kind=found or expected, suffix=suffix))
    return data


def load_document(path: Path, max_bytes: int = 50 * 2**20) -> LoadedDocument:
    """The text of a report file, or a UserError sentence saying why it cannot be used. Every
    limit on what its loader may unpack (base.Limits) derives from `max_bytes`."""
    data = _check_file(path, max_bytes)
    document = LOADERS[path.suffix.lower()].LOAD(data, path.name, Limits(max_bytes))
    if not document.text.strip():
        raise UserError(message("errors.file_no_text", name=path.name))
    return document


__all__ = ["LOADERS", "SUFFIXES", "Limits", "LoadedDocument", "load_document"]
