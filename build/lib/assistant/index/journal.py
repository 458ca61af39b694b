"""Vectors an unfinished build has embedded, kept on disk so the next build resumes from them.

A build appends each batch it embeds (not the vectors it reuses) as two files, `NNNNNN.npy` and
then `NNNNNN.ids.json`, the second written last so a batch cut off mid-write is ignored. A finished
build clears the journal; an interrupted or killed one leaves it for the next build, which looks
passages up here by their content-hash id before embedding them again. Vectors are memory-mapped,
so a large journal costs little memory.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np

_EMBEDDER_FILE = "embedder.txt"


class VectorJournal:
    """Passage vectors by chunk id, for one embedder, in `folder`."""

    def __init__(self, folder: Path, embedder_id: str) -> None:
        self.folder = folder
        marker = folder / _EMBEDDER_FILE
        if folder.exists() and (not marker.exists() or marker.read_text(encoding="utf-8") != embedder_id):
            shutil.rmtree(folder)  # vectors of another model are of no use
        folder.mkdir(parents=True, exist_ok=True)
        marker.write_text(embedder_id, encoding="utf-8")
        self._where: dict[str, tuple[int, int]] = {}
        self._parts: list[np.ndarray] = []
        for ids_file in sorted(folder.glob("*.ids.json")):
            self._open_part(ids_file)

    def _open_part(self, ids_file: Path) -> None:
        vectors = np.load(ids_file.with_name(ids_file.name.replace(".ids.json", ".npy")), mmap_mode="r")
        part = len(self._parts)
        self._parts.append(vectors)
        for row, chunk_id in enumerate(json.loads(ids_file.read_text(encoding="utf-8"))):
            self._where[chunk_id] = (part, row)

    def __len__(self) -> int:
        return len(self._where)

    def known(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The journalled vectors among `ids`."""
        found = {}
        for chunk_id in ids:
            if chunk_id in self._where:
                part, row = self._where[chunk_id]
                found[chunk_id] = np.array(self._parts[part][row])
        return found

    def append(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        """Record one embedded batch (vectors first, ids last: the ids file commits the batch)."""
        if not len(ids):
            return
        stem = self.folder / f"{len(self._parts):06d}"
        np.save(stem.with_suffix(".npy"), np.asarray(vectors, dtype=np.float32))
        ids_file = stem.with_suffix(".ids.json")
        ids_file.with_suffix(".tmp").write_text(json.dumps(list(ids)), encoding="utf-8")
        ids_file.with_suffix(".tmp").replace(ids_file)
        self._open_part(ids_file)

    def clear(self) -> None:
        """Forget everything: the build these vectors were for has finished."""
        self._parts.clear()
        self._where.clear()
        shutil.rmtree(self.folder, ignore_errors=True)
