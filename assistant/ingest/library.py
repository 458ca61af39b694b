"""The library folder (`settings.library_dir`): reports added by the user, as extracted texts and
a manifest.toml that `ingest.corpus.load_corpus` merges with the seeds.

Each added file is read by its loader, its text saved as `<id>.txt` (UTF-8, never edited again:
citations are offsets into it) and described by a manifest entry. Adding and removing reports,
which also refreshes the index, is `index.reports`.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Sequence
from pathlib import Path

from assistant.config import Settings
from assistant.errors import UserError
from assistant.ingest.corpus import MANIFEST, read_manifest
from assistant.ingest.layout import as_text
from assistant.ingest.loaders import load_document
from assistant.ingest.metadata import infer_metadata
from assistant.lang.zh.messages import message

_FIELDS = ("id", "file", "title", "short_title", "district", "aliases", "city", "years", "kind",
           "actual_sections", "actual_year", "target_year", "source", "sha256", "added")


def text_hash(text: str) -> str:
    """The content hash that identifies a report's text (duplicates are refused by it); taken over
    the text as loaders save it, so blank lines and indentation do not hide a duplicate."""
    return hashlib.sha256(as_text(text.splitlines()).encode("utf-8")).hexdigest()


# The span a report's year given by hand must fall in: a year outside (99999, 24) is a typo, and
# would file the report under a year no question ever names.
FIRST_YEAR, LAST_YEAR = 1900, 2100
# TOML basic strings must escape U+0000–U+001F and U+007F; JSON escapes all but DEL. A lone
# surrogate (a file name's undecodable byte, kept by Python as U+DC80–U+DCFF) has no TOML form at all.
_TOML_UNESCAPED = re.compile("[\x7f\ud800-\udfff]")


def check_year(year: int | None) -> None:
    """A UserError sentence when a year given by hand is outside the plausible span."""
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        raise UserError(message("errors.untrusted.year_range", year=year, first=FIRST_YEAR, last=LAST_YEAR))


def _toml_value(value: object) -> str:
    """`value` as TOML: a JSON string is a TOML basic string once DEL is escaped too and a lone
    surrogate replaced (U+FFFD), so any file name or title reads back as written."""
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(f"cannot write {value!r} to the manifest")
    if isinstance(value, int):
        return str(value)
    return _TOML_UNESCAPED.sub(lambda m: "\\u007f" if m.group() == "\x7f" else "\ufffd",
                               json.dumps(value, ensure_ascii=False))


def write_manifest(folder: Path, entries: Sequence[dict]) -> None:
    """The library manifest with `entries`, replaced in one rename (a crash leaves the old one)."""
    folder.mkdir(parents=True, exist_ok=True)
    parts = ["# Reports added with `assistant add`. Each file is the text extracted from `source`;\n",
             "# never edit it: citations are offsets into it.\n"]
    for entry in entries:
        keys = [k for k in _FIELDS if entry.get(k) is not None] + \
               sorted(k for k in entry if k not in _FIELDS and entry[k] is not None)
        parts.append("\n[[report]]\n" + "".join(f"{k} = {_toml_value(entry[k])}\n" for k in keys))
    temporary = folder / (MANIFEST + ".tmp")
    temporary.write_text("".join(parts), encoding="utf-8")
    temporary.replace(folder / MANIFEST)


def library_entries(settings: Settings) -> list[dict]:
    manifest = settings.library_dir / MANIFEST
    return read_manifest(manifest) if manifest.exists() else []


def _new_id(path: Path, digest: str, taken: set[str]) -> str:
    """A readable id from the file name when it has ASCII words, else from the content hash (a
    Chinese name like 某某区2024年工作计划 would leave only "2024"); never reused."""
    slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")[:40]
    candidate = slug if len(slug) >= 3 and re.search("[a-z]", slug) else f"report-{digest[:8]}"
    return candidate if candidate not in taken else f"{candidate}-{digest[:6]}"


def prepare_report(settings: Settings, path: Path, known: dict[str, str], taken: set[str],
             overrides: dict) -> tuple[dict, str]:
    """The manifest entry and text for one file, or a UserError sentence saying why it is refused."""
    check_year(overrides.get("year"))
    document = load_document(path, settings.max_report_mb * 2**20)
    digest = text_hash(document.text)
    if digest in known:
        raise UserError(message("errors.duplicate_report", name=path.name, report=known[digest]))
    meta = infer_metadata(document.text, path.name, document.title, **overrides)
    report_id = _new_id(path, digest, taken)
    entry = {"id": report_id, "file": f"{report_id}.txt", **meta, "source": path.name,
             "sha256": digest, "added": time.strftime("%Y-%m-%d %H:%M")}
    return entry, document.text
