"""A deterministic hashed character-n-gram embedder: no model, thousands of passages a second.

It is NOT a semantic model: two texts are close when they share characters and character pairs
and triples, nothing more. It exists for scale runs (`assistant bench --scale 1000` builds tens of
thousands of passages, which the bundled model would take hours to embed on two cores) and for
tests of the index machinery; answers built on it lean on the keyword half of hybrid search.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_PRIMES = np.array([2654435761, 2246822519, 3266489917], dtype=np.uint64)
_MASK = np.uint64(2**32 - 1)


class HashedNgramEmbedder:
    """Character 1-, 2- and 3-grams hashed into `dim` signed buckets, L2-normalised."""

    batch_size = 32

    def __init__(self, dim: int = 384) -> None:
        self.dim = dim
        self.id = f"hashed-char-ngrams-{dim}-v1"

    def _vector(self, text: str) -> np.ndarray:
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        vector = np.zeros(self.dim, dtype=np.float32)
        for n in (1, 2, 3):
            if len(codes) < n:
                break
            mixed = np.zeros(len(codes) - n + 1, dtype=np.uint64)
            for offset in range(n):  # n multiply-adds over the whole text, not a loop per n-gram
                mixed = (mixed * _PRIMES[offset] + codes[offset:len(codes) - n + 1 + offset] + np.uint64(n)) & _MASK
            buckets = (mixed % np.uint64(self.dim)).astype(np.int64)
            signs = np.where((mixed >> np.uint64(16)) & np.uint64(1), 1.0, -1.0).astype(np.float32)
            vector += np.bincount(buckets, weights=signs, minlength=self.dim).astype(np.float32)
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else vector

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector per passage (rows)."""
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        """A question's unit vector (questions and passages are embedded alike)."""
        return self._vector(text)
