"""The vector store: embedded Chroma under the index folder, or a Chroma server (`chroma_url`).

Only vectors live here; passages, metadata for filtering and the keyword index live in the index
folder (index_store.py). Nearest-neighbour search is restricted to the passages a filter keeps:
a few thousand or fewer are fetched by id and scored exactly (Chroma's metadata filter costs
~60–100 ms at 58,000 passages, a fetch by id ~2 ms); larger sets go through Chroma's HNSW index.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from assistant.config import Settings
from assistant.errors import UserError
from assistant.lang.zh.messages import message

log = logging.getLogger(__name__)
EXACT_LIMIT = 2048  # filtered sets up to this size are scored exactly from vectors fetched by id


def store_of(settings: Settings) -> str:
    """Where the vectors live: the server's URL, or "embedded" for the Chroma under index_dir."""
    return settings.chroma_url.rstrip("/") or "embedded"


def same_kind_of_store(recorded: str, settings: Settings) -> bool:
    """Whether an index whose vectors were stored in `recorded` can use the store of `settings`
    (a server may move to another address; embedded and server vectors never mix)."""
    return not recorded or (recorded == "embedded") == (store_of(settings) == "embedded")


def chroma_client(settings: Settings):
    """The Chroma client settings ask for: an HttpClient when `chroma_url` is set, else embedded."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        try:
            return chromadb.HttpClient(host=url.hostname or "localhost", port=url.port or 8000,
                                       ssl=url.scheme == "https", settings=chroma_settings)
        except ValueError:  # chromadb's word for "no server answered the heartbeat"
            raise UserError(message("errors.chroma_unreachable", url=settings.chroma_url)) from None
    return chromadb.PersistentClient(path=str(_writable(settings.index_dir / "chroma")), settings=chroma_settings)


@functools.cache
def _writable(store: Path) -> Path:
    """The embedded store's folder, or a private copy when it is read-only: Chroma opens its
    SQLite file for writing even to read, and a read-only index must still answer."""
    if not store.exists() or os.access(store, os.W_OK) and os.access(store / "chroma.sqlite3", os.W_OK):
        return store
    copy = Path(tempfile.mkdtemp(prefix="assistant-chroma-")) / "chroma"
    shutil.copytree(store, copy)
    log.warning("%s is read-only; answering from a copy in %s.", store, copy)
    return copy


def chroma_error() -> type[Exception]:
    """Chroma's base error (its import takes seconds, so it is imported only when needed)."""
    from chromadb.errors import ChromaError

    return ChromaError


def get_collection(client, name: str, settings: Settings):
    """The named collection, or a sentence saying it is missing from the store."""
    from chromadb.errors import NotFoundError

    try:
        return client.get_collection(name)
    except NotFoundError:
        raise UserError(message("errors.vectors_missing", collection=name,
                                store=store_of(settings))) from None


def nearest(collection, vector: np.ndarray, ids: Sequence[str] | None, k: int) -> dict[str, float]:
    """Cosine similarity of the `k` passages nearest to `vector`, among `ids` (every passage when
    None): exact for small sets, Chroma's approximate index for large ones."""
    if ids is not None and not ids:
        return {}
    if ids is not None and len(ids) <= EXACT_LIMIT:
        got = collection.get(ids=list(ids), include=["embeddings"])
        vectors = np.asarray(got["embeddings"], dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1) * (float(np.linalg.norm(vector)) or 1.0)
        similarity = vectors @ np.asarray(vector, dtype=np.float32) / np.where(norms > 0, norms, 1.0)
        best = np.argsort(-similarity)[:k]
        return {got["ids"][i]: float(similarity[i]) for i in best}
    result = collection.query(query_embeddings=[vector], n_results=k, include=["distances"],
                              **({"ids": list(ids)} if ids is not None else {}))
    return {cid: 1.0 - dist for cid, dist in zip(result["ids"][0], result["distances"][0], strict=True)}
