"""One answer from the answers to one question asked of several years ("2020年和2021年…分别"): the
parts in order, citation markers renumbered so that each [n] still points at its own passage."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence

from assistant.lang.zh import lexicon
from assistant.lang.zh.text import CITATION_MARKER
from assistant.types import Answer, Citation, Figure


def _shifted(offset: int) -> Callable[[re.Match[str]], str]:
    """A replacement for CITATION_MARKER that moves [n] to [n + offset]."""
    return lambda m: f"[{int(m.group(1)) + offset}]"


def merge_answers(question: str, answers: Sequence[Answer]) -> Answer:
    """The answers joined as one; when none answers, the first abstention stands for all."""
    answered = [a for a in answers if not a.abstained]
    if not answered:
        return answers[0]
    end = lexicon.phrase("answer.end")
    texts: list[str] = []
    citations: list[Citation] = []
    figures: list[Figure] = []
    for answer in answers:
        offset = len(citations)
        texts.append(CITATION_MARKER.sub(_shifted(offset), answer.answer).rstrip(end))
        citations += [dataclasses.replace(c, n=c.n + offset) for c in answer.citations]
        figures += [dataclasses.replace(f, citation=f.citation + offset) for f in answer.figures]
    confidences = [a.confidence for a in answered if a.confidence is not None]
    return Answer(question, lexicon.phrase("answer.part_separator").join(texts) + end, False, citations, figures,
                  standalone_question=answered[0].standalone_question,
                  districts=list(dict.fromkeys(d for a in answered for d in a.districts)),
                  answerer=answered[0].answerer, confidence=min(confidences) if confidences else None)
