"""The persisted index: chunks, the keyword index and a Chroma collection, built atomically.

Layout under `settings.index_dir`:
  current/info.json     how the index was built (embedder, chunking, collection, reports)
  current/chunks.jsonl  every chunk with its metadata and exact text
  current/keyword/      bm25s files
  chroma/               the embedded Chroma store (unless `chroma_url` points at a server)
A build writes `building/` and a new collection, then swaps them in: an interrupted build leaves
the previous index answering, and a rebuild re-embeds only passages whose text changed.
"""

from __future__ import annotations

import json
import shutil
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

from .corpus import Report
from .embedders import Embedder
from .errors import UserError
from .keyword_index import KeywordIndex
from .settings import Settings
from .split import Chunk, split_report

FORMAT = 1
BATCH = 32
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


def _chroma_client(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        from urllib.parse import urlparse

        url = urlparse(settings.chroma_url)
        try:
            return chromadb.HttpClient(host=url.hostname or "localhost", port=url.port or 8000,
                                       ssl=url.scheme == "https", settings=chroma_settings)
        except Exception as exc:  # chromadb raises plain ValueError/ConnectError variants here
            raise UserError(f"The Chroma server at {settings.chroma_url} is unreachable ({exc}).") from None
    return chromadb.PersistentClient(path=str(settings.index_dir / "chroma"), settings=chroma_settings)


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
        raise UserError(f"The index in {settings.index_dir} is damaged; rebuild it with "
                        "'assistant index'.") from None


def _recover_interrupted_swap(settings: Settings) -> None:
    """A crash between the two renames of a swap leaves only `previous/`: put it back."""
    previous = settings.index_dir / "previous"
    if previous.exists() and not _current(settings).exists():
        previous.rename(_current(settings))


def _embed_new(chunks: Sequence[Chunk], embedder: Embedder, reuse: Callable[[list[str]], dict],
               progress: Progress | None) -> Iterator[tuple[list[Chunk], np.ndarray, int]]:
    """Batches of (chunks, vectors, newly embedded count); vectors of unchanged passages are reused."""
    for i in range(0, len(chunks), BATCH):
        batch = list(chunks[i:i + BATCH])
        known = reuse([c.id for c in batch])
        todo = [c for c in batch if c.id not in known]
        fresh = embedder.embed_passages([c.embed_text for c in todo]) if todo else []
        vectors = dict(known) | {c.id: v for c, v in zip(todo, fresh)}
        if progress:
            progress(min(i + BATCH, len(chunks)), len(chunks))
        yield batch, np.stack([vectors[c.id] for c in batch]), len(todo)


def build_index(settings: Settings, reports: Sequence[Report], embedder: Embedder,
                progress: Progress | None = None) -> IndexInfo:
    """Split, embed and store every report, then swap the new index in at once."""
    chunks = [c for r in reports for c in split_report(r, settings.chunk_chars)]
    client = _chroma_client(settings)
    old = _reusable_info(settings, embedder)
    old_collection = client.get_collection(old.collection) if old else None

    def reuse(ids: list[str]) -> dict:
        if old_collection is None:
            return {}
        got = old_collection.get(ids=ids, include=["embeddings"])
        return dict(zip(got["ids"], got["embeddings"]))

    name = f"chunks-{uuid.uuid4().hex[:12]}"
    collection = client.create_collection(name, embedding_function=None,
                                          metadata={"hnsw:space": "cosine"})
    embedded = 0
    try:
        for batch, vectors, count in _embed_new(chunks, embedder, reuse, progress):
            collection.add(ids=[c.id for c in batch], embeddings=vectors,
                           documents=[c.text for c in batch], metadatas=[c.metadata() for c in batch])
            embedded += count
        info = IndexInfo(FORMAT, embedder.id, settings.chunk_chars, name, time.time(),
                         [_report_summary(r, chunks) for r in reports], embedded)
        _write_and_swap(settings, chunks, info)
    except BaseException:
        client.delete_collection(name)
        raise
    if old:
        client.delete_collection(old.collection)
    return info


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
        for chunk in chunks:
            out.write(json.dumps(asdict(chunk), ensure_ascii=False) + "\n")
    KeywordIndex.build([c.embed_text for c in chunks]).save(building / "keyword")
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
            raise UserError(f"No index in {settings.index_dir}; build it with 'assistant index'.")
        if info.embedder != embedder.id:
            raise UserError(f"The index was built with {info.embedder}, not {embedder.id}; "
                            "rebuild it with 'assistant index'.")
        folder = _current(settings)
        try:
            lines = (folder / "chunks.jsonl").read_text(encoding="utf-8").splitlines()
            self.chunks = [Chunk(**json.loads(line)) for line in lines]
            self.keyword = KeywordIndex.load(folder / "keyword")
            self.collection = _chroma_client(settings).get_collection(info.collection)
        except UserError:
            raise
        except Exception:  # any unreadable part means the index cannot be trusted
            raise UserError(f"The index in {settings.index_dir} is damaged; rebuild it with "
                            "'assistant index'.") from None
        self.info = info
        self.position = {c.id: i for i, c in enumerate(self.chunks)}
