"""The vector store: embedded Chroma under the index folder, or a Chroma server (`chroma_url`).

Only vectors live here; passages, metadata for filtering and the keyword index live in the index
folder (index_store.py). Nearest-neighbour search is restricted to the passages a filter keeps:
a few thousand or fewer are fetched by id and scored exactly (Chroma's metadata filter costs
~60–100 ms at 58,000 passages, a fetch by id ~2 ms); larger sets go through Chroma's HNSW index.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlparse

import numpy as np

from assistant.config import Settings
from assistant.errors import UserError
from assistant.lang.zh.messages import message

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
    return chromadb.PersistentClient(path=str(settings.index_dir / "chroma"), settings=chroma_settings)


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
