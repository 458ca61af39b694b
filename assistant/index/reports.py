"""Adding, removing and listing reports: the library folder changes and the index is refreshed
with it (only new passages are embedded). A file that cannot be used is reported in one sentence
and changes nothing; a failed refresh puts the library back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.config import Settings
from assistant.errors import UserError
from assistant.index.embedders import Embedder, make_embedder
from assistant.index.store import IndexInfo, Progress, build_index, read_info
from assistant.ingest.corpus import MANIFEST, Report, load_corpus, load_reports
from assistant.ingest.library import library_entries, prepare_report, text_hash, write_manifest
from assistant.lang.zh.messages import message


@dataclass
class AddOutcome:
    """What `add_reports` did: manifest entries added, (file name, sentence) for each file refused,
    and the refreshed index's build record (None when nothing was added)."""

    added: list[dict] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    info: IndexInfo | None = None


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
            entry, text = prepare_report(settings, path, known, taken, overrides)
        except UserError as exc:
            outcome.rejected.append((path.name, str(exc)))
            continue
        known[entry["sha256"]], texts[entry["file"]] = entry["id"], text
        taken.add(entry["id"])
        outcome.added.append(entry)
    if outcome.added:
        outcome.info = _commit(settings, library_entries(settings) + outcome.added, texts,
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
    entries = library_entries(settings)
    entry = next((e for e in entries if e.get("id") == report_id), None)
    if entry is None:
        if any(r.id == report_id for r in load_reports(settings.seeds_dir)):
            raise UserError(message("errors.remove_seed", report=report_id,
                                    manifest=settings.seeds_dir / MANIFEST))
        raise UserError(message("errors.no_such_report", report=report_id))
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
    library = {e.get("id") for e in library_entries(settings)}
    return [_listing(r, "library" if r.id in library else "seeds", indexed.get(r.id))
            for r in load_corpus(settings)]


def _listing(report: Report, origin: str, chunks: int | None) -> dict:
    return {"id": report.id, "title": report.title, "district": report.district,
            "years": list(report.years), "kind": report.kind, "origin": origin,
            "file": str(report.path), "source": report.extra.get("source", report.path.name),
            "chunks": chunks}
