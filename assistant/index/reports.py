"""Adding, removing and listing reports: the library folder changes and the index is refreshed
with it (only new passages are embedded). A file that cannot be used is reported in one sentence
and changes nothing; a failed refresh puts the library back. Each change holds the writer lock
from reading the library to publishing the index, so two writers never interleave; a change cut
short (a killed process) leaves an index older than the library, which the next command rebuilds."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.config import Settings
from assistant.errors import UserError
from assistant.index.embedders import Embedder, make_embedder
from assistant.index.lock import busy, writing
from assistant.index.store import IndexInfo, Progress, build_index, read_info, text_digest
from assistant.ingest.corpus import MANIFEST, Report, load_corpus, load_reports
from assistant.ingest.library import library_entries, prepare_report, text_hash, write_manifest
from assistant.ingest.metadata import infer_metadata
from assistant.lang.zh.messages import message


@dataclass
class AddOutcome:
    """What `add_reports` did: manifest entries added, (file name, sentence) for each file refused,
    the refreshed index's build record (None when nothing was indexed) and whether the index was
    behind the library before (an earlier change cut short, which this one finished)."""

    added: list[dict] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    info: IndexInfo | None = None
    finished_earlier: bool = False


Waiting = Callable[[], None] | None  # told once when another writer must finish first


def refresh_index(settings: Settings, embedder: Embedder, progress: Progress | None = None) -> IndexInfo:
    """Re-index seeds and library together; unchanged passages keep their vectors."""
    return build_index(settings, load_corpus(settings), embedder, progress)


def index_state(settings: Settings, corpus: Sequence[Report] | None = None) -> str:
    """"current" when the index holds exactly the reports of seeds and library (`corpus` when the
    caller has read it already; "current" too when they can't be read), "first" when there is no
    index yet, "stale" when they differ (an add or remove was cut short, or seeds changed)."""
    info = read_info(settings)
    if info is None:
        return "first"
    indexed = {(r["id"], r.get("sha256")) for r in info.reports}
    try:
        reports = load_corpus(settings) if corpus is None else corpus
        wanted: set[tuple[str, str | None]] = {(r.id, text_digest(r.text)) for r in reports}
    except UserError:  # a report file gone bad: keep answering from the intact index (`index` says why)
        return "current"
    if all(r.get("sha256") is None for r in info.reports):  # built before texts were recorded
        wanted = {(report_id, None) for report_id, _ in wanted}
    return "current" if indexed == wanted else "stale"


def ensure_index(settings: Settings, embedder: Embedder, progress: Progress | None = None,
                 on_build: Callable[[str], None] | None = None, on_wait: Waiting = None) -> str:
    """Build the index when there is none or it is behind the library; the state found, which
    `on_build` is told before building ("first" or "stale")."""
    state = index_state(settings)
    if state == "current" or state == "stale" and busy(settings):
        return state  # a writer at work is bringing the index up to date: answer from the current one
    with writing(settings, on_wait):
        state = index_state(settings)  # another writer may have just brought it up to date
        if state != "current":
            if on_build:
                on_build(state)
            refresh_index(settings, embedder, progress)
    return state


def add_reports(settings: Settings, paths: Sequence[Path], *, district: str | None = None,
                year: int | None = None, title: str | None = None, embedder: Embedder | None = None,
                progress: Progress | None = None, on_wait: Waiting = None) -> AddOutcome:
    """Add report files to the library and refresh the index. Files that cannot be used are listed
    in `rejected` with one sentence each and change nothing; the others are added."""
    with writing(settings, on_wait):
        return _add(settings, paths, {"district": district, "year": year, "title": title}, embedder, progress)


def _add(settings: Settings, paths: Sequence[Path], overrides: dict, embedder: Embedder | None,
         progress: Progress | None) -> AddOutcome:
    corpus = load_corpus(settings)
    known = {text_hash(r.text): r.id for r in corpus}
    taken = {r.id for r in corpus}
    outcome, texts = AddOutcome(finished_earlier=index_state(settings, corpus) == "stale"), {}
    for path in map(Path, paths):
        try:
            entry, text = prepare_report(settings, path, known, taken, overrides)
        except UserError as exc:
            outcome.rejected.append((path.name, str(exc)))
            continue
        known[entry["sha256"]], texts[entry["file"]] = entry["id"], text
        taken.add(entry["id"])
        outcome.added.append(entry)
    if outcome.added or outcome.finished_earlier:
        outcome.info = _commit(settings, library_entries(settings) + outcome.added, texts,
                               embedder, progress)
    return outcome


def _commit(settings: Settings, entries: list[dict], texts: dict[str, str],
            embedder: Embedder | None, progress: Progress | None) -> IndexInfo:
    """Write the new texts and manifest, refresh the index; on failure put the library back."""
    folder = settings.library_dir
    before = (folder / MANIFEST).read_bytes() if (folder / MANIFEST).exists() else None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in texts.items():
            (folder / name).write_text(text, encoding="utf-8")
        write_manifest(folder, entries)
        return refresh_index(settings, embedder or make_embedder(settings.embedder), progress)
    except BaseException as exc:
        for name in texts:
            (folder / name).unlink(missing_ok=True)
        if before is None:
            (folder / MANIFEST).unlink(missing_ok=True)
        else:
            (folder / MANIFEST).write_bytes(before)
        if isinstance(exc, OSError):  # a full disk or a read-only folder: the library is back as it was
            raise UserError(message("errors.folder_not_writable", folder=folder, reason=exc.strerror)) from None
        raise


def remove_report(settings: Settings, report_id: str, embedder: Embedder | None = None,
                  progress: Progress | None = None, on_wait: Waiting = None) -> IndexInfo:
    """Take an added report out of the library and the index (seed reports stay: edit seeds/)."""
    with writing(settings, on_wait):
        return _remove(settings, report_id, embedder, progress)


def _remove(settings: Settings, report_id: str, embedder: Embedder | None, progress: Progress | None) -> IndexInfo:
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


# What each editable field decides in a manifest entry (see ingest.metadata.infer_metadata).
_EDITED_FIELDS = {"district": ("district", "city", "aliases"), "title": ("title", "short_title", "kind"),
                  "year": ("years", "actual_year", "target_year", "actual_sections")}


def edit_report(settings: Settings, report_id: str, *, district: str | None = None, year: int | None = None,
                title: str | None = None, embedder: Embedder | None = None,
                progress: Progress | None = None, on_wait: Waiting = None) -> IndexInfo:
    """Correct an added report's place, year or title (a wrong guess when it was added) without
    removing and re-adding it: its manifest entry is rewritten and the index refreshed. Only its
    passages change: a new place or year changes their metadata and keeps their vectors; a new
    title is part of what is embedded (the heading context), so they are embedded again."""
    with writing(settings, on_wait):
        return _edit(settings, report_id, {"district": district, "title": title, "year": year}, embedder, progress)


def _edit(settings: Settings, report_id: str, edits: dict, embedder: Embedder | None,
          progress: Progress | None) -> IndexInfo:
    entries = library_entries(settings)
    entry = next((e for e in entries if e.get("id") == report_id), None)
    if entry is None:
        if any(r.id == report_id for r in load_reports(settings.seeds_dir)):
            raise UserError(message("errors.edit.seed", report=report_id, manifest=settings.seeds_dir / MANIFEST))
        raise UserError(message("errors.no_such_report", report=report_id))
    current: dict[str, str | int | None] = {"district": entry["district"], "title": entry["title"],
                                            "year": entry.get("target_year") or entry.get("actual_year")}
    wanted: dict[str, str | int | None] = {"district": (edits["district"] or "").strip(),
                                           "title": (edits["title"] or "").strip(), "year": edits["year"]}
    changed = [name for name, value in wanted.items() if value and value != current[name]]
    if not changed:
        raise UserError(message("errors.edit.nothing", report=report_id))
    text = (settings.library_dir / entry["file"]).read_text(encoding="utf-8")
    chosen = {name: wanted[name] if name in changed else current[name] for name in current}
    meta = infer_metadata(text, entry.get("source", entry["file"]), district=str(chosen["district"]),
                          year=int(chosen["year"]) if chosen["year"] else None, title=str(chosen["title"]))
    edited = entry | {key: meta[key] for name in changed for key in _EDITED_FIELDS[name]}
    return _commit(settings, [edited if e is entry else e for e in entries], {}, embedder, progress)
