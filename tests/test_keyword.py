"""The keyword index: bigram BM25 built from token ids scores as bm25s's own string path does."""

from __future__ import annotations

import bm25s
import numpy as np

from assistant.index.keyword import KeywordIndex, tokenize
from tests.conftest import SEEDS


def _paragraphs() -> list[str]:
    return [line for path in sorted(SEEDS.glob("*.txt"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_index_built_from_token_ids_scores_like_bm25s_from_strings():
    texts = _paragraphs()
    ours = KeywordIndex.build(texts)
    reference = bm25s.BM25()
    reference.index([tokenize(t) for t in texts], show_progress=False)
    for query in ("地区生产总值增长", "新建改造学校", "人才"):
        tokens = [t for t in tokenize(query) if t in reference.vocab_dict]
        assert np.allclose(ours.scores(query), reference.get_scores(tokens), atol=1e-5)


def test_a_question_with_no_indexed_word_scores_zero_everywhere():
    texts = _paragraphs()
    scores = KeywordIndex.build(texts).scores("zzzz qqqq")
    assert scores.shape == (len(texts),) and not scores.any()
