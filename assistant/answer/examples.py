"""Example questions made from the indexed reports, so the hints of the CLI and the web page name
places, years and topics this index can answer, whatever reports it holds.

An example is "{place}{year}年{topic}" where the topic is the heading of a passage that states a
figure; the choice is deterministic (index order), taking turns between reports and, within a
report, between the years and periods it covers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, zip_longest

from assistant.index.split import Chunk
from assistant.lang.zh.messages import message
from assistant.lang.zh.numbers import extract_figures
from assistant.lang.zh.text import NUMBERED_HEADING

TOPIC_MAX_CHARS = 16  # a longer heading reads as a sentence, not as a topic to ask about
SECTION_SEPARATOR = ">"  # between the levels of Chunk.section


@dataclass(frozen=True)
class Examples:
    """Questions to offer, and a follow-up to the first one (empty when the index has no other
    place or year to follow up with)."""

    questions: tuple[str, ...]
    follow_up: str


def _topic(section: str) -> str:
    """The last heading of a section path without its numbering ("8.优化创新创业生态" → "优化创新创业生态"),
    or "" when it does not read as a topic."""
    heading = NUMBERED_HEADING.sub("", section.rsplit(SECTION_SEPARATOR, 1)[-1].strip()).strip()
    # A heading with digits names its own year or count, which the question already states.
    return heading if len(heading) <= TOPIC_MAX_CHARS and not any(c.isdigit() for c in heading) else ""


def _take_turns(lists: Iterable[Sequence]) -> list:
    """The first item of each list, then the second of each, and so on."""
    return [item for item in chain.from_iterable(zip_longest(*lists)) if item is not None]


def _chosen(chunks: Sequence[Chunk], limit: int) -> list[tuple[Chunk, str]]:
    """Up to `limit` (chunk, topic) pairs of passages that state a figure, from as many reports as
    possible. Chunks come report by report, so once `limit` reports have given one the choice is
    made and the rest of a large index is not read."""
    found: dict[str, dict[tuple[int, str], list[tuple[Chunk, str]]]] = {}
    for chunk in chunks:
        if chunk.doc_id not in found and len(found) >= limit:
            break
        topic = _topic(chunk.section)
        key = (chunk.year, chunk.period)
        group = found.get(chunk.doc_id, {}).get(key, [])
        if topic and len(group) < limit and all(topic != t for _, t in group) and extract_figures(chunk.text):
            found.setdefault(chunk.doc_id, {}).setdefault(key, []).append((chunk, topic))
    return _take_turns(_take_turns(groups.values()) for groups in found.values())[:limit]


def follow_up(chunks: Sequence[Chunk], place: str, year: int) -> str:
    """A follow-up to a question about `place` in `year`: another place with passages on that year,
    else another year of the same place, else "" (nothing to follow up with)."""
    other = next((c.district for c in chunks if c.year == year and c.district != place), None)
    if other:
        return message("examples.follow_up_place", place=other)
    years = sorted({c.year for c in chunks if c.district == place and c.year != year})
    return message("examples.follow_up_year", year=years[0]) if years else ""


def make_examples(chunks: Sequence[Chunk], limit: int = 4) -> Examples:
    """Up to `limit` example questions of an index (at least one when it has passages: a question
    about the first report's plans if no heading fits) and a follow-up to the first of them."""
    chosen = _chosen(chunks, limit)
    if chosen:
        questions = [message("examples.question", place=c.district, year=c.year, topic=topic)
                     for c, topic in chosen]
        first = chosen[0][0]
    elif chunks:
        first = chunks[0]
        questions = [message("examples.fallback", place=first.district, year=first.year)]
    else:
        return Examples((), "")
    return Examples(tuple(questions), follow_up(chunks, first.district, first.year))
