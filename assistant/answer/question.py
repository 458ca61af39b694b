"""Reading a question: which districts and year it means, and what it asks after a follow-up."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

# Districts a user may name that no report covers: asking about them must not borrow another's figure.
OTHER_DISTRICTS = ("上城", "下城", "江干", "西湖", "萧山", "余杭", "临平", "钱塘", "富阳", "临安",
                   "桐庐", "淳安", "建德", "朝阳", "海淀", "浦东", "黄浦", "徐汇", "南山", "福田")
# Places above the districts: the reports give district figures, never these.
WIDER_REGIONS = ("杭州市", "浙江省", "全市", "全省", "全国")
# Everyday words mapped to the reports' indicator names: the question is searched and matched with
# the report's wording in place of the everyday one.
SYNONYMS = {
    "停车位": "停车泊位", "车位": "停车泊位", "经济总量": "地区生产总值", "GDP": "地区生产总值",
    "经济增速": "地区生产总值增长", "经济增长": "地区生产总值增长", "增速": "增长",
    "研发投入强度": "研究和试验发展经费支出与地区生产总值之比", "研发投入": "研发经费支出",
    "招了": "引进", "招人才": "引进人才", "引才": "引进人才", "新工作": "就业", "工作岗位": "就业",
    "零售额": "社会消费品零售总额", "消费总额": "社会消费品零售总额",
    "失业率": "调查失业率", "高企": "高新技术企业", "财政收入": "财政总收入", "托育名额": "托位",
    "最低": "确保", "保住": "确保", "保底": "确保", "争取": "力争", "冲到": "力争", "冲刺": "力争",
    "公司": "企业", "卖地": "出让", "老小区": "老旧小区", "老房子": "既有住宅", "新开": "新建", "入学名额": "学位",
    "助餐点": "助餐", "装电梯": "加装电梯", "拿到": "", "成功": "",
}
NOT_FOUND = "未在报告中找到"  # how every abstention begins
_YEAR = re.compile(r"(20\d\d)\s*年?")
_ACTUAL_CUES = ("去年", "上一年", "完成了", "实现了", "达到了", "实际", "过去一年", "完成多少", "完成了多少")
_TARGET_CUES = ("目标", "计划", "力争", "确保", "预期", "今年", "打算", "要新增", "安排")
_RELATIVE_YEARS = {"去年": 2022, "今年": 2023, "前年": 2021, "明年": 2024}
_GENERIC = re.compile(r"新增|增长|完成|实现|达到|目标|计划|力争|确保|是多少|多少|情况|实际|下降|"
                      r"那么|那|还有|是|了|的|有|要|个|呢|吗|怎么样|如何")
_ASKING_TAIL = re.compile(r"(是多少|有多少|多少|是什么|几|怎么样|如何)[个家所人项亩条座万亿元%]*$")
_ASKING_COUNT = re.compile(r"(多少|几)[个家所人项亩条座台名张次元]?")
_FILLER = re.compile(r"^(那么|那|还有|再|另外)|(呢|吗|呀|啊)?[?？。!！\s]*$")


@dataclass(frozen=True)
class Intent:
    """What a standalone question asks: search text plus the districts and period it is about."""

    question: str  # the standalone question (after follow-up resolution)
    search_text: str  # question plus the indicator names its everyday words stand for
    districts: tuple[str, ...]  # districts named (canonical); empty means every district
    unknown_district: str | None  # a district named that no report covers
    year: int | None
    period: str | None  # "actual" | "target" | None
    topic: str  # the question with districts, years and filler removed
    key_text: str = ""  # the topic in the reports' wording (SYNONYMS applied), for matching clauses


class QuestionReader:
    """Knows the districts and years of the indexed reports, and reads questions against them."""

    def __init__(self, reports: Sequence[dict]) -> None:
        self._aliases: list[tuple[str, str]] = []
        for report in reports:
            names = [report["district"], *report.get("aliases", ())]
            self._aliases += [(name, report["district"]) for name in names]
        self._aliases.sort(key=lambda pair: -len(pair[0]))
        self.years = sorted({y for r in reports for y in r.get("years", ())})
        # Which kinds of figure the reports give for each year: {2022: {"actual"}, 2023: {"target"}}.
        self.periods: dict[int, set[str]] = {}
        for report in reports:
            for kind in ("actual", "target"):
                if report.get(f"{kind}_year"):
                    self.periods.setdefault(report[f"{kind}_year"], set()).add(kind)

    def districts_in(self, text: str) -> tuple[str, ...]:
        found: list[str] = []
        for name, district in self._aliases:
            if name in text and district not in found:
                found.append(district)
        return tuple(found)

    def _unknown_district(self, text: str) -> str | None:
        for name in OTHER_DISTRICTS:
            if name in text:
                return name + ("区" if name not in ("桐庐", "淳安", "建德") else "")
        return next((name for name in WIDER_REGIONS if name in text), None)

    def _year(self, text: str) -> int | None:
        match = _YEAR.search(text)
        if match:
            return int(match.group(1))
        return next((y for word, y in _RELATIVE_YEARS.items() if word in text), None)

    def topic_of(self, text: str) -> str:
        """The question without district names, years and conversational filler."""
        for name, _ in self._aliases:
            text = text.replace(name, "")
        for word in _RELATIVE_YEARS:
            text = text.replace(word, "")
        text = _YEAR.sub("", text)
        return _FILLER.sub("", text.strip()).strip(" ,，的")

    def read(self, question: str) -> Intent:
        """The Intent of a standalone question."""
        year = self._year(question)
        period = _period(question, year, self.periods)
        topic = self.topic_of(question)
        expansions = [v for k, v in SYNONYMS.items() if k in question and v]
        return Intent(question=question, search_text=" ".join([question, *expansions]),
                      districts=self.districts_in(question),
                      unknown_district=self._unknown_district(question), year=year,
                      period=period, topic=topic,
                      key_text=in_report_wording(_ASKING_COUNT.sub(" ", topic)))

    def resolve(self, question: str, history: Sequence[str]) -> str:
        """The standalone question a follow-up stands for, given earlier user turns (oldest first).

        A turn that names a district and its own topic stands alone. Otherwise the district and
        year carry over from the previous turn, and so does its topic unless the turn names a new
        one ("那人才呢?"); "增长了多少?", "出让了多少亩?" or "2022年完成了多少?" extend it.
        """
        if not history:
            return question
        previous = self.resolve(history[-1], history[:-1])
        districts, year, topic = self.districts_in(question), self._year(question), self.topic_of(question)
        specific = _topic_nouns(topic)
        if districts and specific:
            return question
        prev_year = self._year(previous)
        new_year = year or prev_year
        district_text = "".join(districts or self.districts_in(previous))
        year_text = f"{new_year}年" if new_year else ""
        if specific:
            return f"{district_text}{year_text}{topic}"
        prev_topic = _ASKING_TAIL.sub("", self.topic_of(previous))
        if year and prev_year and year < prev_year:
            prev_topic = re.sub("目标|计划", "", prev_topic)
        return f"{district_text}{year_text}{prev_topic}{topic}"


def _topic_nouns(topic: str) -> list[str]:
    """Nouns that name a new topic ("人才", "家庭养老床位"); a turn with only verbs ("新认定了多少家",
    "出让了多少亩") refines the previous topic instead."""
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return [w.word for w in jieba.posseg.cut(topic) if len(w.word) > 1 and not _GENERIC.fullmatch(w.word)
            and (w.flag.startswith("n") or w.flag in ("j", "l", "eng"))]


def segment(text: str) -> list[str]:
    """Words of a Chinese text (jieba, loaded on first use)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba.lcut(text)


def in_report_wording(text: str) -> str:
    """`text` with everyday words replaced by the reports' wording, whole words only (so 新开 is
    replaced but 新开工 is not); a phrase of up to three words wins over its parts (经济增速)."""
    words, out, i = segment(text), [], 0
    while i < len(words):
        for j in range(min(len(words), i + 3), i, -1):
            phrase = "".join(words[i:j])
            if phrase in SYNONYMS:
                out.append(SYNONYMS[phrase])
                i = j
                break
        else:
            out.append(words[i])
            i += 1
    return " ".join(w for w in out if w)


def _period(question: str, year: int | None, periods: dict[int, set[str]]) -> str | None:
    """"actual" or "target": the year decides when the reports give only one kind for it
    (2022: results, 2023: targets); otherwise cue words like 完成 or 目标 do."""
    if year in periods and len(periods[year]) == 1:
        return next(iter(periods[year]))
    if any(cue in question for cue in _ACTUAL_CUES):
        return "actual"
    if any(cue in question for cue in _TARGET_CUES):
        return "target"
    return None
