"""Any sentence-transformers model folder on disk (the `st` extra); never fetched from a hub."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from assistant.errors import UserError
from assistant.lang.zh.messages import message

PREFIX = "sentence-transformers:"


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from `path` on the CPU."""

    batch_size = 32

    def __init__(self, path: str) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise UserError(message("errors.st_not_installed")) from None
        if not os.path.isdir(path):
            raise UserError(message("errors.no_st_model", path=path))
        self.id = PREFIX + os.path.basename(os.path.normpath(path))
        self._model = SentenceTransformer(path, device="cpu")

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._model.encode(list(texts), normalize_embeddings=True, batch_size=self.batch_size)

    def embed_query(self, text: str) -> np.ndarray:
        return self._model.encode([text], normalize_embeddings=True)[0]
