"""Reading a question: which districts and year it means, and what it asks after a follow-up."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from .corpus import Report

# Districts a user may name that no report covers: asking about them must not borrow another's figure.
OTHER_DISTRICTS = ("上城", "下城", "江干", "西湖", "萧山", "余杭", "临平", "钱塘", "富阳", "临安",
                   "桐庐", "淳安", "建德", "朝阳", "海淀", "浦东", "黄浦", "徐汇", "南山", "福田")
# Everyday words mapped to the reports' indicator names; the canonical term is added to the search.
SYNONYMS = {
    "停车位": "停车泊位", "车位": "停车泊位", "经济总量": "地区生产总值", "GDP": "地区生产总值",
    "生产总值": "地区生产总值", "研发投入": "研究和试验发展经费 研发经费",
    "研发经费": "研究和试验发展经费 研发经费", "招了": "引进 人才", "招人才": "引进 人才",
    "引才": "引进 人才", "新工作": "就业", "工作岗位": "就业", "找到工作": "就业",
    "消费": "社会消费品零售总额", "外资": "实际利用外资", "失业": "调查失业率",
    "高企": "高新技术企业", "财政收入": "财政总收入", "投资": "固定资产投资",
    "托育": "托位", "养老院": "养老", "人才": "引进 人才",
}
NOT_FOUND = "未在报告中找到"  # how every abstention begins
_YEAR = re.compile(r"(20\d\d)\s*年?")
_ACTUAL_CUES = ("去年", "上一年", "完成了", "实现了", "达到了", "实际", "过去一年", "完成多少", "完成了多少")
_TARGET_CUES = ("目标", "计划", "力争", "确保", "预期", "今年", "打算", "要新增", "安排")
_RELATIVE_YEARS = {"去年": 2022, "今年": 2023, "前年": 2021, "明年": 2024}
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
    expansions: tuple[str, ...] = field(default=())


class QuestionReader:
    """Knows the districts and years of the indexed reports, and reads questions against them."""

    def __init__(self, reports: Sequence[dict]) -> None:
        self._aliases: list[tuple[str, str]] = []
        for report in reports:
            names = [report["district"], *report.get("aliases", ())]
            self._aliases += [(name, report["district"]) for name in names]
        self._aliases.sort(key=lambda pair: -len(pair[0]))
        self.years = sorted({y for r in reports for y in r.get("years", ())})

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
        return None

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
        period = _period(question, year)
        expansions = tuple(dict.fromkeys(v for k, v in SYNONYMS.items() if k in question))
        return Intent(question=question, search_text=" ".join([question, *expansions]),
                      districts=self.districts_in(question),
                      unknown_district=self._unknown_district(question), year=year,
                      period=period, topic=self.topic_of(question), expansions=expansions)

    def resolve(self, question: str, history: Sequence[str]) -> str:
        """The standalone question a follow-up stands for, given earlier user turns (oldest first)."""
        if not history:
            return question
        previous = self.resolve(history[-1], history[:-1])
        topic = self.topic_of(question)
        districts = self.districts_in(question)
        year = self._year(question)
        if not _looks_like_followup(question, topic, districts, year):
            return question
        prev_districts = self.districts_in(previous)
        prev_year = self._year(previous)
        prev_topic = self.topic_of(previous)
        new_year = year or prev_year
        district_text = "".join(districts or prev_districts)
        if topic and not _only_period_words(topic):
            # "那人才呢?": a new topic, the same district and year.
            base = topic
        else:
            base = prev_topic if not year or year == prev_year else _strip_target_words(prev_topic)
            base = re.sub(r"是?多少$", "", base) + topic
        year_text = f"{new_year}年" if new_year else ""
        return f"{district_text}{year_text}{base}"


def _period(question: str, year: int | None) -> str | None:
    if any(cue in question for cue in _ACTUAL_CUES):
        return "actual"
    if any(cue in question for cue in _TARGET_CUES):
        return "target"
    return {2022: "actual", 2023: "target"}.get(year) if year else None


def _looks_like_followup(question: str, topic: str, districts: tuple, year: int | None) -> bool:
    """Short questions that lean on the previous turn: "那拱墅区呢?", "2022年完成了多少?", "那人才呢?"."""
    stripped = question.strip()
    leaning = stripped.startswith(("那", "还有", "再", "另外")) or stripped.rstrip("?？").endswith("呢")
    return len(topic) <= 4 or _only_period_words(topic) or (leaning and len(stripped) <= 16)


def _only_period_words(topic: str) -> bool:
    rest = re.sub(r"(完成了?|实现了?|实际|目标|计划|是|多少|了|有|的|情况|怎么样|如何|呢)", "", topic)
    return not rest.strip()


def _strip_target_words(topic: str) -> str:
    return re.sub(r"(目标|计划)|是?多少", "", topic)
