"""Typed readers of the Chinese lexicon (lexicon.toml) and answer phrasing (templates.toml).

Each file is read once; word lists come back as tuples or sets, and the few patterns built from
them (a question's asking tail, filler, count words) are compiled here, so the pipeline's code
holds no Chinese words of its own.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

_FOLDER = Path(__file__).parent


@cache
def _data(name: str) -> dict[str, Any]:
    with (_FOLDER / f"{name}.toml").open("rb") as file:
        return tomllib.load(file)


def _section(name: str) -> dict[str, Any]:
    return _data("lexicon")[name]


@cache
def jieba() -> ModuleType:
    """jieba (with its tagger, jieba().posseg), quiet, knowing the glossary's everyday words as
    words: "新能源车有多少辆" keeps 新能源车 whole (not 新能源 / 车有), so the glossary finds it; and
    the words that hold another but mean another thing, and those they hold: 海洋生产总值 and 技能人才
    are asked whole, not as 海洋 and 生产总值 or 技能 and 人才. Every use of jieba goes through here, so
    all see the same dictionary."""
    import jieba as segmenter
    import jieba.posseg  # noqa: F401  (the tagger, as segmenter.posseg)

    segmenter.setLogLevel(logging.WARNING)
    holding = words_holding_table()
    for word in [*synonyms(), *holding, *(h for holders in holding.values() for h in holders)]:
        if len(word) > 1:
            # Tagged as its last part is (the head of a Chinese compound), not left untagged: the
            # tagger marks an untagged word like punctuation.
            parts = list(segmenter.posseg.cut(word))
            segmenter.add_word(word, tag=parts[-1].flag if parts else None)
    return segmenter


@lru_cache(maxsize=1024)  # one question is read several times (places, named things, topic)
def tagged(text: str) -> tuple[tuple[str, str], ...]:
    """jieba's words of `text` with their part-of-speech tags, tagged once per text."""
    return tuple((w.word, w.flag) for w in jieba().posseg.cut(text))


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(word) for word in words)


# --- question reading ---------------------------------------------------------------------------


@cache
def synonyms() -> dict[str, str]:
    """Everyday word -> the reports' wording ("" drops the word), in the file's order."""
    return {word: entry["means"] for word, entry in _section("synonyms").items()}


@cache
def same_as(report_word: str) -> tuple[str, ...]:
    """The report's word and the everyday words the glossary equates with it (地区生产总值: 经济总量,
    GDP): a report may write either."""
    return (report_word, *(word for word, means in synonyms().items() if means == report_word))


@cache
def period_cues(period: str) -> tuple[str, ...]:
    """Words that say a question asks for results ("actual") or plans ("target")."""
    return tuple(_section("period_cues")[period])


def firm_target_cues() -> tuple[str, ...]:
    """Target cues that name nothing but a plan (目标, 打算): they hold against the year."""
    return tuple(_section("question")["firm_target_cues"])


@cache
def relative_years() -> dict[str, int]:
    """Words for years relative to the plan year, as offsets (去年: -1), in the file's order."""
    return dict(_section("relative_years"))


@cache
def generic_words() -> frozenset[str]:
    """Words of a question that name no topic of their own."""
    return frozenset(_section("question")["generic_words"])


@cache
def asking_tail() -> re.Pattern[str]:
    """The end of a question asking for an amount ("是多少", "有多少个")."""
    q = _section("question")
    return re.compile(f"({_alternation(q['asking_tail'])})[{re.escape(q['asking_tail_measures'])}]*$")


@cache
def asking_count() -> re.Pattern[str]:
    """A count asked for, with one measure word ("多少个", "几家")."""
    q = _section("question")
    return re.compile(f"({_alternation(q['count_words'])})[{re.escape(q['count_measures'])}]?")


@cache
def filler() -> re.Pattern[str]:
    """A question's conversational opening ("那么") or ending ("呢?")."""
    q = _section("question")
    return re.compile(f"^({_alternation(q['filler_openings'])})|({_alternation(q['filler_particles'])})?"
                      rf"[{re.escape(q['filler_ending_chars'])}\s]*$")


def topic_trim() -> str:
    """Characters trimmed from both ends of a question's topic."""
    return _section("question")["topic_trim"]


@cache
def target_words() -> re.Pattern[str]:
    """Words asking for a plan, dropped when a follow-up moves to an earlier year."""
    return re.compile(_alternation(_section("question")["target_words"]))


@cache
@lru_cache(maxsize=1)
def exclusion() -> re.Pattern[str]:
    """A part a question leaves out ("不含众创空间", "众创空间不算"): the group `word` is the part."""
    q = _section("question")
    stop = re.escape(q["exclusion_stops"])
    return re.compile(f"(?:{_alternation(q['exclusion_before'])})(?P<word>[^{stop}]{{2,10}}?)(?:在内)?(?=[{stop}]|$)"
                      f"|(?:^|(?<=[{stop}]))(?P<part>[^{stop}]{{2,10}}?)(?:{_alternation(q['exclusion_after'])})"
                      f"(?=[{stop}]|$)")


def excluded(question: str) -> tuple[str, ...]:
    """The parts `question` leaves out (see `exclusion`)."""
    return tuple(m.group("word") or m.group("part") for m in exclusion().finditer(question))


def text_question() -> re.Pattern[str]:
    """Matches a question that asks for a name or a phrase and no count ("叫什么", "是哪个"); a
    comparison ("哪个区新增停车位更多") asks for figures."""
    q = _section("question")
    counts = _alternation([*q["count_words"], *_section("compare")["cues"]])
    return re.compile(f"^(?!.*(?<![{re.escape(q['naming_marks'])}])({counts})).*({_alternation(q['text_cues'])})")


# --- answering ----------------------------------------------------------------------------------


@cache
def asking_words() -> frozenset[str]:
    """Words that say how a question is asked, not what it is about."""
    return frozenset(_section("answer")["asking_words"])


@cache
def _measure_phrase() -> re.Pattern[str]:
    q = _section("question")
    marks = _alternation([*q["count_words"], *q["naming_marks"]])
    numerals, scales = re.escape(numeral_chars() + q["scale_chars"]), re.escape(q["scale_chars"])
    units = _alternation(_section("figures")["units"])
    return re.compile(rf"(?:(?:{marks})[{numerals}]*|[{numerals}]*)(?:{units})|[{scales}]+")


def plan_periods(text: str) -> list[str]:
    """The five-year plan periods `text` names ("十四五")."""
    return re.findall(_section("question")["plan_period"], text)


def numeral_chars() -> str:
    """The characters Chinese numerals are written with (一 … 千)."""
    return _section("question")["numeral_chars"]


def asks_measure(word: str) -> bool:
    """Whether `word` is a measure word, alone or after a count, ordinal or scale ("哪条", "几宗",
    "两个", "亿元", "公里"), or a scale ("万亿"): how many or which are asked, not what about."""
    return _measure_phrase().fullmatch(word) is not None


@cache
def per_unit_words() -> tuple[str, ...]:
    """Words that make a quantity per unit (人均, 亩均): another quantity than the one without."""
    return tuple(_section("answer")["per_unit_words"])


@cache
def contrasts() -> tuple[tuple[str, str], ...]:
    """Pairs of words naming parts of a whole that exclude each other (调查 / 登记, 城镇 / 农村)."""
    return tuple((a, b) for a, b in _section("answer")["contrasts"])


def contrast_both() -> dict[str, list[str]]:
    """Words naming both parts of a contrast at once (城乡: 城镇 and 农村)."""
    return dict(_section("answer")["contrast_both"])


def words_holding_table() -> dict[str, list[str]]:
    """Words and the words that hold them but mean another thing (出口: 进出口)."""
    return _section("answer")["words_holding"]


@cache
def share_words() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(words before, words after) a quantity that a share or ratio is taken of ("占…比重",
    "与…之比"): there it is the whole, not the figure's subject."""
    words = _section("answer")["share_of"]
    return tuple(words["before"]), tuple(words["after"])


@cache
def scope_words() -> frozenset[str]:
    """Words that open a clause with its scope or time, not its subject (全省, 年末)."""
    return frozenset(_section("answer")["scope_words"])


def tail_particles() -> tuple[str, ...]:
    """Particles a question's verb ends with ("建了"), matched without them."""
    return tuple(_section("answer")["tail_particles"])


def whole_prefixes() -> tuple[str, ...]:
    """Prefixes that make a word the whole of a quantity (总 of 总产值)."""
    return tuple(_section("answer")["whole_prefixes"])


@cache
def ordinal() -> re.Pattern[str]:
    """A numbered thing's name: 第 and a numeral, or a number and 号, before the thing's own word
    (第二产业, 18号线; not the rank 全国第二)."""
    section, numerals = _section("answer"), rf"\d{numeral_chars()}"
    return re.compile(rf"(?:{section['ordinal_before']}[{numerals}]+|\d+{section['ordinal_after']})[^{numerals}]")


def increase_words() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Words of a question asking what a year added, and words of a sentence saying it lists that."""
    section = _section("answer")
    return tuple(section["increase_asked"]), tuple(section["increase_stated"])


def continuation_words() -> tuple[str, ...]:
    """Clause openings that continue the figure before them ("力争", "其中")."""
    return tuple(_section("answer")["continuation_words"])


# --- figures -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureWords:
    """The words around figures: units, the qualifiers before and after them, and what makes a
    number part of a name or an ordinal instead of an amount."""

    units: tuple[str, ...]
    unit_blockers: dict[str, str]  # unit -> characters after which it is a word ("人才")
    unit_canonical: dict[str, str]  # spelling -> the one spelling ("％" -> "%")
    relative_units: frozenset[str]  # units that match only themselves ("%")
    qualifiers_before: tuple[str, ...]
    qualifiers_after: tuple[str, ...]
    name_suffixes: tuple[str, ...]
    ordinal_prefixes: tuple[str, ...]


@cache
def figure_words() -> FigureWords:
    """The [figures] section of the lexicon."""
    words = _section("figures")
    return FigureWords(tuple(words["units"]), dict(words["unit_blockers"]), dict(words["unit_canonical"]),
                       frozenset(words["relative_units"]), tuple(words["qualifiers_before"]),
                       tuple(words["qualifiers_after"]), tuple(words["name_suffixes"]),
                       tuple(words["ordinal_prefixes"]))


@cache
def _unit_kinds() -> dict[str, str]:
    return {unit: kind for kind, units in _section("figures")["kinds"].items() for unit in units}


def figure_kind(unit: str) -> str | None:
    """The kind of quantity a figure's base unit measures ("money", "rate", "area", "length",
    "people", or "count:条" for a counted thing); None for a bare number."""
    if not unit:
        return None
    return _unit_kinds().get(unit, f"count:{unit}")


@cache
def _count_measure() -> re.Pattern[str]:
    units = sorted(_section("figures")["units"], key=len, reverse=True)
    count_words = _alternation(_section("question")["count_words"])
    return re.compile(rf"(?:{count_words})[万亿千百]*({_alternation(units)})")


def asked_kind(question: str) -> str | None:
    """The kind of quantity `question` asks for (see figure_kind), or None when it does not say."""
    unless = _section("question")["asked_kinds_unless"]
    # The last count word is the one asking ("那几个园区…完成多少投资" asks the 多少, not the 几个).
    count_words = [m.start() for m in re.finditer(_alternation(_section("question")["count_words"]), question)]
    measure = _count_measure().match(question, count_words[-1]) if count_words else None
    counted = figure_kind(_section("figures")["unit_canonical"].get(measure.group(1), measure.group(1))) \
        if measure else None
    for kind, cues in _section("question")["asked_kinds"].items():
        if kind == "money" and counted and counted.startswith("count:") and measure \
                and not question.startswith(tuple(_section("question")["scale_chars"]), measure.end()):
            continue  # "投了多少只子基金" counts funds: the measure word says so, not the verb
        if any(cue in question for cue in cues) and not any(word in question for word in unless.get(kind, ())):
            return kind
    return counted


def kinds_agree(asked: str | None, figure: str | None, before: str = "") -> int:
    """+1 when a figure of kind `figure`, after the words `before` it, answers a question asking
    `asked`; -1 when it cannot (money for a rate, a count for an area, a change for a level, a share
    for a growth rate or the reverse: "占比51%" answers no 增长多少); 0 when
    the question does not say or both are counts of different measure words (批 and 批次 count
    alike). 个 counts anything, people included."""
    if asked is None:
        return 0
    if asked == "level":  # a level named as such (总量, 规模) is an amount, asked even of a target
        asked = "amount"
    if figure is None:  # a bare number (an index, a title's year, half of "1/4") measures nothing asked
        return 0 if asked in ("amount", "value") else -1
    words = _section("figures")
    changed = before.rstrip().endswith(tuple(words["change_words"]))
    if figure == "rate" and asked in ("rate", "share"):  # a growth rate is no share, nor the reverse
        tail = before.rstrip()
        for link in words["share_links"]:  # "比重保持75%" is a share as "比重75%" is
            tail = tail.removesuffix(link)
        shared = tail.endswith(tuple(words["share_words"]))
        return -1 if (asked == "rate" and shared) or (asked == "share" and changed) else 1
    if asked == figure:
        return 1
    if asked in ("total", "value"):  # "进出口总额", "增加值" are money: no count of firms, no rate
        return 1 if figure == "money" and not changed else -1
    if asked == "amount":  # any measure of a level, but not a rate nor a change ("提高24.2斤")
        return -1 if figure == "rate" or changed else 0
    counted = {kind.startswith("count:") or kind == "people" for kind in (asked, figure)}
    if counted == {True}:
        generic = f"count:{words['generic_counter']}"
        if figure == generic and asked.startswith("count:") and asked.removeprefix("count:") not in \
                words["generic_stands_for"]:
            return -1  # "15个产业" counts no 辆, 吨 or 列
        return 1 if generic in (asked, figure) else 0
    return -1


# --- places and reports -------------------------------------------------------------------------


def name_tags() -> tuple[str, ...]:
    """jieba's tags of names of places and people and of abbreviations (ns, nr, nz, j)."""
    return tuple(_section("places")["gazetteer"]["name_tags"])


def zone_words() -> tuple[str, ...]:
    """Words zones are named with (新区, 合作区): 天府新区 is not its city."""
    return tuple(_section("places")["gazetteer"]["zone_words"])


def names_nothing(lead: str) -> bool:
    """Whether words opening a question before its year name nothing the passages must name (截至,
    中国, 全省, 预计, 我区, 区政府)."""
    gazetteer = _section("places")["gazetteer"]
    return lead in {*gazetteer["lead_not_names"], *national_names(), *wider_regions(), *asking_words(),
                    *scope_words(), *relative_years()} \
        or lead.startswith(tuple(gazetteer["lead_not_starts"])) or lead.endswith(tuple(gazetteer["lead_not_ends"])) \
        or not comparison_words().sub("", lead)  # 两区, 各区


def everyday_short_forms() -> frozenset[str]:
    """Short forms of counties that are everyday words (新建, 港口): never the place."""
    return frozenset(_section("places")["gazetteer"]["everyday_short_forms"])


def word_use_after() -> tuple[str, ...]:
    """What follows a county's short form used as a common word (新建多少个, 新建了)."""
    return tuple(_section("places")["gazetteer"]["word_use_after"])


def region_words() -> tuple[str, ...]:
    """Words regions are named with (地区, 经济带, 城市群): 东北地区 is a place of its own."""
    return tuple(_section("places")["gazetteer"]["region_words"])


def institution_words() -> tuple[str, ...]:
    """Words only a named institution's name ends in (大学): a question about one needs a passage
    naming it."""
    return tuple(_section("places")["gazetteer"]["institution_words"])


def district_suffixes() -> tuple[str, ...]:
    """How district and county names end (区, 县)."""
    return tuple(_section("places")["district_suffixes"])


def wider_regions() -> tuple[str, ...]:
    """Words for the places above districts (全市, 全国) that district reports give no figures for."""
    return tuple(_section("places")["wider_regions"])


def ranking_words() -> tuple[str, ...]:
    """Words after 全市/全省 that make a ranking (全市第一), not the wider place."""
    return tuple(_section("places")["ranking_words"])


def place_suffixes(level: str) -> tuple[str, ...]:
    """How division names of `level` ("province", "city", "county") end."""
    return tuple(_section("places")["gazetteer"]["suffixes"].get(level, ()))


def country_locale() -> str:
    """The locale of the other countries' names (pycountry's translations)."""
    return str(_section("places")["gazetteer"]["country_locale"])


def nation_initials() -> tuple[str, ...]:
    """Characters that open a pair of China and another country (中 of 中非), no country name."""
    return tuple(_section("places")["gazetteer"]["nation_initials"])


def national_subjects() -> tuple[str, ...]:
    """Words naming the nation only as the subject of a question (国家, 中央, 中国)."""
    return tuple(_section("places")["gazetteer"]["national_subjects"])


def clause_stops_and_year() -> tuple[str, ...]:
    """What comes right before a question's subject: a clause's stop or its year's 年."""
    return tuple(_section("places")["gazetteer"]["national_subject_openers"])


def national_names() -> tuple[str, ...]:
    """Words for the country as a whole (全国, 国务院, 我国); the first is its display name."""
    return tuple(_section("places")["gazetteer"]["national"])


def non_place_tags() -> tuple[str, ...]:
    """jieba tags (prefixes) of words that are not places, for short forms like 合作 (合作市)."""
    return tuple(_section("places")["gazetteer"]["non_place_tags"])


def reference_words() -> tuple[str, ...]:
    """Words after which a place is the whole a share or rank is taken of ("占全国", "居全国")."""
    return tuple(_section("places")["reference_words"])


def proper_name_continuations() -> tuple[str, ...]:
    """Words that make a place name part of another proper name (西湖大学)."""
    return tuple(_section("places")["gazetteer"]["proper_name_continuations"])


def place_people() -> tuple[str, ...]:
    """Words after a place name that name its people (河南人): the place is asked about."""
    return tuple(_section("places")["gazetteer"]["place_people"])


def place_facilities() -> tuple[str, ...]:
    """Words after a place name that keep it the place asked (深圳机场: 深圳)."""
    return tuple(_section("places")["gazetteer"]["place_facilities"])


def report_kinds() -> tuple[tuple[str, str], ...]:
    """(title word, kind of report) pairs; the first whose word a title contains wins."""
    return tuple((word, kind) for word, kind in _section("reports")["kinds"])


@cache
def report_year() -> re.Pattern[str]:
    """A year that names a report ("2026年政府工作报告"), not the year of the data asked."""
    words = _alternation(_section("reports")["report_words"])
    return re.compile(rf"((?:19|20)\d\d)\s*年[^，。,;；？?\d]{{0,12}}?(?:{words})")


@cache
def report_reference() -> re.Pattern[str]:
    """Where a question says it looks ("政府工作报告里提到的"): no part of its topic."""
    reports = _section("reports")
    words, verbs = _alternation(reports["reference_words"]), _alternation(reports["reference_verbs"])
    return re.compile(f"(?:{words})(?:{verbs})*的?")


def default_report_kind() -> str:
    """The kind of a report whose title names none."""
    return _section("reports")["default_kind"]


def results_only_kinds() -> tuple[str, ...]:
    """Kinds of report that state a finished year's results only."""
    return tuple(_section("reports")["results_only"])


def review_words() -> tuple[str, ...]:
    """Words of a top-level heading over past results ("回顾", "执行情况")."""
    return tuple(_section("reports")["review_words"])


def made_up_name_chars() -> tuple[str, str]:
    """(first, second) characters for made-up district names of synthetic corpora."""
    synthetic = _section("synthetic")
    return synthetic["first_chars"], synthetic["second_chars"]


# --- answer phrasing ----------------------------------------------------------------------------


def period_label(use: str, period: str) -> str:
    """How an "answer" or a "passage" label names a period ("actual", "target"); "" for any other."""
    return _data("templates")[use]["period"].get(period, "")


def phrase(key: str, **fields: object) -> str:
    """The template at dotted `key` of templates.toml ("answer.part") with `fields` filled in."""
    value: Any = _data("templates")
    for part in key.split("."):
        value = value[part]
    return value.format(**fields) if fields else value


# --- comparisons ------------------------------------------------------------------------------


@cache
def comparison_cues() -> tuple[str, ...]:
    """Words that ask which of several places' figures is larger ("哪个更多", "对比", "谁更高")."""
    return tuple(_section("compare")["cues"])


def comparison_which_words() -> tuple[str, ...]:
    """Which-words that, with a question ending in 多/高/大…, ask for a comparison ("哪个区的托位多")."""
    return tuple(_section("compare")["which_words"])


@cache
def comparison_words() -> re.Pattern[str]:
    """Words saying a question is about several places or a comparison ("分别", "两区", "哪个更多"),
    never what it is about; longest first."""
    return re.compile(_alternation(sorted(_section("compare")["question_words"], key=len, reverse=True)))


@cache
def comparison_topic_words() -> re.Pattern[str]:
    """Words of a comparison question around the quantity it compares ("哪个区", "更多", "分别")."""
    words = sorted(_section("compare")["topic_words"], key=len, reverse=True)
    return re.compile(_alternation(words))


def comparison_topic_openings() -> str:
    """Characters that may open a compared quantity once the places are dropped ("和", "与")."""
    return _section("compare")["topic_openings"]


def comparison_topic_endings() -> str:
    """Characters that may end a compared quantity once the comparison words are dropped ("多")."""
    return _section("compare")["topic_endings"]


@cache
def approximate_qualifiers() -> frozenset[str]:
    """Qualifiers that make a stated figure approximate ("约", "左右", "余")."""
    return frozenset(_section("compare")["approximate"])
