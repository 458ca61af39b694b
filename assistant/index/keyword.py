"""Character-bigram BM25 over chunk texts (bm25s: sparse matrices, no Python loop per chunk).

Building takes bounded memory: each passage is tokenised and turned into an array of int32 token
ids at once, so 58,000 passages cost ~100 MB of ids instead of ~1.5 GB of token strings (bm25s's
own path keeps every token string of the corpus alive at once)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import bm25s
import numpy as np

from assistant.lang.zh.text import CJK_RUN

_WORD = re.compile(r"[A-Za-z]+|\d+(?:\.\d+)?")
# No text tokenizes to this: its idf is that of a token no passage has.
UNSEEN_TOKEN = "\x00"


def tokenize(text: str) -> list[str]:
    """Chinese as overlapping character bigrams (single characters for one-character runs),
    plus Latin words and numbers: bigrams beat word segmentation on these reports."""
    tokens: list[str] = []
    for run in CJK_RUN.findall(text):
        tokens.extend(run[i:i + 2] for i in range(max(1, len(run) - 1)))
    tokens.extend(w.lower() for w in _WORD.findall(text))
    return tokens


class KeywordIndex:
    """BM25 scores for every chunk at once; saved as bm25s's plain files."""

    def __init__(self, model: bm25s.BM25) -> None:
        self._model = model
        self._vocab = model.vocab_dict

    @classmethod
    def build(cls, texts: Iterable[str]) -> KeywordIndex:
        """A keyword index over `texts`, built from int32 token ids (see the module docstring)."""
        vocab: dict[str, int] = {}
        ids = [np.fromiter((vocab.setdefault(token, len(vocab)) for token in tokenize(text)), dtype=np.int32)
               for text in texts]
        model = bm25s.BM25()
        model.index((ids, vocab), show_progress=False)
        return cls(model)

    def save(self, folder: Path) -> None:
        self._model.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex:
        return cls(bm25s.BM25.load(str(folder), show_progress=False, verbosity=0))

    def scores(self, query: str, mask: np.ndarray | None = None) -> np.ndarray:
        """BM25 score of every chunk for `query`; chunks where `mask` is 0 score 0."""
        tokens = [t for t in tokenize(query) if t in self._vocab]
        if not tokens:
            return np.zeros(self._model.scores["num_docs"], dtype=np.float32)
        return self._model.get_scores(tokens, weight_mask=mask)

    def idf(self, token: str) -> float:
        """How rare `token` is across chunks; a token no chunk has is rarest of all."""
        n = self._model.scores["num_docs"]
        token_id = self._vocab.get(token)
        indptr = self._model.scores["indptr"]
        df = 0 if token_id is None else int(indptr[token_id + 1] - indptr[token_id])
        return float(np.log((n + 1) / (df + 0.5)))
