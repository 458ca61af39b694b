"""Reports added by the user: their extracted texts and manifest in `settings.library_dir`.

Each added file is read by its loader, its text saved as `<id>.txt` (UTF-8, never edited again:
citations are offsets into it) and its metadata appended to the library's manifest.toml, which
`corpus.load_corpus` merges with the seeds. The index is then refreshed: only the new passages
are embedded. A file that cannot be used is reported in one sentence and changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.ingest.corpus import MANIFEST, Report, load_corpus, load_reports, read_manifest
from assistant.index.embedders import Embedder, make_embedder
from assistant.errors import UserError
from assistant.index.store import IndexInfo, Progress, build_index, read_info
from assistant.ingest.layout import as_text
from assistant.ingest.loaders.text import load_document
from assistant.ingest.metadata import infer_metadata
from assistant.config import Settings

_FIELDS = ("id", "file", "title", "short_title", "district", "aliases", "city", "years", "kind",
           "actual_sections", "actual_year", "target_year", "source", "sha256", "added")


@dataclass
class AddOutcome:
    """What `add_reports` did: manifest entries added, (file name, sentence) for each file refused,
    and the refreshed index's build record (None when nothing was added)."""

    added: list[dict] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    info: IndexInfo | None = None


def text_hash(text: str) -> str:
    """The content hash that identifies a report's text (duplicates are refused by it); taken over
    the text as loaders save it, so blank lines and indentation do not hide a duplicate."""
    return hashlib.sha256(as_text(text.splitlines()).encode("utf-8")).hexdigest()


def _toml_value(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(f"cannot write {value!r} to the manifest")
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)


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


def _library_entries(settings: Settings) -> list[dict]:
    manifest = settings.library_dir / MANIFEST
    return read_manifest(manifest) if manifest.exists() else []


def _new_id(path: Path, digest: str, taken: set[str]) -> str:
    """A readable id from the file name when it has ASCII words, else from the content hash (a
    Chinese name like 西湖区2024年工作计划 would leave only "2024"); never reused."""
    slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")[:40]
    candidate = slug if len(slug) >= 3 and re.search("[a-z]", slug) else f"report-{digest[:8]}"
    return candidate if candidate not in taken else f"{candidate}-{digest[:6]}"


def _prepare(settings: Settings, path: Path, known: dict[str, str], taken: set[str],
             overrides: dict) -> tuple[dict, str]:
    """The manifest entry and text for one file, or a UserError sentence saying why it is refused."""
    document = load_document(path, settings.max_report_mb * 2**20)
    digest = text_hash(document.text)
    if digest in known:
        raise UserError(f"{path.name} has the same text as report {known[digest]}, which is already added.")
    meta = infer_metadata(document.text, path.name, document.title, **overrides)
    report_id = _new_id(path, digest, taken)
    entry = {"id": report_id, "file": f"{report_id}.txt", **meta, "source": path.name,
             "sha256": digest, "added": time.strftime("%Y-%m-%d %H:%M")}
    return entry, document.text


def refresh_index(settings: Settings, embedder: Embedder, progress: Progress | None = None) -> IndexInfo:
    """Re-index seeds and library together; unchanged passages keep their vectors."""
    return build_index(settings, load_corpus(settings), embedder, progress)


def add_reports(settings: Settings, paths: Sequence[Path], *, district: str | None = None,
                year: int | None = None, title: str | None = None, embedder: Embedder | None = None,
                progress: Progress | None = None) -> AddOutcome:
    """Add report files to the library and refresh the index. Files that cannot be used are listed
    in `rejected` with one sentence each and change nothing; the others are added."""
    corpus = load_corpus(settings)
    known = {text_hash(r.text): r.id for r in corpus}
    taken = {r.id for r in corpus}
    overrides = {"district": district, "year": year, "title": title}
    outcome, texts = AddOutcome(), {}
    for path in map(Path, paths):
        try:
            entry, text = _prepare(settings, path, known, taken, overrides)
        except UserError as exc:
            outcome.rejected.append((path.name, str(exc)))
            continue
        known[entry["sha256"]], texts[entry["file"]] = entry["id"], text
        taken.add(entry["id"])
        outcome.added.append(entry)
    if outcome.added:
        outcome.info = _commit(settings, _library_entries(settings) + outcome.added, texts,
                               embedder, progress)
    return outcome


def _commit(settings: Settings, entries: list[dict], texts: dict[str, str],
            embedder: Embedder | None, progress: Progress | None) -> IndexInfo:
    """Write the new texts and manifest, refresh the index; on failure put the library back."""
    folder = settings.library_dir
    before = (folder / MANIFEST).read_bytes() if (folder / MANIFEST).exists() else None
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    try:
        write_manifest(folder, entries)
        return refresh_index(settings, embedder or make_embedder(settings.embedder), progress)
    except BaseException:
        for name in texts:
            (folder / name).unlink(missing_ok=True)
        if before is None:
            (folder / MANIFEST).unlink(missing_ok=True)
        else:
            (folder / MANIFEST).write_bytes(before)
        raise


def remove_report(settings: Settings, report_id: str, embedder: Embedder | None = None,
                  progress: Progress | None = None) -> IndexInfo:
    """Take an added report out of the library and the index (seed reports stay: edit seeds/)."""
    entries = _library_entries(settings)
    entry = next((e for e in entries if e.get("id") == report_id), None)
    if entry is None:
        if any(r.id == report_id for r in load_reports(settings.seeds_dir)):
            raise UserError(f"{report_id} is a seed report; remove it from "
                            f"{settings.seeds_dir / MANIFEST} instead.")
        raise UserError(f"No added report has the id {report_id}; 'assistant list' shows the ids.")
    remaining = [e for e in entries if e is not entry]
    write_manifest(settings.library_dir, remaining)
    try:
        info = refresh_index(settings, embedder or make_embedder(settings.embedder), progress)
    except BaseException:
        write_manifest(settings.library_dir, entries)
        raise
    (settings.library_dir / entry["file"]).unlink(missing_ok=True)
    return info


def list_reports(settings: Settings) -> list[dict]:
    """Every report with where it comes from ("seeds" or "library") and its indexed passage count
    (None when it is not in the current index)."""
    try:
        indexed = {r["id"]: r.get("chunks") for r in (read_info(settings) or IndexInfo(0, "", 0, "", 0, []))
                   .reports}
    except UserError:
        indexed = {}
    library = {e.get("id") for e in _library_entries(settings)}
    return [_listing(r, "library" if r.id in library else "seeds", indexed.get(r.id))
            for r in load_corpus(settings)]


def _listing(report: Report, origin: str, chunks: int | None) -> dict:
    return {"id": report.id, "title": report.title, "district": report.district,
            "years": list(report.years), "kind": report.kind, "origin": origin,
            "file": str(report.path), "source": report.extra.get("source", report.path.name),
            "chunks": chunks}
