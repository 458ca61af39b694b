"""Reading a question: which districts and year it means, and what it asks after a follow-up."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial

from assistant.lang.zh import lexicon
from assistant.lang.zh.messages import listing
from assistant.lang.zh.places import Place, PlaceMention, ancestors, place_named, places, read_names
from assistant.lang.zh.text import ASKED_YEAR, BRACKETS_CLOSE, BRACKETS_OPEN, LEAD_NAME

# Everyday words mapped to the reports' indicator names: the question is searched and matched with
# the report's wording in place of the everyday one.
SYNONYMS = lexicon.synonyms()
ALTERNATIVES = "|"  # joins the spellings of one term, any of which fills it ("高铁|高速铁路")
SPELLING_SEPARATORS = re.compile(f"[{re.escape(ALTERNATIVES + BRACKETS_OPEN + BRACKETS_CLOSE)}]")
NOT_FOUND = lexicon.phrase("not_found")  # how every abstention begins


@dataclass(frozen=True)
class Intent:
    """What a standalone question asks: search text plus the districts and period it is about."""

    question: str  # the standalone question (after follow-up resolution)
    search_text: str  # question plus the indicator names its everyday words stand for
    districts: tuple[str, ...]  # districts named (canonical); empty means every district
    unknown_district: str | None  # a place named that no report covers
    year: int | None
    period: str | None  # "actual" | "target" | None
    topic: str  # the question with districts, years and filler removed
    key_text: str = ""  # the topic in the reports' wording (SYNONYMS applied), for matching clauses
    wider_place: str | None = None  # a place above the covered ones (浙江省 when districts are indexed)
    asked_kind: str | None = None  # the kind of quantity asked ("money", "rate", "count:条"), if it says
    report_year: int | None = None  # the year of the report the question names ("2024年政府工作报告里")
    place_years: tuple[tuple[str, int], ...] = ()  # a year of its own for each place ("成都2024年和四川2025年")
    years: tuple[tuple[int, str | None], ...] = ()  # (year, period) of each year asked ("2020年和2021年…分别")
    entities: tuple[str, ...] = ()  # things named after a place, which a passage must name (西湖大学)
    leading: tuple[str, ...] = ()  # a name the gazetteer lacks opening the question (前海2023年…)
    excluded: tuple[str, ...] = ()  # parts the question leaves out ("众创空间不算"): no figure's subject

    def year_of(self, place: str) -> int | None:
        """The year asked of `place`: its own, else the question's."""
        return dict(self.place_years).get(place, self.year)


WITHIN_CHARS = 6  # "下面的", "所辖的": longer words between two places say more than where one is


class QuestionReader:
    """Knows the districts and years of the indexed reports, and reads questions against them."""

    def __init__(self, reports: Sequence[dict], stated_years: Iterable[int] = ()) -> None:
        # Each report's place in the gazetteer (by its name and the place above it); a report's
        # aliases and a place the gazetteer lacks (a made-up district) become names of their own.
        self._covered: dict[str, str] = {}  # place code -> the reports' name for it
        self._extra: dict[str, tuple[Place, ...]] = {}
        for report in reports:
            name = report["district"]
            place = place_named(name, report.get("city") or "") or Place(f"report:{name}", name, "county", None)
            self._covered[place.code] = name
            for alias in (name, *report.get("aliases", ())):
                self._extra[alias] = (place,)
        # One reading of a text's places and named things, however often the question is read.
        self._read_names = lru_cache(maxsize=256)(partial(read_names, extra=self._extra))
        # The places above the covered ones (their city, province, the nation), known once.
        gazetteer = places()
        self._above_covered = {above.code for code in self._covered if code in gazetteer
                               for above in ancestors(gazetteer[code])}
        self.years = sorted({y for r in reports for y in r.get("years", ())})
        # Every year a question may ask: the reports' own years and any year their text states
        # (a 2030 target, a 2025 baseline), so those are searched, not refused.
        self.askable_years = set(self.years) | set(stated_years)
        # Which kinds of figure the reports give for each year: {2022: {"actual"}, 2023: {"target"}}.
        self.periods: dict[int, set[str]] = {}
        for report in reports:
            for kind in ("actual", "target"):
                if report.get(f"{kind}_year"):
                    self.periods.setdefault(report[f"{kind}_year"], set()).add(kind)
        # 今年 is the latest year the reports plan for (去年 the year before), not the calendar year:
        # users ask about the reports in front of them.
        targets = [year for year, kinds in self.periods.items() if "target" in kinds] or self.years
        self._plan_year = max(targets) if targets else None
        self._place_plan_years: dict[str, int] = {}  # each place's latest report: its 今年
        for report in reports:
            year, place = report.get("target_year") or max(report.get("years") or [0]), report["district"]
            if year:
                self._place_plan_years[place] = max(year, self._place_plan_years.get(place, 0))

    def places_in(self, text: str) -> list[PlaceMention]:
        """Every place the text names, covered or not, read as whole names; not a name inside
        another proper name (a report's alias 高新区 in 成都高新区)."""
        mentions, entities = self._read_names(text)
        return [m for m in mentions if not any(s <= m.start < e for s, e in entities)]

    def zone_places(self, text: str) -> list[PlaceMention]:
        """Covered places named as the place of a zone of theirs (博野 of 博野开发区, 河南 of 河南自贸区):
        their own report gives the zone's figures, naming it by the zone word alone."""
        found = []
        for start, end in self._read_names(text)[1]:
            zone = next((z for z in lexicon.zone_words() if text.endswith(z, start, end)), None)
            if zone is None:
                continue
            place = text[start:end - len(zone)]
            found += [dataclasses.replace(m, start=start + m.start, end=start + m.end)
                      for m in self._read_names(place)[0]
                      if m.start == 0 and m.end == len(place) and any(p.code in self._covered for p in m.places)]
        return found

    def _asked_places(self, text: str) -> list[PlaceMention]:
        """The places a question asks about, in order: those it names and those of zones it names."""
        return sorted([*self.places_in(text), *self.zone_places(text)], key=lambda m: m.start)

    def districts_in(self, text: str) -> tuple[str, ...]:
        """The covered places the text names, as the reports name them, in order; a place named
        only as the parent of another (成都市 of 成都市武侯区, 四川 of 四川成都) is not asked about."""
        mentions = self._asked_places(text)
        qualified = [m for m, before in zip(mentions[1:], mentions, strict=False) if before.end == m.start]
        parents = {a.code for m in qualified for p in m.places for a in ancestors(p)}
        found = [self._covered[p.code] for mention in mentions for p in mention.places
                 if p.code in self._covered and p.code not in parents]
        return tuple(dict.fromkeys(found))

    def within_covered(self, text: str) -> tuple[str, ...]:
        """Places no report covers, named as inside one that is (遵义下面的仁怀市, 河南2025年郑州…):
        the covered one's report answers for them only where the figure's sentence names them."""
        mentions = self.places_in(text)
        return tuple(later.text for i, m in enumerate(mentions) for later in mentions[i + 1:]
                     if not any(q.code in self._covered for q in later.places) and _within(text[m.end:later.start])
                     and any(p.code in self._covered and p in ancestors(q) for p in m.places for q in later.places))

    def covered_under(self, name: str) -> list[str]:
        """The covered places inside the place called `name` (鄞州区 and 海曙区 for 宁波), as the
        reports name them; empty when it names no place of the gazetteer (全市)."""
        wanted = {p.code for m in self.places_in(name) for p in m.places}
        gazetteer = places()
        return [covered for code, covered in self._covered.items() if code in gazetteer
                and wanted & {a.code for a in ancestors(gazetteer[code])}]

    def entities_in(self, text: str) -> tuple[str, ...]:
        """Things named after a place, which a passage must name to answer: 西湖大学, 成都高新区, and
        the port or airport of a place no report covers (宁波舟山港, 郑州机场: its province's report
        may give its figures)."""
        spans = [*self._read_names(text)[1], *self._facilities(text), *_institutions(text)]
        named = [*((m.start, m.end) for m in self.places_in(text)), *spans]
        spans += [(s, e) for s, e in _other_names(text) if not any(a < e and s < b for a, b in named)]
        return tuple(dict.fromkeys(text[start:end] for start, end in spans))

    def leading_name(self, text: str) -> tuple[str, ...]:
        """A name opening the question right before its year that is no place, nor a thing named
        otherwise ("前海2023年…", "滨萧特别合作园2022年…"): what the question is about, so the
        sentence of the figure must name it."""
        lead = LEAD_NAME.match(text)
        if lead is None or lexicon.names_nothing(lead.group(1)) or self.places_in(lead.group(1)) \
                or any(lead.group(1) in e or e in lead.group(1) for e in self.entities_in(text)):
            return ()
        return (lead.group(1),)

    def _facilities(self, text: str) -> list[tuple[int, int]]:
        """Spans of the ports, airports and stations of places no report covers, with the places
        before them (宁波舟山港)."""
        mentions, facilities, spans = self.places_in(text), lexicon.place_facilities(), []
        for i, mention in enumerate(mentions):
            facility = next((f for f in facilities if text.startswith(f, mention.end)), None)
            if facility is None or any(p.code in self._covered for p in mention.places):
                continue
            first = i
            while first > 0 and mentions[first - 1].end == mentions[first].start:
                first -= 1
            spans.append((mentions[first].start, mention.end + len(facility)))
        return spans

    def _uncovered(self, text: str) -> tuple[str | None, str | None]:
        """(a named place no report covers, a named place above the covered ones), first of each.
        A place above a covered place the text also names (宁波市 of 宁波市鄞州区) is neither, nor
        is the place of a port or airport (宁波 of 宁波舟山港)."""
        facilities = self._facilities(text)
        mentions = [m for m in self.places_in(text) if not any(s <= m.start < e for s, e in facilities)]
        named_covered = bool(self.districts_in(text))  # 浙江 of 浙江杭州 is only 杭州's province
        unknown = wider = None
        for mention in mentions:
            codes = {p.code for p in mention.places}
            if codes & self._covered.keys():
                continue
            if codes & self._above_covered:
                wider = wider or (None if named_covered else mention.text)
            else:
                unknown = unknown or mention.text
        if wider is None and not named_covered:  # 全市, 全省: above any district, unless a ranking
            rankings = lexicon.ranking_words()
            wider = next((word for word in lexicon.wider_regions()
                          if word in text and not text.split(word, 1)[1].startswith(rankings)), None)
        return unknown, wider

    def _year(self, text: str) -> int | None:
        """The year of the data asked: a year the text states that is not a report's year
        ("2026年政府工作报告里，2025年的……" asks 2025), else 今年 and such (of the report named, if
        one is: "2025年政府工作报告说去年…" asks 2024); a report's year alone asks nothing of the
        data's year (that report reviews one year and plans the next)."""
        data = self._data_years(text)
        return data[0] if data else self.relative_year(text)[1]

    def _data_years(self, text: str) -> list[int]:
        """Every year of the data the text asks, in order, each once."""
        return list(dict.fromkeys(year for _, year in _stated_data_years(text)))

    def place_years(self, text: str) -> tuple[tuple[str, int], ...]:
        """Each covered place with the year written after it, before the next place ("全国2022年的…和
        内蒙古2025年的…"), when the places asked have different years; else ()."""
        mentions = [m for m in self.places_in(text) if self.districts_in(m.text)]
        if len(mentions) < 2:
            return ()
        years = _stated_data_years(text)
        pairs = []
        ends = [m.start for m in mentions[1:]] + [len(text)]
        for mention, end in zip(mentions, ends, strict=True):
            own = [y for pos, y in years if mention.end <= pos < end]
            if own:
                pairs.append((self.districts_in(mention.text)[0], own[0]))
        return tuple(pairs) if len(pairs) > 1 and len({y for _, y in pairs}) > 1 else ()

    def relative_place_years(self, text: str) -> tuple[tuple[str, int], ...]:
        """今年 and such for each place named, when their latest reports plan for different years
        ("深圳和广东今年…": each place's own 今年); else ()."""
        word = next((w for w in lexicon.relative_years() if w in text), None)
        if not word or self.report_year(text) or self._data_years(text):
            return ()
        pairs = tuple((d, self._place_plan_years[d] + lexicon.relative_years()[word])
                      for d in self.districts_in(text) if d in self._place_plan_years)
        return pairs if len(pairs) > 1 and len({y for _, y in pairs}) > 1 else ()

    def report_year(self, text: str) -> int | None:
        """The year of the report the text names ("2024年政府工作报告里"), if it names one."""
        found = lexicon.report_year().search(text)
        return int(found.group(1)) if found else None

    def relative_year(self, text: str) -> tuple[str | None, int | None]:
        """(今年/去年/… as written, the year it stands for) when the text says one, else (None, None).
        今年 is the year of the report the text names, else the latest year the reports of the places
        it names plan for, else the latest of all reports: users ask about the reports in front of them."""
        places = [self._place_plan_years[d] for d in self.districts_in(text) if d in self._place_plan_years]
        plan = self.report_year(text) or (max(places) if places else self._plan_year)
        word = next((w for w in lexicon.relative_years() if w in text), None)
        return (word, plan + lexicon.relative_years()[word]) if word and plan else (None, None)

    def topic_of(self, text: str) -> str:
        """The question without place names, years and conversational filler."""
        for mention in reversed(self._asked_places(text)):
            text = text[:mention.start] + text[mention.end:]
        text = lexicon.exclusion().sub("", text)  # a part left out is what the topic is not
        text = lexicon.comparison_words().sub("", text)  # 分别, 两区, 哪个更多: no topic of their own
        for word in lexicon.relative_years():
            text = text.replace(word, "")
        text = lexicon.report_reference().sub("", ASKED_YEAR.sub("", text))
        return lexicon.filler().sub("", text.strip()).strip(lexicon.topic_trim())

    def read(self, question: str) -> Intent:
        """The Intent of a standalone question."""
        year = self._year(question)
        period = _period(question, year, self.periods)
        place_years = self.place_years(question) or self.relative_place_years(question)
        data_years = self._data_years(question) if not place_years else []
        years = tuple((y, _period(question, y, self.periods)) for y in data_years) if len(data_years) > 1 else ()
        if not years and not place_years and year and self.periods.get(year) == {"actual", "target"}:
            years = tuple((year, p) for p in _both_periods(question))  # "计划…多少? 实际完成了多少?"
        topic = self.topic_of(question)
        expansions = [v for k, v in SYNONYMS.items() if k in question and v]
        unknown, wider = self._uncovered(question)
        return Intent(question=question, search_text=" ".join([question, *expansions]),
                      districts=self.districts_in(question), unknown_district=unknown, year=year,
                      period=period, topic=topic,
                      key_text=in_report_wording(lexicon.asking_count().sub(" ", topic)), wider_place=wider,
                      # 比较 is no 比 ("比上年"): comparison words are no change words
                      asked_kind=lexicon.asked_kind(lexicon.comparison_words().sub("", question)),
                      report_year=self.report_year(question),
                      place_years=place_years, years=years, entities=self.entities_in(question),
                      excluded=lexicon.excluded(question),
                      leading=(*self.leading_name(question), *self.within_covered(question)))

    def resolve(self, question: str, history: Sequence[str]) -> str:
        """The standalone question a follow-up stands for, given earlier user turns (oldest first).

        A turn that names a district and its own topic stands alone. Otherwise the district and
        year carry over from the previous turn, and so does its topic unless the turn names a new
        one ("那人才呢?"); "增长了多少?", "出让了多少亩?" or "2022年完成了多少?" extend it.
        """
        previous = None
        for turn in history:  # each turn read against the one before it, oldest first (no recursion)
            previous = turn if previous is None else self._follow(turn, previous)
        return question if previous is None else self._follow(question, previous)

    def _follow(self, question: str, previous: str) -> str:
        """`question` read as a follow-up of the standalone question `previous`."""
        year, topic = self._year(question), self.topic_of(question)
        specific = _topic_nouns(topic)
        named = [m.text for m in self.places_in(question)]  # covered or not: a place named now beats history
        if named and specific:
            return question
        prev_year = self._year(previous)
        new_year = year or prev_year
        district_text = listing(named or self.districts_in(previous))
        year_text = lexicon.phrase("year", year=new_year) if new_year else ""
        if specific:
            return f"{district_text}{year_text}{topic}"
        prev_topic = lexicon.asking_tail().sub("", self.topic_of(previous))
        if year and prev_year and year < prev_year:
            prev_topic = lexicon.target_words().sub("", prev_topic)
        return f"{district_text}{year_text}{prev_topic}{topic}"


def _institutions(text: str) -> list[tuple[int, int]]:
    """Spans of named institutions (浙江工业大学, 电子科技大学): an organisation's name ending in a
    word only named institutions end in (大学; not 公司 or 医院: 上市公司 and 社区医院 are kinds),
    or such a word right after a noun."""
    kinds = lexicon.institution_words()
    spans, position, previous = [], 0, ("", "")
    for word, flag in lexicon.tagged(text):
        end = position + len(word)
        if flag == "nt" and word.endswith(kinds) and word not in kinds:
            spans.append((position, end))
        elif word in kinds and previous[0] and previous[1].startswith("n"):
            spans.append((position - len(previous[0]), end))
        position, previous = end, (word, flag)
    return spans


def _other_names(text: str) -> list[tuple[int, int]]:
    """Spans of names of places the gazetteer lacks: a region (长三角, 东北地区, 成渝地区), a zone
    (天府新区), a name in brackets (成渝 of 中欧班列（成渝）) or a one-character abbreviation jieba
    takes for a name, opening the question or before a year (苏 of "苏2024年GDP"). A passage must
    name them to answer, so a question about them is never answered with a covered place's figure."""
    tags, regions, zones = lexicon.name_tags(), lexicon.region_words(), lexicon.zone_words()
    spans, position, previous = [], 0, ("", "")
    words = lexicon.tagged(text)
    for i, (word, flag) in enumerate(words):
        end = position + len(word)
        if text.startswith(zones, position):
            start = _zone_name_start(words[:i], position)
            if start is not None:
                spans.append((start, position + next(len(z) for z in zones if text.startswith(z, position))))
        elif word.endswith(zones) and word not in zones and (flag in tags or flag.startswith("n")):
            spans.append((position, end))  # jieba knows the zone (雄安新区)
        if len(word) == 1 and flag in tags and (position == 0 or text[end:end + 1].isdigit()) \
                and word not in lexicon.place_facilities():  # 港 of 烟台港2023年
            spans.append((position, end))
        elif word.endswith(regions) and word not in regions and flag in tags:
            spans.append((position, end))
        elif word in regions and previous[0] and previous[1] in (*tags, "f"):
            spans.append((position - len(previous[0]), end))
        elif flag in tags and len(word) > 1 and position > 0 and text[position - 1] in BRACKETS_OPEN \
                and text[end:end + 1] and text[end] in BRACKETS_CLOSE:
            spans.append((position, end))  # the name of a route or a line, bracketed (中欧班列（成渝）)
        position, previous = end, (word, flag)
    return spans


def _zone_name_start(before: Sequence[tuple[str, str]], position: int) -> int | None:
    """Where the name of a zone starting at `position` begins: the nouns or direction right before
    it, at least two characters (天府 of 天府新区, 前+海 of 前海合作区); None when there are none
    (几个新区)."""
    start = position
    for word, flag in reversed(before):
        if not (flag.startswith("n") or flag in ("f", "j")) or position - start >= 2:
            break
        start -= len(word)
    return start if position - start >= 2 else None


def _topic_nouns(topic: str) -> list[str]:
    """Nouns that name a new topic ("人才", "家庭养老床位"); a turn with only verbs ("新认定了多少家",
    "出让了多少亩") refines the previous topic instead."""
    generic = lexicon.generic_words()
    return [w.word for w in lexicon.jieba().posseg.cut(topic) if len(w.word) > 1 and w.word not in generic
            and (w.flag.startswith("n") or w.flag in ("j", "l", "eng"))]


def segment(text: str) -> list[str]:
    """Words of a Chinese text (jieba, loaded on first use)."""
    return lexicon.jieba().lcut(text)


def in_report_wording(text: str) -> str:
    """`text` with each everyday word the glossary knows made one term of its spellings, the asker's
    own first ("高铁|高速铁路": a report may write either), whole words only (so 新开 is
    replaced but 新开工 is not); a phrase of up to three words wins over its parts (经济增速).
    Words the glossary gives one meaning (争取, 冲刺: 力争) make one term; a word it gives no
    meaning ("") is dropped."""
    words, out, i = segment(text), [], 0
    terms: dict[str, list[str]] = {}  # a glossary meaning → the question's words for it
    while i < len(words):
        for j in range(min(len(words), i + 3), i, -1):
            phrase = "".join(words[i:j])
            if phrase in SYNONYMS:
                means = SYNONYMS[phrase]
                if means:
                    if means not in terms:
                        terms[means] = []
                        out.append(means)
                    terms[means].append(phrase)
                i = j
                break
        else:
            out.append(words[i])
            i += 1
    return " ".join(_spellings(terms[w], w) if w in terms else w for w in out if w)


def _spellings(words: list[str], means: str) -> str:
    """"高铁|高速铁路": the asker's words and the glossary's spellings of them as one term."""
    return ALTERNATIVES.join(dict.fromkeys(s for s in [*words, *SPELLING_SEPARATORS.split(means)] if s))


def _stated_data_years(text: str) -> list[tuple[int, int]]:
    """(position, year) of each year the text states that is not a report's year."""
    report_years = {r.start(1) for r in lexicon.report_year().finditer(text)}
    return [(m.start(1), int(m.group(1))) for m in ASKED_YEAR.finditer(text) if m.start(1) not in report_years]


def names_entity(entity: str, subject: str, district: str) -> bool:
    """Whether a figure's subject names the thing named after a place: as the question writes it,
    or, for a zone in that place's own report, by its zone word in a spelling the glossary gives it
    (河南自贸区 as 自贸试验区 in 河南's report, 博野开发区 as 开发区 in 博野县's; not 西湖大学 as 大学)."""
    if entity in subject:
        return True
    place = next((entity[:k] for k in range(len(entity) - 1, 1, -1) if district.startswith(entity[:k])), "")
    rest = entity[len(place):]
    if rest not in lexicon.zone_words():
        return False
    spellings = [rest, *SPELLING_SEPARATORS.split(lexicon.synonyms().get(rest, ""))]
    return bool(place) and any(s and s in subject for s in spellings)


def _within(between: str) -> bool:
    """Whether the words between two place names make the first the place of the second: a few
    words, none joining them as two places asked about (和, 、, 对比)."""
    return len(between) <= WITHIN_CHARS and not any(c in between for c in lexicon.comparison_topic_openings()) \
        and not any(cue in between for cue in lexicon.comparison_cues())


def _both_periods(question: str) -> list[str]:
    """"target" and "actual" in the order the question asks them, when it asks both in words of
    its own (去年 and 今年 name years, not periods); else []."""
    relative = lexicon.relative_years()
    first = {p: min((question.find(c) for c in lexicon.period_cues(p) if c in question and c not in relative),
                    default=-1) for p in ("target", "actual")}
    return sorted(first, key=first.__getitem__) if min(first.values()) >= 0 else []


def _period(question: str, year: int | None, periods: dict[int, set[str]]) -> str | None:
    """"actual" or "target": results when the question asks only for results in words of its own
    (实际, 完成了), even of a year the reports only plan (that plan is no result); else the year,
    when the reports give one kind for it (2022: results, 2023: targets); else cue words like 目标.
    Most target cues do not override the year: they also name results (计划总投资, 预期寿命); firm
    ones (目标, 打算) do."""
    cued = [p for p in ("actual", "target") if any(c in question for c in lexicon.period_cues(p))]
    own = [p for p in cued if any(c in question for c in lexicon.period_cues(p) if c not in lexicon.relative_years())]
    if own == ["actual"]:
        return "actual"
    if "actual" not in own and any(c in question for c in lexicon.firm_target_cues()):
        return "target"  # "2020年GDP增长目标" asks a plan, though the reports give 2020's results only
    if year in periods and len(periods[year]) == 1:
        return next(iter(periods[year]))
    return (own or cued)[0] if cued else None  # "去年…目标" asks last year's target: 去年 names a year
