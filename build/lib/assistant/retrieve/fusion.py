"""Fusion strategies: how the keyword and dense rankings of one search become one score each."""

from __future__ import annotations

from collections.abc import Mapping


def _minmax(scores: Mapping[int, float]) -> dict[int, float]:
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    span = (high - low) or 1.0
    return {i: (s - low) / span for i, s in scores.items()}


def weighted_minmax(keyword: Mapping[int, float], dense: Mapping[int, float],
                    keyword_weight: float) -> dict[int, float]:
    """Each list min-max normalised to 0..1, then mixed: BM25 and cosine scores live on different
    scales, and a candidate found by one method only gets 0 from the other."""
    keyword_n, dense_n = _minmax(keyword), _minmax(dense)
    return {i: keyword_weight * keyword_n.get(i, 0.0) + (1 - keyword_weight) * dense_n.get(i, 0.0)
            for i in set(keyword) | set(dense)}
