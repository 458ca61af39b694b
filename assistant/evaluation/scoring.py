"""Scoring one answer against one gold item: figures, citations and retrieval rank."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answer.grounding import marked_claims
from assistant.evaluation.gold import GoldAnswer, GoldItem
from assistant.lang.zh.numbers import NumericValue, extract_figures, parse_quantity, same_quantity
from assistant.lang.zh.places import place_named
from assistant.types import Answer, Citation


@dataclass(frozen=True)
class Verdict:
    """How one answer fared; `reason` is a short English phrase for the failure list."""

    correct: bool
    citation_correct: bool | None  # None where no citation is expected (unanswerable items)
    reason: str
    # The worst failure: a figure backed by a report of another place or year than the one asked
    # (another report than the gold ones, or for an unanswerable item, another place's report).
    wrong_source: bool = False


def claims(answer: Answer) -> list[tuple[str, set[str]]]:
    """(claim text, ids of the reports it cites) for each run of text ending in [n] markers."""
    docs = {c.n: c.doc_id for c in answer.citations}
    return [(claim, {docs.get(n, "") for n in numbers}) for claim, numbers in marked_claims(answer.answer)[0]]


def _stated(gold: GoldAnswer, item_type: str, parts: list[tuple[str, set[str]]]) -> bool:
    """True when a claim citing the gold report states the gold value (unit-normalised)."""
    return _states(gold, item_type, [text for text, docs in parts if gold.doc in docs])


def _states(gold: GoldAnswer, item_type: str, texts: list[str]) -> bool:
    """True when one of `texts` states the gold value (a text item's phrase as written)."""
    if item_type == "text":
        return any(gold.value in text for text in texts)
    expected = parse_quantity(gold.value, gold.unit)
    return any(same_quantity(expected, f) for text in texts for f in extract_figures(text))


def extra_figures(item: GoldItem, answer: Answer) -> int | None:
    """How many figures the answer's claims state beyond those asked (each quantity once, unit-
    normalised; years and ordinals are no figures); None when it abstained. A reader wants the
    figure asked, not a paragraph of neighbours to pick it from."""
    if answer.abstained:
        return None
    # A text item's phrase may hold figures of its own ("增长6%左右"): those are asked too.
    asked = [f for g in item.answers for f in (extract_figures(g.value) if item.type == "text"
                                               else [parse_quantity(g.value, g.unit)])]
    extra: list[NumericValue] = []
    for figure in (f for text, _ in claims(answer) for f in extract_figures(text)):
        if not any(same_quantity(figure, known) for known in asked + extra):
            extra.append(figure)
    return len(extra)


def states_other_figure(item: GoldItem, answer: Answer) -> bool:
    """True when an answer to an answerable item leaves out a figure asked and states another one:
    the reader is handed a wrong number (whichever report it cites)."""
    if not item.answers or answer.abstained:
        return False
    texts = [text for text, _ in claims(answer)]
    missing = any(not _states(g, item.type, texts) for g in item.answers)
    return missing and bool(extra_figures(item, answer))


def _overlaps(gold: GoldAnswer, citation: Citation) -> bool:
    end = gold.evidence_start + len(gold.evidence)
    return citation.doc_id == gold.doc and citation.start < end and gold.evidence_start < citation.end


def score_answer(item: GoldItem, answer: Answer) -> Verdict:
    """Correct when every gold figure is stated with a citation of its report and no other report
    is cited for a figure; the citation is right when a cited passage overlaps each gold evidence.
    An unanswerable item is correct only when the assistant abstains."""
    if not item.answers:
        if answer.abstained:
            return Verdict(True, None, "abstained")
        places = {c.district for c in answer.citations if c.n in _figure_markers(answer)}
        elsewhere = bool(item.district) and any(not _same_place(p, item.district or "") for p in places)
        return Verdict(False, None, "stated a figure for an unanswerable question", elsewhere)
    if answer.abstained:
        return Verdict(False, False, "abstained on an answerable question")
    parts = claims(answer)
    missing = [g for g in item.answers if not _stated(g, item.type, parts)]
    gold_docs = {g.doc for g in item.answers}
    stray = {d for text, docs in parts for d in docs if extract_figures(text)} - gold_docs
    cited = all(any(_overlaps(g, c) for c in answer.citations) for g in item.answers)
    if missing:
        docs = {g.doc for g in missing}
        what = "a district's figure is missing" if docs and docs != gold_docs else "wrong or missing figure"
        return Verdict(False, cited, f"{what}: expected {', '.join(g.value + g.unit for g in missing)}",
                       bool(stray))
    if stray:
        return Verdict(False, cited, f"also stated figures from {', '.join(sorted(stray))}", True)
    return Verdict(True, cited, "correct" if cited else "figure right, citation wrong")


def _same_place(a: str, b: str) -> bool:
    """The same place however written (内蒙古 and 内蒙古自治区), by the gazetteer when it knows both."""
    if a == b:
        return True
    place_a, place_b = place_named(a), place_named(b)
    return place_a is not None and place_a == place_b


def _figure_markers(answer: Answer) -> set[int]:
    """The citation numbers that back a stated figure."""
    return {n for claim, numbers in marked_claims(answer.answer)[0] if extract_figures(claim) for n in numbers}


def evidence_rank(item: GoldItem, ranked: Sequence[Citation]) -> int | None:
    """1-based rank of the first retrieved passage that overlaps any gold evidence, or None."""
    for rank, citation in enumerate(ranked, 1):
        if any(_overlaps(g, citation) for g in item.answers):
            return rank
    return None
