"""Hybrid retrieval: bigram BM25 and dense vectors, fused (retrieve.fusion), with place and period filters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr

from assistant.index.split import Chunk
from assistant.index.store import StoredIndex
from assistant.retrieve.fusion import weighted_minmax

CANDIDATES = 30  # per method, before fusion


@dataclass(frozen=True)
class ScoredChunk:
    """A retrieved chunk with its fused score."""

    chunk: Chunk
    score: float


class HybridRetriever(BaseRetriever):
    """A LangChain retriever over a StoredIndex; `search` adds district/period filters."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    index: Any  # StoredIndex
    embedder: Any
    top_k: int
    keyword_weight: float
    # The last question's vector: one question is searched once per district.
    _last_vector: tuple[str, Any] = PrivateAttr(default=("", None))

    def search(self, text: str, districts: Sequence[str] = (), period: str | None = None,
               k: int | None = None, year: int | None = None, report_year: int | None = None) -> list[ScoredChunk]:
        """The best `k` chunks for `text`, restricted to `districts` (all if empty), `period`,
        `year` (a passage of that year, or one whose text states it) and the reports of `report_year`."""
        index: StoredIndex = self.index
        mask = index.mask(districts, period, year, report_year)
        if not mask.any():
            return []
        keyword = self._keyword_candidates(text, mask)
        dense = self._dense_candidates(text, mask)
        fused = weighted_minmax(keyword, dense, self.keyword_weight)
        best = sorted(fused, key=fused.__getitem__, reverse=True)[:k or self.top_k]
        return [ScoredChunk(index.chunks[i], fused[i]) for i in best]

    def _keyword_candidates(self, text: str, mask: np.ndarray) -> dict[int, float]:
        scores = self.index.keyword.scores(text, mask)
        # A partial selection, then a sort of the few selected: no full sort of every chunk's score.
        top = np.argpartition(-scores, CANDIDATES)[:CANDIDATES] if len(scores) > CANDIDATES else np.arange(len(scores))
        top = top[np.argsort(-scores[top])]
        return {int(i): float(scores[i]) for i in top if scores[i] > 0}

    def _dense_candidates(self, text: str, mask: np.ndarray) -> dict[int, float]:
        if self._last_vector[0] != text:
            self._last_vector = (text, self.embedder.embed_query(text))
        return self.index.nearest(self._last_vector[1], mask, CANDIDATES)

    def _get_relevant_documents(self, query: str, *,
                                run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [Document(page_content=s.chunk.text, id=s.chunk.id,
                         metadata=s.chunk.metadata() | {"score": s.score})
                for s in self.search(query)]
