"""The persisted index: chunks, the keyword index and a Chroma collection, built atomically.

Layout under `settings.index_dir`:
  current/info.json     how the index was built (embedder, chunking, collection, reports)
  current/chunks.jsonl  every chunk with its metadata and exact text
  current/keyword/      bm25s files
  journal/              vectors an interrupted build embedded (cleared when a build finishes)
  chroma/               the embedded Chroma store (unless `chroma_url` points at a server)
A build writes `building/` and a new collection, then swaps them in: an interrupted build leaves
the previous index answering, and a rebuild re-embeds only passages whose text changed.
"""

from __future__ import annotations

import functools
import json
import shutil
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.errors import UserError
from assistant.index.embedders import Embedder
from assistant.index.journal import VectorJournal
from assistant.index.keyword import KeywordIndex
from assistant.index.split import Chunk, split_report
from assistant.index.vectors import chroma_client as _chroma_client
from assistant.index.vectors import get_collection, nearest, same_kind_of_store, store_of
from assistant.ingest.corpus import Report
from assistant.lang.zh import lexicon
from assistant.lang.zh.messages import message

FORMAT = 1
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


def _previous_collection(client, old: IndexInfo | None, settings: Settings):
    """The current index's collection when its vectors can be reused, else None."""
    if old is None or not same_kind_of_store(old.store, settings):
        return None
    try:
        return get_collection(client, old.collection, settings)
    except UserError:
        return None


def _current(settings: Settings) -> Path:
    return settings.index_dir / "current"


def read_info(settings: Settings) -> IndexInfo | None:
    """The current index's build record; None when nothing was built yet."""
    _recover_interrupted_swap(settings)
    path = _current(settings) / "info.json"
    if not _current(settings).exists():
        return None
    try:
        return IndexInfo(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        raise UserError(message("errors.index_damaged", folder=settings.index_dir)) from None


def _recover_interrupted_swap(settings: Settings) -> None:
    """A crash between the two renames of a swap leaves only `previous/`: put it back."""
    previous = settings.index_dir / "previous"
    if previous.exists() and not _current(settings).exists():
        previous.rename(_current(settings))


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
                progress: Progress | None = None) -> IndexInfo:
    """Split, embed and store every report, then swap the new index in at once. Memory stays
    bounded: vectors are embedded, journalled and stored one batch at a time."""
    chunks = [c for r in reports for c in split_report(r, settings.chunk_chars)]
    client = _chroma_client(settings)
    old = _reusable_info(settings, embedder)
    previous = _previous_collection(client, old, settings)
    reuse = _reuser(previous)
    journal = VectorJournal(settings.index_dir / "journal", embedder.id)
    name = f"chunks-{uuid.uuid4().hex[:12]}"
    collection = client.create_collection(name, embedding_function=None,
                                          metadata={"hnsw:space": "cosine"})
    embedded, pending = 0, []
    try:
        for batch, vectors, count in _embed_new(chunks, embedder, reuse, journal, progress):
            pending.append((batch, vectors))
            embedded += count
            if sum(len(b) for b, _ in pending) >= STORE_BATCH:
                _store(collection, pending)
        _store(collection, pending)
        info = IndexInfo(FORMAT, embedder.id, settings.chunk_chars, name, time.time(),
                         [_report_summary(r, chunks) for r in reports], embedded, store_of(settings))
        _write_and_swap(settings, chunks, info)
    except BaseException:
        client.delete_collection(name)
        raise
    journal.clear()
    if previous is not None:
        client.delete_collection(previous.name)
    return info


def drop_index(settings: Settings) -> None:
    """Delete the current index, its vectors and any build journal (the next build starts afresh)."""
    info = read_info(settings)
    if info is not None:
        client = _chroma_client(settings)
        if info.collection in {c.name for c in client.list_collections()}:
            client.delete_collection(info.collection)
    for part in ("current", "previous", "building", "journal"):
        shutil.rmtree(settings.index_dir / part, ignore_errors=True)


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
            "chunks": sum(c.doc_id == report.id for c in chunks)}


def _write_and_swap(settings: Settings, chunks: Sequence[Chunk], info: IndexInfo) -> None:
    """Write the new files beside the current index, then rename them into place."""
    building = settings.index_dir / "building"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    with open(building / "chunks.jsonl", "w", encoding="utf-8") as out:
        out.writelines(json.dumps(asdict(chunk), ensure_ascii=False) + "\n" for chunk in chunks)
    KeywordIndex.build(c.embed_text for c in chunks).save(building / "keyword")
    (building / "info.json").write_text(json.dumps(asdict(info), ensure_ascii=False, indent=1),
                                        encoding="utf-8")
    current, previous = _current(settings), settings.index_dir / "previous"
    shutil.rmtree(previous, ignore_errors=True)
    if current.exists():
        current.rename(previous)
    building.rename(current)
    shutil.rmtree(previous, ignore_errors=True)


class StoredIndex:
    """An opened index: chunks by position, BM25 over them, and their Chroma collection."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        info = read_info(settings)
        if info is None:
            raise UserError(message("errors.no_index", folder=settings.index_dir))
        if info.embedder != embedder.id:
            raise UserError(message("errors.index_other_embedder", built=info.embedder, wanted=embedder.id))
        if not same_kind_of_store(info.store, settings):
            raise UserError(message("errors.index_other_store", folder=settings.index_dir, built=info.store,
                                    wanted=store_of(settings)))
        folder = _current(settings)
        try:
            lines = (folder / "chunks.jsonl").read_text(encoding="utf-8").splitlines()
            self.chunks = [Chunk(**json.loads(line)) for line in lines]
            self.keyword = KeywordIndex.load(folder / "keyword")
        except (OSError, ValueError, TypeError, KeyError):  # an unreadable part: the index can't be trusted
            raise UserError(message("errors.index_damaged", folder=settings.index_dir)) from None
        self.collection = get_collection(_chroma_client(settings), info.collection, settings)
        self.info = info
        self.position = {c.id: i for i, c in enumerate(self.chunks)}
        self._district_code = {name: code for code, name in enumerate(sorted({c.district for c in self.chunks}))}
        self._district_codes = np.array([self._district_code[c.district] for c in self.chunks], dtype=np.int32)
        self._periods = np.array([c.period for c in self.chunks])

    def mask(self, districts: Sequence[str] = (), period: str | None = None,
             year: int | None = None) -> np.ndarray:
        """1.0 for the chunks in `districts` (all when empty), of `period` (any when None) and about
        `year` (any when None), else 0.0; from arrays built once, not a Python loop per question."""
        keep = np.ones(len(self.chunks), dtype=bool)
        if year is not None:
            keep &= self._year_mask(year)
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
