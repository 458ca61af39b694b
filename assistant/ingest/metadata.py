"""Metadata of an added report guessed from its title and first lines: district, years, kind, and
which top-level sections report past results (so figures get the right year and period)."""

from __future__ import annotations

import logging
import re
from typing import Any

from assistant.errors import UserError

_YEAR = re.compile(r"((?:19|20)\d\d)\s*年")
_TOP_HEADING = re.compile(r"^(# .+|[一二三四五六七八九十]+、.+)$")
# Title words naming the kind of report; the first found wins.
KINDS = (("政府工作报告", "政府工作报告"), ("统计公报", "统计公报"),
         ("国民经济和社会发展计划", "国民经济和社会发展计划报告"), ("预算", "预算报告"),
         ("工作总结", "工作总结"), ("工作安排", "年度工作安排"), ("工作计划", "年度工作安排"),
         ("工作要点", "年度工作安排"), ("规划", "规划"))
_RESULTS_ONLY = ("统计公报", "工作总结")  # kinds that report a finished year only
# Words of a top-level heading over past results ("一、2022年工作回顾", "执行情况").
_REVIEW_WORDS = ("回顾", "执行情况", "完成情况", "工作总结", "过去一年", "过去五年", "主要成绩", "取得的成绩")
_TITLE_DISTRICT = re.compile(r"(?:^|市|省)([\u4e00-\u9fff]{2,3}?[区县])(?=\d|年|人民|政府|[（(]|$)")
_NOT_DISTRICTS = ("全区", "本区", "各区", "城区", "社区", "园区", "景区", "辖区", "地区", "片区", "市区", "山区")


def _tagged_places(text: str, suffixes: tuple[str, ...]) -> list[str]:
    """Place names jieba tags in `text` that end with one of `suffixes` (at least three characters:
    a two-character word like 上市 is not a city)."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return [word for word, flag in jieba.posseg.cut(text)
            if flag == "ns" and len(word) >= 3 and word.endswith(suffixes) and word not in _NOT_DISTRICTS]


def places(title: str, opening: str = "") -> tuple[str, str]:
    """(district or county, city) the title names ("" when none), else the opening lines:
    杭州市滨江区 → (滨江区, 杭州市). A title district jieba does not know is found by its position
    (after 市/省 or at the start, before the year or 人民政府)."""
    in_title = _TITLE_DISTRICT.search(title)
    districts = _tagged_places(title, ("区", "县")) or ([in_title.group(1)] if in_title else []) \
        or _tagged_places(opening, ("区", "县"))
    cities = _tagged_places(title, ("市",)) or _tagged_places(opening, ("市",))
    return (districts[0] if districts else ""), (cities[0] if cities else "")


def top_headings(text: str) -> list[str]:
    """Level-1 headings of a saved text, as the splitter names them ("# " removed)."""
    return [line.removeprefix("# ")
            for line in (line.strip() for line in text.splitlines()) if _TOP_HEADING.match(line)]


def _periods(kind: str, title_years: list[int], reviews: list[str], year: int | None) -> dict[str, Any]:
    """years, actual_year, target_year and actual_sections for the report's kind and headings."""
    if kind in _RESULTS_ONLY:
        actual = year or max(title_years)
        return {"years": [actual], "actual_year": actual, "target_year": None, "actual_sections": [""]}
    target = year or max(title_years)
    if not reviews:
        return {"years": [target], "actual_year": None, "target_year": target, "actual_sections": []}
    in_heading = [int(y) for y in _YEAR.findall(reviews[0])]
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
        raise UserError(f"Could not tell which district {name} is about; give it with --district.")
    title_years = [int(y) for y in _YEAR.findall(title)] or [int(y) for y in _YEAR.findall(opening)]
    if not title_years and not year:
        raise UserError(f"Could not tell which year {name} is about; give it with --year.")
    kind = next((kind for word, kind in KINDS if word in title), "报告")
    reviews = [h for h in top_headings(text) if any(word in h for word in _REVIEW_WORDS)]
    stem = district[:-1] if len(district) >= 3 else ""
    short = title[len(city):] if city and title.startswith(city) else title
    return {"title": title, "short_title": short[:40], "district": district,
            "aliases": [stem] if stem else [], "city": city, "kind": kind,
            **_periods(kind, title_years or [year], reviews, year)}
