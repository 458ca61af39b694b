"""The grounding guard for LLM output: passages numbered for the prompt, markers cleaned and
renumbered after generation, every figure checked against the passages cited after it (also while
the reply is still being written), and a rewritten follow-up checked against what the user said."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from assistant.answer.grounding import marked_claims, ungrounded_figures
from assistant.lang.zh import lexicon
from assistant.lang.zh.numbers import NumericValue, extract_figures, figure_in_text, same_quantity
from assistant.lang.zh.places import PlaceMention, ancestors, find_places
from assistant.lang.zh.text import (
    ASKED_YEAR,
    CITATION_MARKER,
    FULL_STOP,
    LOOSE_CITATION_MARKERS,
    MARKER_NUMBER_SEPARATOR,
    SENTENCE_BREAK,
)
from assistant.retrieve.hybrid import ScoredChunk
from assistant.types import Citation, Figure, to_citation


@dataclass(frozen=True)
class CheckedAnswer:
    """An LLM reply after the guard: markers renumbered 1..k in order of first use."""

    text: str
    citations: list[Citation]
    figures: list[Figure]
    dropped: list[int] = field(default_factory=list)  # markers to passages the prompt did not give
    ungrounded: list[NumericValue] = field(default_factory=list)  # figures no cited passage states


def numbered_passages(hits: Mapping[str, Sequence[ScoredChunk]]) -> list[ScoredChunk]:
    """The passages shown to the model, district by district; passage [n] is item n - 1."""
    seen: set[str] = set()
    passages = []
    for district_hits in hits.values():
        for hit in district_hits:
            if hit.chunk.id not in seen:
                seen.add(hit.chunk.id)
                passages.append(hit)
    return passages


def format_passages(passages: Sequence[ScoredChunk]) -> str:
    """The passages as the prompt shows them: a "[n] report｜district｜year period｜section" line,
    then the passage text."""
    blocks = []
    for n, hit in enumerate(passages, 1):
        chunk = hit.chunk
        period = lexicon.period_label("passage", chunk.period)
        when = lexicon.phrase("year", year=chunk.year) + period if chunk.year else ""
        title = lexicon.phrase("passage.title", title=chunk.title)
        label = lexicon.phrase("passage.separator").join(
            part for part in (title, chunk.district, when, chunk.section) if part)
        blocks.append(f"[{n}] {label}\n{chunk.text.strip()}")
    return "\n\n".join(blocks)


def check_answer(reply: str, passages: Sequence[ScoredChunk]) -> CheckedAnswer:
    """The reply with markers cleaned, its citations and figures, and what the guard objects to.

    Markers to passages that were not given are removed first; the rest are renumbered in order
    of first use, so the citations are exactly the passages the answer cites.
    """
    text = LOOSE_CITATION_MARKERS.sub(
        lambda m: "".join(f"[{n}]" for n in MARKER_NUMBER_SEPARATOR.split(m[1])), reply.strip())
    dropped = [int(n) for n in CITATION_MARKER.findall(text) if not 1 <= int(n) <= len(passages)]
    text = CITATION_MARKER.sub(lambda m: m[0] if 1 <= int(m[1]) <= len(passages) else "", text)
    order = list(dict.fromkeys(int(n) for n in CITATION_MARKER.findall(text)))
    new_number = {old: new for new, old in enumerate(order, 1)}
    text = CITATION_MARKER.sub(lambda m: f"[{new_number[int(m[1])]}]", text)
    text = re.sub(r"(\[\d+\])\1+", r"\1", text)  # "[1][1]" after renumbering
    cited = {new_number[old]: passages[old - 1] for old in order}
    figures, backing = _claim_figures(text, {n: hit.chunk.text for n, hit in cited.items()})
    citations = [_citation(n, hit, backing.get(n, [])) for n, hit in cited.items()]
    return CheckedAnswer(text, citations, figures, dropped, ungrounded_figures(text, citations))


def grounded_prefix(reply: str, passages: Sequence[ScoredChunk]) -> str:
    """The longest part of a reply still being written that ends a sentence and states no figure its
    cited passages do not, cleaned as `check_answer` cleans it ("" if there is none yet).

    A figure whose marker has not arrived yet ("3000个。[1]") waits for it: shown only once grounded.
    """
    for end in reversed([m.end() for m in SENTENCE_BREAK.finditer(reply)]):
        checked = check_answer(reply[:end], passages)
        if not checked.ungrounded:
            return checked.text
    return ""


def rewrite_additions(rewrite: str, question: str, earlier: Iterable[str]) -> list[str]:
    """What a model's standalone version of a follow-up changes in what the user said: figures,
    places and years the user's turns (`question` and the `earlier` ones) never state, and places
    or years `question` names that the rewrite drops. Empty when the rewrite may be searched."""
    said = "\n".join([question, *earlier])
    places_said = find_places(said)
    # A named place's city or province adds nothing: "the district" and "the city's district" are one.
    places_around = _place_codes(places_said) | {above.code for mention in places_said for place in mention.places
                                                 for above in ancestors(place)}
    places_rewritten = find_places(rewrite)
    years_said, years_rewritten = set(ASKED_YEAR.findall(said)), set(ASKED_YEAR.findall(rewrite))
    changed = [f.text for f in extract_figures(rewrite) if not figure_in_text(f, said)]
    changed += [m.text for m in places_rewritten if not _place_codes([m]) & places_around]
    changed += [m.text for m in find_places(question) if not _place_codes([m]) & _place_codes(places_rewritten)]
    changed += sorted(years_rewritten - years_said) + sorted(set(ASKED_YEAR.findall(question)) - years_rewritten)
    changed += [word for word in lexicon.relative_years() if word in rewrite and word not in said]
    return changed


def _place_codes(mentions: Iterable[PlaceMention]) -> set[str]:
    return {place.code for mention in mentions for place in mention.places}


def _claim_figures(text: str, passages: Mapping[int, str]
                   ) -> tuple[list[Figure], dict[int, list[NumericValue]]]:
    """Each figure of each claim as written, backed by the first cited passage that states it;
    also which figures each passage backs."""
    figures: list[Figure] = []
    backing: dict[int, list[NumericValue]] = {}
    for claim, markers in marked_claims(text)[0]:
        for figure in extract_figures(claim):
            n = next((m for m in markers if figure_in_text(figure, passages.get(m, ""))), None)
            if n is None:
                continue  # ungrounded: the guard rejects the answer
            figures.append(Figure.written(figure, n))
            backing.setdefault(n, []).append(figure)
    return figures, backing


def _citation(n: int, hit: ScoredChunk, figures: Sequence[NumericValue]) -> Citation:
    """Citation [n] quoting the sentences of the passage that state `figures` (all of it if none)."""
    chunk = hit.chunk
    text = chunk.text
    stated = [f for f in extract_figures(text) if any(same_quantity(f, g) for g in figures)]
    start, end = 0, len(text)
    if stated:
        start = max(text.rfind(FULL_STOP, 0, stated[0].start), text.rfind("\n", 0, stated[0].start)) + 1
        ends = [i for i in (text.find(FULL_STOP, stated[-1].end), text.find("\n", stated[-1].end)) if i >= 0]
        end = min(ends) + 1 if ends else len(text)
        end = end - 1 if text[end - 1] == "\n" else end
    return to_citation(n, chunk, hit.score, text[start:end], chunk.start + start, chunk.start + end)
