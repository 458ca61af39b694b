"""The Chinese language pack: every synonym and cue word says where it came from, gold-fitted
entries name gold items that really use the word, and the patterns built from the word lists read
questions as intended."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from assistant.lang.zh import lexicon
from assistant.lang.zh.text import ASKED_YEAR, CLAUSE, NUMBERED_HEADING, TITLE_DISTRICT
from tests.conftest import GOLD

pytestmark = pytest.mark.unit

LEXICON = Path(lexicon.__file__).with_name("lexicon.toml")
_SOURCE = re.compile(r"^(general: .+|added for gold items? (g\d{3})(, g\d{3})*)$")


def _sources() -> dict[str, str]:
    """word -> source for every synonym and period cue word."""
    data = tomllib.loads(LEXICON.read_text(encoding="utf-8"))
    found = {f"synonym {word}": entry["source"] for word, entry in data["synonyms"].items()}
    for period, cues in data["period_cues"].items():
        found.update({f"{period} cue {word}": source for word, source in cues.items()})
    return found


def _gold_questions() -> dict[str, str]:
    items = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {item["id"]: " ".join([item["question"], *(turn if isinstance(turn, str) else turn["content"]
                                                      for turn in item.get("history", []))])
            for item in items}


def test_every_synonym_and_cue_word_says_where_it_came_from():
    bad = {word: source for word, source in _sources().items() if not _SOURCE.match(source)}
    assert not bad


def test_gold_fitted_entries_name_gold_items_that_use_the_word():
    questions = _gold_questions()
    for key, source in _sources().items():
        word = key.rsplit(" ", 1)[1]
        for item in re.findall(r"g\d{3}", source):
            assert word in questions[item], f"{key}: {item} does not use the word"


def test_period_cues_and_synonyms_keep_their_order():
    assert list(lexicon.synonyms())[:2] == ["停车位", "车位"]
    assert lexicon.period_cues("actual")[0] == "去年" and "目标" in lexicon.period_cues("target")
    assert list(lexicon.relative_years()) == ["去年", "今年", "前年", "明年"]


@pytest.mark.parametrize("question, tail", [("新增就业是多少个", "是多少个"), ("GDP增长了多少", "多少"),
                                            ("品牌是什么", "是什么")])
def test_asking_tail(question, tail):
    assert lexicon.asking_tail().search(question)[0] == tail


def test_filler_and_counts():
    assert lexicon.filler().sub("", "那么人才呢?") == "人才"
    assert lexicon.asking_count().sub(" ", "新增几家企业") == "新增 企业"


@pytest.mark.parametrize("question, wants_text", [("攻坚行动叫什么?", True), ("哪个产业入选?", True),
                                                  ("入选了多少个什么项目?", False), ("GDP是多少?", False),
                                                  ("运动会是第几届?", True), ("要修几条路?", False),
                                                  ("上市的是哪几家企业?", True)])
def test_text_questions_have_a_text_cue_and_no_count(question, wants_text):
    assert bool(lexicon.text_question().search(question)) is wants_text


def test_phrases_fill_their_fields():
    assert lexicon.phrase("year", year=2023) == "2023年"
    assert lexicon.phrase("answer.label", year=2022, period=lexicon.period_label("answer", "actual")) \
        == "（2022年实际）"
    assert lexicon.period_label("passage", "unknown") == ""


def test_text_grammar():
    assert [m[0] for m in CLAUSE.finditer("确保5.0%,力争5.5%以上。")] == ["确保5.0%,", "力争5.5%以上。"]
    assert all(NUMBERED_HEADING.match(h) for h in ("一、总体要求", "（二）重点任务", "(三)", "3．"))
    assert ASKED_YEAR.search("滨江2023年GDP")[1] == "2023"
    assert TITLE_DISTRICT.search("杭州市西湖区2024年政府工作报告")[1] == "西湖区"
