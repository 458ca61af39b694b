"""Metadata of an added report guessed from its title and first lines: district, years, kind, and
which top-level sections report past results (so figures get the right year and period)."""

from __future__ import annotations

from typing import Any

from assistant.errors import UserError
from assistant.lang.zh.messages import message
from assistant.lang.zh import lexicon
from assistant.lang.zh.text import STATED_YEAR, TITLE_DISTRICT, TOP_HEADING


def places(title: str, opening: str = "") -> tuple[str, str]:
    """(district or county, city) the title names ("" when none), else the opening lines:
    杭州市滨江区 → (滨江区, 杭州市). A title district jieba does not know is found by its position
    (after 市/省 or at the start, before the year or 人民政府)."""
    in_title = TITLE_DISTRICT.search(title)
    district_ends, city_ends = lexicon.district_suffixes(), lexicon.city_suffixes()
    districts = lexicon.place_names(title, district_ends) or ([in_title.group(1)] if in_title else []) \
        or lexicon.place_names(opening, district_ends)
    cities = lexicon.place_names(title, city_ends) or lexicon.place_names(opening, city_ends)
    return (districts[0] if districts else ""), (cities[0] if cities else "")


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
    found_district, city = places(title, opening)
    district = district or found_district or city
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
    stem = district[:-1] if len(district) >= 3 else ""
    short = title[len(city):] if city and title.startswith(city) else title
    return {"title": title, "short_title": short[:40], "district": district,
            "aliases": [stem] if stem else [], "city": city, "kind": kind,
            **_periods(kind, title_years, reviews, year)}
