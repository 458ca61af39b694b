"""The numeric grounding check: every figure in an answer must be stated by a passage it cites."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.lang.zh.numbers import NumericValue, extract_figures, figure_in_text
from assistant.lang.zh.text import CITATION_MARKER
from assistant.types import Citation

_MARKED = re.compile(rf"(?P<claim>[^\[\]]*?)(?P<markers>(?:{CITATION_MARKER.pattern})+)")


def marked_claims(text: str) -> tuple[list[tuple[str, list[int]]], str]:
    """(claim, cited numbers) for each run of text ending in markers like "[1][2]", and the
    unmarked text after the last marker."""
    parts, consumed = [], 0
    for match in _MARKED.finditer(text):
        markers = CITATION_MARKER.findall(match.group("markers"))
        parts.append((match.group("claim"), [int(n) for n in markers]))
        consumed = match.end()
    return parts, text[consumed:]


def ungrounded_figures(text: str, citations: Sequence[Citation]) -> list[NumericValue]:
    """Figures in `text` that no passage cited right after them states (unit-aware).

    A claim is the text up to a run of markers like "[1][2]"; each figure in it must occur in one
    of those passages. A figure with no marker after it is ungrounded by definition.
    """
    passages = {c.n: c.text for c in citations}
    bad: list[NumericValue] = []
    consumed = 0
    for match in _MARKED.finditer(text):
        cited = [passages.get(int(n), "") for n in CITATION_MARKER.findall(match.group("markers"))]
        for figure in extract_figures(match.group("claim")):
            if not any(figure_in_text(figure, passage) for passage in cited):
                bad.append(figure)
        consumed = match.end()
    bad.extend(extract_figures(text[consumed:]))
    return bad
