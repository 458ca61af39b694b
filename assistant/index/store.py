"""The persisted index: chunks, the keyword index and a Chroma collection, in versioned builds.

Layout under `settings.index_dir`:
  CURRENT                      the name of the build readers use, replaced in one rename
  builds/<name>/info.json      how it was built (embedder, chunking, reports) and its parts' checksums
  builds/<name>/chunks.jsonl   every chunk with its metadata and exact text
  builds/<name>/keyword/       bm25s files
  builds/<name>/readers.lock   readers hold it shared while they answer from this build
  journal/                     vectors an interrupted build embedded (cleared when a build finishes)
  chroma/                      the embedded Chroma store (unless `chroma_url` points at a server)
A build (under the writer lock) writes a new folder and a Chroma collection of the same name, then
points CURRENT at it: readers see the old build or the new one, whole, never a mix. Old builds are
deleted once no reader holds them; a rebuild re-embeds only passages whose text changed.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.errors import UserError
from assistant.index.embedders import Embedder
from assistant.index.journal import VectorJournal
from assistant.index.keyword import KeywordIndex
from assistant.index.lock import READERS_FILE, BuildGone, ReaderHold, delete_unheld, writing
from assistant.index.split import Chunk, split_report
from assistant.index.vectors import chroma_client as _chroma_client
from assistant.index.vectors import chroma_error, get_collection, nearest, same_kind_of_store, store_of
from assistant.ingest.corpus import Report
from assistant.lang.zh import lexicon
from assistant.lang.zh.messages import message

FORMAT = 1
POINTER = "CURRENT"
BUILDS = "builds"
RETRIES = 100  # a reader re-reads the pointer this often before calling the index damaged
LEGACY = ("current", "previous", "building")  # the single-folder layout of earlier versions
STORE_BATCH = 1024  # passages added to Chroma at a time: bounded memory, few calls
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class IndexInfo:
    """How and when an index was built; checked before every query."""

    format: int
    embedder: str
    chunk_chars: int
    collection: str
    built_at: float
    reports: list[dict]
    embedded: int = 0  # passages embedded by the build that made it (the rest were reused)
    store: str = ""  # where the vectors are: a Chroma server's URL or "embedded" ("" before this field)
    count: int = -1  # passages in the build (-1: built before this was recorded)
    parts: dict[str, list] = field(default_factory=dict)  # file -> [bytes, sha256], checked on opening


def _previous_collection(client, old: IndexInfo | None, settings: Settings):
    """The current index's collection when its vectors can be reused, else None."""
    if old is None or not same_kind_of_store(old.store, settings):
        return None
    try:
        return get_collection(client, old.collection, settings)
    except UserError:
        return None


def current_build(settings: Settings) -> Path | None:
    """The folder of the build readers should use; None when nothing was built yet."""
    try:
        name = (settings.index_dir / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        legacy = [settings.index_dir / part for part in LEGACY[:2]]
        return next((folder for folder in legacy if (folder / "info.json").exists()), None)
    except OSError:
        raise UserError(message("errors.index_damaged", folder=settings.index_dir)) from None
    return settings.index_dir / BUILDS / name


def read_info(settings: Settings, folder: Path | None = None) -> IndexInfo | None:
    """A build's record (the current build's by default); None when nothing was built yet."""
    folder = folder or current_build(settings)
    if folder is None:
        return None
    try:
        return IndexInfo(**json.loads((folder / "info.json").read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        raise UserError(message("errors.index_damaged", folder=settings.index_dir)) from None


def _embed_new(chunks: Sequence[Chunk], embedder: Embedder, reuse: Callable[[list[str]], dict],
               journal: VectorJournal, progress: Progress | None
               ) -> Iterator[tuple[list[Chunk], np.ndarray, int]]:
    """Batches of (chunks, vectors, newly embedded count). Vectors come from the journal of an
    interrupted build, then the previous index, and only then from the embedder; what is embedded
    is journalled at once, so a build stopped at any point resumes from its last batch."""
    size = embedder.batch_size
    for i in range(0, len(chunks), size):
        batch = list(chunks[i:i + size])
        ids = [c.id for c in batch]
        known = journal.known(ids)
        known |= reuse([cid for cid in ids if cid not in known]) if len(known) < len(ids) else {}
        todo = [c for c in batch if c.id not in known]
        if todo:
            fresh = embedder.embed_passages([c.embed_text for c in todo])
            journal.append([c.id for c in todo], fresh)
            known |= {c.id: v for c, v in zip(todo, fresh, strict=True)}
        if progress:
            progress(min(i + size, len(chunks)), len(chunks))
        yield batch, np.stack([np.asarray(known[c.id], dtype=np.float32) for c in batch]), len(todo)


def _store(collection, pending: list[tuple[list[Chunk], np.ndarray]]) -> None:
    """Add the buffered batches to the collection in one call (Chroma's cost is mostly per call)."""
    if pending:
        batch = [c for chunks, _ in pending for c in chunks]
        collection.add(ids=[c.id for c in batch], embeddings=np.concatenate([v for _, v in pending]),
                       documents=[c.text for c in batch], metadatas=[c.metadata() for c in batch])
        pending.clear()


def _reuser(collection) -> Callable[[list[str]], dict]:
    """Vectors by id from the previous index's collection (nothing when there is none)."""
    def reuse(ids: list[str]) -> dict:
        if collection is None or not ids:
            return {}
        got = collection.get(ids=ids, include=["embeddings"])
        return dict(zip(got["ids"], got["embeddings"], strict=True))
    return reuse


def build_index(settings: Settings, reports: Sequence[Report], embedder: Embedder,
                progress: Progress | None = None, on_wait: Callable[[], None] | None = None) -> IndexInfo:
    """Split, embed and store every report as a new build, then point readers at it. Memory stays
    bounded: vectors are embedded, journalled and stored one batch at a time. A failure (a full
    disk included) leaves the current build serving and says so in one sentence."""
    with writing(settings, on_wait):
        try:
            return _build(settings, reports, embedder, progress)
        except (OSError, chroma_error()) as exc:
            raise UserError(message("errors.build_failed", folder=settings.index_dir,
                                    reason=getattr(exc, "strerror", None) or exc)) from None


def _build(settings: Settings, reports: Sequence[Report], embedder: Embedder, progress: Progress | None) -> IndexInfo:
    chunks = [c for r in reports for c in split_report(r, settings.chunk_chars)]
    client = _chroma_client(settings)
    old = _reusable_info(settings, embedder)
    reuse = _reuser(_previous_collection(client, old, settings))
    journal = VectorJournal(settings.index_dir / "journal", embedder.id)
    name = f"chunks-{uuid.uuid4().hex[:12]}"  # the build folder and its collection share the name
    folder = settings.index_dir / BUILDS / name
    folder.mkdir(parents=True)
    (folder / READERS_FILE).touch()
    collection = client.create_collection(name, embedding_function=None, metadata={"hnsw:space": "cosine"})
    try:
        embedded, pending = 0, []
        for batch, vectors, count in _embed_new(chunks, embedder, reuse, journal, progress):
            pending.append((batch, vectors))
            embedded += count
            if sum(len(b) for b, _ in pending) >= STORE_BATCH:
                _store(collection, pending)
        _store(collection, pending)
        info = IndexInfo(FORMAT, embedder.id, settings.chunk_chars, name, time.time(),
                         [_report_summary(r, chunks) for r in reports], embedded, store_of(settings), len(chunks))
        info = _write_build(folder, chunks, info)
        _publish(settings, name)
    except BaseException:  # the journal keeps what was embedded; a killed build is collected later
        _delete_build(client, {name}, folder)
        raise
    journal.clear()
    _collect_garbage(settings, client)
    return info


def drop_index(settings: Settings, *, damaged: bool = False) -> None:
    """Delete every build, its vectors and any build journal (the next build starts afresh). With
    `damaged`, an embedded Chroma store that can't be opened is deleted whole."""
    with writing(settings):
        (settings.index_dir / POINTER).unlink(missing_ok=True)
        try:
            client = _chroma_client(settings)
            names = {c.name for c in client.list_collections()}
        except chroma_error():
            if not damaged or settings.chroma_url:
                raise UserError(message("errors.index_damaged", folder=settings.index_dir)) from None
            _forget_embedded_store(settings)
            client, names = None, set()
        for build in _builds(settings):
            delete_unheld(build, functools.partial(_delete_build, client, names, build))
        for part in (*LEGACY, "journal"):
            shutil.rmtree(settings.index_dir / part, ignore_errors=True)


def _forget_embedded_store(settings: Settings) -> None:
    """Delete an embedded Chroma store that can't be opened, and this process's handle on it."""
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
    shutil.rmtree(settings.index_dir / "chroma", ignore_errors=True)


def _builds(settings: Settings) -> list[Path]:
    folder = settings.index_dir / BUILDS
    return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.exists() else []


def _delete_build(client, names: set[str], build: Path) -> None:
    if client is not None and build.name in names:
        client.delete_collection(build.name)
    shutil.rmtree(build, ignore_errors=True)


def _collect_garbage(settings: Settings, client) -> None:
    """Delete the builds (and collections) no reader holds, except the current one; a build a
    reader still holds is left for a later build to delete."""
    current = current_build(settings)
    names = {c.name for c in client.list_collections()}
    for build in _builds(settings):
        if build != current:
            delete_unheld(build, functools.partial(_delete_build, client, names, build))
    for part in LEGACY:  # readers of earlier versions held no locks; theirs is the old layout
        legacy = settings.index_dir / part
        if legacy.exists():
            old = read_info(settings, legacy) if (legacy / "info.json").exists() else None
            if old and old.collection in names:
                client.delete_collection(old.collection)
            shutil.rmtree(legacy, ignore_errors=True)


def _reusable_info(settings: Settings, embedder: Embedder) -> IndexInfo | None:
    """The current index's record if its vectors can be reused by this embedder."""
    try:
        info = read_info(settings)
    except UserError:
        return None
    return info if info and info.embedder == embedder.id else None


def _report_summary(report: Report, chunks: Sequence[Chunk]) -> dict:
    return {"id": report.id, "title": report.title, "district": report.district,
            "years": list(report.years), "file": report.path.name,
            "chunks": sum(c.doc_id == report.id for c in chunks), "sha256": text_digest(report.text)}


def text_digest(text: str) -> str:
    """What a report's text is, for telling whether the index still matches the library."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _checksums(folder: Path) -> dict[str, list]:
    """[bytes, sha256] of every file of a build but its info and lock."""
    parts = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in ("info.json", READERS_FILE)):
        parts[path.relative_to(folder).as_posix()] = [path.stat().st_size,
                                                      hashlib.sha256(path.read_bytes()).hexdigest()]
    return parts


def _write_build(folder: Path, chunks: Sequence[Chunk], info: IndexInfo) -> IndexInfo:
    """Write a build's files, then its record with their checksums, each flushed to disk."""
    with open(folder / "chunks.jsonl", "w", encoding="utf-8") as out:
        out.writelines(json.dumps(asdict(chunk), ensure_ascii=False) + "\n" for chunk in chunks)
    KeywordIndex.build(c.embed_text for c in chunks).save(folder / "keyword")
    info = dataclasses.replace(info, parts=_checksums(folder))
    _write_synced(folder / "info.json", json.dumps(asdict(info), ensure_ascii=False, indent=1))
    return info


def _write_synced(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())


def _publish(settings: Settings, name: str) -> None:
    """Point readers at build `name`: one rename, so they see the old pointer or the new one."""
    temporary = settings.index_dir / (POINTER + ".tmp")
    _write_synced(temporary, name)
    temporary.replace(settings.index_dir / POINTER)


def _hold_current(settings: Settings) -> tuple[Path, ReaderHold]:
    """The current build's folder, held against deletion; retried when a writer deleted the build
    between reading the pointer and holding it (it only deletes builds that are no longer current)."""
    for _ in range(RETRIES):
        folder = current_build(settings)
        if folder is None:
            raise UserError(message("errors.no_index", folder=settings.index_dir))
        try:
            return folder, ReaderHold(folder)
        except BuildGone:
            continue
    raise UserError(message("errors.index_damaged", folder=settings.index_dir))


class StoredIndex:
    """An opened index: chunks by position, BM25 over them, and their Chroma collection."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.folder, self.hold = _hold_current(settings)
        info = read_info(settings, self.folder)
        assert info is not None  # _hold_current found its record
        if info.embedder != embedder.id:
            raise UserError(message("errors.index_other_embedder", built=info.embedder, wanted=embedder.id))
        if not same_kind_of_store(info.store, settings):
            raise UserError(message("errors.index_other_store", folder=settings.index_dir, built=info.store,
                                    wanted=store_of(settings)))
        damaged = UserError(message("errors.index_damaged", folder=settings.index_dir))
        if _checksums(self.folder) != info.parts and info.parts:
            raise damaged  # a part cut short, emptied or changed since the build wrote it
        try:
            lines = (self.folder / "chunks.jsonl").read_text(encoding="utf-8").splitlines()
            self.chunks = [Chunk(**json.loads(line)) for line in lines]
            self.keyword = KeywordIndex.load(self.folder / "keyword")
        except (OSError, ValueError, TypeError, KeyError):  # an unreadable part: the index can't be trusted
            raise damaged from None
        try:
            self.collection = get_collection(_chroma_client(settings), info.collection, settings)
            stored = self.collection.count()
        except chroma_error():  # the Chroma file is corrupt or unreadable
            raise damaged from None
        if info.count >= 0 and not len(self.chunks) == stored == info.count:
            raise damaged
        self.info = info
        self.position = {c.id: i for i, c in enumerate(self.chunks)}
        self._district_code = {name: code for code, name in enumerate(sorted({c.district for c in self.chunks}))}
        self._district_codes = np.array([self._district_code[c.district] for c in self.chunks], dtype=np.int32)
        self._periods = np.array([c.period for c in self.chunks])
        # A report is named by its latest year ("2025年政府工作报告" reviews 2024 and plans 2025).
        report_years = {r["id"]: max(r.get("years") or [0]) for r in info.reports}
        self._report_years = np.array([report_years.get(c.doc_id, 0) for c in self.chunks], dtype=np.int32)

    def mask(self, districts: Sequence[str] = (), period: str | None = None,
             year: int | None = None, report_year: int | None = None) -> np.ndarray:
        """1.0 for the chunks in `districts` (all when empty), of `period` (any when None), about
        `year` (any when None) and in a report of `report_year` (any when None), else 0.0; from
        arrays built once, not a Python loop per question."""
        keep = np.ones(len(self.chunks), dtype=bool)
        if year is not None:
            keep &= self._year_mask(year)
        if report_year is not None:
            keep &= self._report_years == report_year
        if districts:
            wanted = [self._district_code[d] for d in districts if d in self._district_code]
            keep &= np.isin(self._district_codes, wanted)
        if period is not None:
            keep &= self._periods == period
        return keep.astype(np.float32)

    @functools.cache  # noqa: B019 (one index, a few dozen years: the cache lives as long as the index)
    def _year_mask(self, year: int) -> np.ndarray:
        """Chunks of `year` (their section reports or plans it) or whose text states it (2030目标)."""
        stated = lexicon.phrase("year", year=year)
        return np.array([c.year == year or stated in c.text for c in self.chunks], dtype=bool)

    def nearest(self, vector: np.ndarray, mask: np.ndarray, k: int) -> dict[int, float]:
        """Cosine similarity by chunk position of the `k` chunks nearest to `vector` among those
        `mask` keeps (see chroma_store.nearest)."""
        kept = np.flatnonzero(mask)
        ids = None if len(kept) == len(self.chunks) else [self.chunks[i].id for i in kept]
        found = nearest(self.collection, vector, ids, min(k, len(kept)))
        return {self.position[cid]: score for cid, score in found.items() if cid in self.position}
