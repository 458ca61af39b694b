"""Metadata of an added report guessed from its title and first lines: district, years, kind, and
which top-level sections report past results (so figures get the right year and period)."""

from __future__ import annotations

from typing import Any

from assistant.errors import UserError
from assistant.lang.zh import lexicon
from assistant.lang.zh.messages import message
from assistant.lang.zh.places import Place, ancestors, find_places, place_named, short_forms
from assistant.lang.zh.text import STATED_YEAR, TITLE_DISTRICT, TOP_HEADING

_LEVELS = ("county", "city", "province", "national")  # most specific first


def _most_specific(text: str) -> Place | None:
    """The lowest-level place `text` names; of several divisions sharing a name (鼓楼区), the one
    under another place the text names."""
    mentions = find_places(text)
    named = {place.code for mention in mentions for place in mention.places}
    best: Place | None = None
    for mention in mentions:
        under = [p for p in mention.places if any(a.code in named for a in ancestors(p))]
        place = (under or list(mention.places))[0]
        if best is None or _LEVELS.index(place.level) < _LEVELS.index(best.level):
            best = place
    return best


def places(title: str, opening: str = "") -> tuple[str, str]:
    """(place, the place above it) the title names, else the opening lines, from the gazetteer:
    宁波市鄞州区 → (鄞州区, 宁波市), 2025年宁夏回族自治区政府工作报告 → (宁夏回族自治区, 全国),
    国务院政府工作报告 → (全国, ""). A district the gazetteer lacks is found by its position in the
    title (after 市/省 or at the start, before the year or 人民政府)."""
    for text in (title, opening):
        place = _most_specific(text)
        if place is not None:
            parent = next(ancestors(place), None)
            return place.name, parent.name if parent else ""
    in_title = TITLE_DISTRICT.search(title)
    return (in_title.group(1) if in_title else ""), ""


def top_headings(text: str) -> list[str]:
    """Level-1 headings of a saved text, as the splitter names them ("# " removed)."""
    return [line.removeprefix("# ")
            for line in (line.strip() for line in text.splitlines()) if TOP_HEADING.match(line)]


def _periods(kind: str, title_years: list[int], reviews: list[str], year: int | None) -> dict[str, Any]:
    """years, actual_year, target_year and actual_sections for the report's kind and headings."""
    if kind in lexicon.results_only_kinds():
        actual = year or max(title_years)
        return {"years": [actual], "actual_year": actual, "target_year": None, "actual_sections": [""]}
    target = year or max(title_years)
    if not reviews:
        return {"years": [target], "actual_year": None, "target_year": target, "actual_sections": []}
    in_heading = [int(y) for y in STATED_YEAR.findall(reviews[0])]
    actual = in_heading[0] if in_heading else (min(title_years) if len(title_years) > 1 and not year
                                               else target - 1)
    return {"years": sorted({actual, target}), "actual_year": actual, "target_year": target,
            "actual_sections": reviews}


def infer_metadata(text: str, name: str, title_hint: str = "", *, district: str | None = None,
                   year: int | None = None, title: str | None = None) -> dict[str, Any]:
    """Manifest fields for an added report; values given by the user win over guesses, and a field
    that cannot be guessed raises a UserError saying which option to give."""
    lines = [line.lstrip("# ").strip() for line in text.splitlines() if line.strip()]
    title = (title or title_hint or (lines[0] if lines else "")).strip()[:200]
    opening = "\n".join([title, *lines[:5]])
    if district:  # the user's place: its parent from the gazetteer when it knows the name
        named = place_named(district)
        city = next((a.name for a in ancestors(named)), "") if named else ""
    else:
        district, city = places(title, opening)
    if not district:
        raise UserError(message("errors.unknown_district", name=name))
    title_years = [int(y) for y in STATED_YEAR.findall(title) or STATED_YEAR.findall(opening)]
    if not title_years:
        if not year:
            raise UserError(message("errors.unknown_year", name=name))
        title_years = [year]
    kind = next((kind for word, kind in lexicon.report_kinds() if word in title),
                lexicon.default_report_kind())
    reviews = [h for h in top_headings(text) if any(word in h for word in lexicon.review_words())]
    aliases = list(dict.fromkeys(s for level in _LEVELS for s in short_forms(district, level)))
    short = title[len(city):] if city and title.startswith(city) else title
    return {"title": title, "short_title": short[:40], "district": district,
            "aliases": aliases, "city": city, "kind": kind,
            **_periods(kind, title_years, reviews, year)}
