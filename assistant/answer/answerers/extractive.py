"""The offline answerer: picks the clauses that state the asked figure, verbatim, one per district."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.answer.answerers.base import ImmediateAnswerer
from assistant.answer.grounding import ungrounded_figures
from assistant.answer.question import NOT_FOUND, Intent, segment
from assistant.index.keyword import tokenize
from assistant.lang.zh import lexicon
from assistant.lang.zh.numbers import extract_figures
from assistant.lang.zh.text import CJK_CHAR, CLAUSE, CLAUSE_END, FULL_STOP
from assistant.retrieve.hybrid import ScoredChunk
from assistant.types import Answer, Citation, Figure, to_citation

log = logging.getLogger(__name__)
MIN_COVERAGE = 0.55


@dataclass(frozen=True)
class Quote:
    """A verbatim span of a chunk chosen as the answer for one district."""

    hit: ScoredChunk
    start: int  # offsets in the report
    end: int
    coverage: float

    @property
    def text(self) -> str:
        chunk = self.hit.chunk
        return chunk.text[self.start - chunk.start:self.end - chunk.start]


def _clauses(text: str) -> list[tuple[int, int]]:
    """Clause spans inside `text`, split at the ASCII , ; : and 。 these reports use."""
    spans = []
    for m in CLAUSE.finditer(text):
        start, end = m.start(), m.end()
        while end > start and text[end - 1] in CLAUSE_END:
            end -= 1
        if text[start:end].strip():
            spans.append((start, end))
    return spans


def topic_terms(intent: Intent) -> list[str]:
    """The words that say what the question is about, in the reports' wording."""
    words, asking = segment(intent.key_text or intent.topic), lexicon.asking_words()
    return [w for w in dict.fromkeys(words) if w not in asking and not w.isdigit()
            and (len(w) > 1 if CJK_CHAR.match(w) else w.isalnum())]


def _word_weight(word: str, idf: Callable[[str], float]) -> float:
    """A word's rarity: the mean idf of its character bigrams."""
    tokens = tokenize(word) or [word]
    return sum(idf(t) for t in tokens) / len(tokens)


def _presence(word: str, text: str) -> float:
    """1 when the word occurs; else most of the share of its sub-words that occur ("引进人才" in
    "引进各类人才"), or half the share of its bigrams."""
    if word in text:
        return 1.0
    import jieba

    parts = [p for p in jieba.cut_for_search(word) if len(p) > 1 and p != word]
    if parts:
        return 0.9 * sum(p in text for p in parts) / len(parts)
    tokens = [t for t in tokenize(word) if len(t) > 1]
    return 0.5 * sum(t in text for t in tokens) / len(tokens) if tokens else 0.0


def _coverage(text: str, terms: Sequence[str], weights: dict[str, float]) -> float:
    total = sum(weights[t] for t in terms)
    return sum(weights[t] * _presence(t, text) for t in terms) / total if total else 0.0


def _span_for(clauses: list[tuple[int, int]], best: int, text: str, numeric: bool) -> tuple[int, int]:
    """Grow the best clause until it states a figure, then over clauses that continue it;
    never past the end of a sentence or line."""
    last = best

    def joined_to_next(i: int) -> bool:
        gap = text[clauses[i][1]:clauses[i + 1][0]] if i + 1 < len(clauses) else FULL_STOP
        return FULL_STOP not in gap and "\n" not in gap

    if numeric:
        while not extract_figures(text[clauses[best][0]:clauses[last][1]]) and last - best < 2 \
                and joined_to_next(last):
            last += 1
        while joined_to_next(last) and text[clauses[last + 1][0]:].startswith(lexicon.continuation_words()):
            last += 1
    return clauses[best][0], clauses[last][1]


def best_quote(hits: Sequence[ScoredChunk], intent: Intent, weight: Callable[[str], float]) -> Quote | None:
    """The clause span among `hits` that best covers the question's topic, or None if none does."""
    terms = topic_terms(intent)
    weights = {t: _word_weight(t, weight) for t in terms}
    numeric = not lexicon.text_question().search(intent.question)
    best: Quote | None = None
    best_key = (0.0, 0.0, 0.0)
    for rank, hit in enumerate(hits):
        text = hit.chunk.text
        clauses = _clauses(text)
        context = hit.chunk.section
        for i, (start, end) in enumerate(clauses):
            span = _span_for(clauses, i, text, numeric)
            quote_text = text[span[0]:span[1]]
            if numeric and not extract_figures(quote_text):
                continue
            sentence = _sentence_around(text, start)
            own = _coverage(quote_text, terms, weights)
            coverage = max(own, 0.8 * _coverage(quote_text + sentence + context, terms, weights))
            key = (round(coverage, 3), round(own, 3), hit.score - 0.01 * rank - 0.001 * i)
            if key > best_key:
                best_key = key
                best = Quote(hit, hit.chunk.start + span[0], hit.chunk.start + span[1], coverage)
    return best if best and best.coverage >= MIN_COVERAGE else None


def _sentence_around(text: str, pos: int) -> str:
    """The sentence of `text` that contains position `pos` (context for a short clause)."""
    start = text.rfind(FULL_STOP, 0, pos) + 1
    end = text.find(FULL_STOP, pos)
    return text[start:end if end >= 0 else len(text)]


def _figures(quote: Quote, n: int) -> list[Figure]:
    """The figures of a quote as written ("3.8" + "万人"), each backed by citation n."""
    return [Figure.written(figure, n) for figure in extract_figures(quote.text)]


def compose_answer(question: str, intent: Intent, found: dict[str, Quote | None],
                   named: bool) -> Answer:
    """Answer text from verbatim quotes, one "district（year period）：quote[n]" part per district.

    Districts the question named but the reports lack are said so; the figures are checked
    against their cited passages before the answer leaves.
    """
    parts: list[str] = []
    citations: list[Citation] = []
    figures: list[Figure] = []
    for district, quote in found.items():
        if quote is None:
            if named:
                parts.append(lexicon.phrase("answer.district_not_found", district=district,
                                            not_found=NOT_FOUND))
            continue
        n = len(citations) + 1
        chunk = quote.hit.chunk
        period = lexicon.period_label("answer", "actual" if chunk.period == "actual" else "target")
        label = lexicon.phrase("answer.label", year=chunk.year, period=period) if chunk.year else ""
        parts.append(lexicon.phrase("answer.part", district=district, label=label, quote=quote.text, n=n))
        citations.append(to_citation(n, chunk, quote.hit.score, quote.text, quote.start, quote.end))
        figures.extend(_figures(quote, n))
    if not citations:
        return Answer(question, lexicon.phrase("answer.topic_not_found", not_found=NOT_FOUND,
                                               topic=intent.topic or intent.question), True,
                      standalone_question=intent.question, districts=list(found))
    text = lexicon.phrase("answer.part_separator").join(parts) + lexicon.phrase("answer.end")
    unchecked = ungrounded_figures(text, citations)
    if unchecked:  # cannot happen with verbatim quotes; if it ever does, no figure leaves unchecked
        log.error("extractive answer states figures its passages lack: %s", text)
        return Answer(question, lexicon.phrase("answer.unverified_figure", not_found=NOT_FOUND,
                                               figure=unchecked[0].text), True,
                      standalone_question=intent.question, districts=list(found))
    return Answer(question, text, False, citations, figures, standalone_question=intent.question,
                  districts=[d for d, q in found.items() if q])


class ExtractiveAnswerer(ImmediateAnswerer):
    """The offline default: verbatim clauses, one per district, or an abstention."""

    name = "extractive"

    def __init__(self, idf: Callable[[str], float]) -> None:
        self._idf = idf

    def answer(self, question: str, intent: Intent, hits: dict[str, list[ScoredChunk]],
               named: bool) -> Answer:
        """Pick the best quote per district from its hits and compose the cited answer."""
        found = {d: best_quote(h, intent, self._idf) for d, h in hits.items()}
        return compose_answer(question, intent, found, named)
