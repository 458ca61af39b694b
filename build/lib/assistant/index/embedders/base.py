"""What every embedder is: unit vectors for passages and questions, an id recorded in the index,
and the batch size the index builder embeds (and journals) at a time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np


class Embedder(Protocol):
    """Turns passages and questions into unit vectors; `id` is recorded in the index it builds."""

    id: str
    batch_size: int  # passages per call: a bounded loss when a build is stopped, steady progress

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...
