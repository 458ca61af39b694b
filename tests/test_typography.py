"""Real reports' typography: full-width punctuation, ％, ratios, compound scales, energy and land
units, unit-aware grounding, and text files in the encodings Chinese offices save them in."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.answer.answerers.extractive import _clauses
from assistant.answer.grounding import ungrounded_figures
from assistant.errors import UserError
from assistant.index.split import split_report
from assistant.ingest.corpus import Report
from assistant.ingest.loaders.base import decode_text
from assistant.lang.zh.numbers import extract_figures, figure_in_text, parse_quantity, same_quantity
from assistant.lang.zh.text import CLAUSE, CLAUSE_END, fold_punctuation
from assistant.types import Citation, Figure

FULL_WIDTH = ("全年新增城镇就业3.2万人，城镇调查失业率控制在5.5%以内；居民人均可支配收入增长6%，"
              "与经济增长同步：主要指标完成。")
RATIO = "三次产业结构比例调整为8.3∶41.4∶50.3，经济结构持续优化。"


def report_of(text: str) -> Report:
    return Report("r", "某区2024年政府工作报告", "某区报告", "某区", "某市", (2024,), "work_report",
                  Path("r.txt"), text, target_year=2024)


def citation(text: str) -> Citation:
    return Citation(n=1, doc_id="r", title="某区报告", district="某区", section="", text=text, start=0,
                    end=len(text), score=1.0)


# --- clauses and passages split at full-width punctuation -------------------------------------


def test_clauses_split_at_full_width_comma_semicolon_and_colon():
    clauses = [FULL_WIDTH[s:e] for s, e in _clauses(FULL_WIDTH)]
    assert clauses == ["全年新增城镇就业3.2万人", "城镇调查失业率控制在5.5%以内", "居民人均可支配收入增长6%",
                       "与经济增长同步", "主要指标完成"]


def test_a_ratio_and_a_thousands_separator_stay_in_one_clause():
    assert [RATIO[s:e] for s, e in _clauses(RATIO)] == ["三次产业结构比例调整为8.3∶41.4∶50.3", "经济结构持续优化"]
    ascii_ratio = "产业结构为8.3:41.4:50.3,人口1,411万人。"
    assert [ascii_ratio[s:e] for s, e in _clauses(ascii_ratio)] == ["产业结构为8.3:41.4:50.3", "人口1,411万人"]


_PIECES = st.lists(st.sampled_from(["就业", "3.2万人", "8.3∶41.4", "1,411", "，", "；", "：", "、", ",", ";",
                                    ":", "。", "\n", "增长5％", "亿千瓦时", " "]), max_size=30)


@given(_PIECES)
def test_clause_offsets_always_slice_the_original_text(pieces):
    text = "".join(pieces)
    assert len(fold_punctuation(text)) == len(text)
    covered = [False] * len(text)
    for m in CLAUSE.finditer(text):
        covered[m.start():m.end()] = [True] * (m.end() - m.start())
    assert all(c or text[i] in CLAUSE_END + "\n" for i, c in enumerate(covered))  # only breaks are left out
    last = 0
    for start, end in _clauses(text):
        clause = text[start:end]
        assert last <= start < end <= len(text) and clause.strip() and "\n" not in clause
        assert not any(ch in CLAUSE_END and not (clause[i - 1:i].isdigit() and clause[i + 1:i + 2].isdigit())
                       for i, ch in enumerate(clause))  # a clause holds no break but one inside a number
        last = end


def test_a_long_sentence_is_cut_at_full_width_semicolons():
    sentence = "；".join(f"第{i}项工作推进有力成效明显群众满意度持续提升" for i in range(40)) + "。"
    report = report_of("一、工作回顾\n" + sentence + "\n")
    chunks = split_report(report, 400)
    assert len(chunks) > 1 and all(len(c.text) <= 400 for c in chunks)
    assert all(c.text.endswith(("；", "。")) for c in chunks)


def test_a_long_sentence_without_semicolons_is_cut_at_its_commas_never_inside_a_number():
    sentence = "，".join(f"项目{i}完成投资1,234万元" for i in range(60)) + "。"
    report = report_of(sentence + "\n")
    chunks = split_report(report, 200)
    assert len(chunks) > 1 and all(len(c.text) <= 200 for c in chunks)
    assert all(c.text.endswith(("，", "。")) for c in chunks)


@given(st.lists(st.sampled_from(["推进重点项目建设", "完成投资1,234万元", "，", "；", "、", "。", "\n",
                                 "比例为8.3∶41.4∶50.3", "一、总体要求\n"]), max_size=120),
       st.sampled_from([40, 120, 400]))
def test_passages_are_exact_slices_of_the_report(pieces, limit):
    report = report_of("".join(pieces))
    for chunk in split_report(report, limit):
        assert report.text[chunk.start:chunk.end] == chunk.text and chunk.text.strip()


# --- units, ratios and scales ----------------------------------------------------------------


def test_full_width_percent_is_percent():
    assert same_quantity(extract_figures("增长5.0％")[0], parse_quantity("5", "%"))


@pytest.mark.parametrize("text", ["8.3∶41.4∶50.3", "8.3:41.4:50.3", "8.3：41.4：50.3"])
def test_a_ratio_is_one_figure(text):
    figures = extract_figures(f"三产结构调整为{text}，")
    ratio = [f for f in figures if f.text == text]
    assert len(ratio) == 1 and len(figures) == 1
    assert ratio[0].terms == (Decimal("8.3"), Decimal("41.4"), Decimal("50.3"))
    assert same_quantity(ratio[0], parse_quantity("8.3:41.4:50.3", ""))
    assert not same_quantity(ratio[0], parse_quantity("8.3", ""))
    assert Figure.written(ratio[0], 1).value == text


def test_a_header_colon_before_a_percentage_is_no_ratio():
    assert [f.text for f in extract_figures("2023：5.3%；")] == ["2023", "5.3%"]


@pytest.mark.parametrize(("text", "value", "unit"), [
    ("3千万元", 30_000_000, "元"),
    ("5百万元", 5_000_000, "元"),
    ("十万人", 100_000, "人"),
    ("3千余万元", 30_000_000, "元"),
    ("新增绿地500公顷", 500, "公顷"),
    ("装机容量5千瓦", 5, "千瓦"),
    ("光伏装机50万千瓦", 500_000, "千瓦"),
    ("用电量12.5亿千瓦时", 1_250_000_000, "千瓦时"),
    ("集装箱吞吐量300万标箱", 3_000_000, "标箱"),
    ("节能1.2万吨标准煤", 12_000, "吨标准煤"),
])
def test_compound_scales_and_real_units(text, value, unit):
    figures = extract_figures(text)
    assert len(figures) == 1 and (figures[0].value, figures[0].unit) == (Decimal(value), unit)


# --- a number grounds a figure only in its unit ------------------------------------------------


def test_hectares_never_ground_mu():
    assert not figure_in_text(parse_quantity("500", "亩"), "新增绿地500公顷。")
    assert not figure_in_text(parse_quantity("500", "亩"), "新增储备500斤。")  # a unit the list lacks
    answer = "新增绿地500亩[1]。"
    assert [f.text for f in ungrounded_figures(answer, [citation("新增绿地500公顷。")])] == ["500亩"]


def test_equal_amounts_in_their_units_still_ground():
    assert figure_in_text(parse_quantity("3.8", "万人"), "全年引进各类人才38000人")
    assert figure_in_text(parse_quantity("5", "%"), "增长5.0%")
    assert figure_in_text(parse_quantity("500", "亩"), "面积（亩）：500；")  # the passage states the unit
    assert figure_in_text(parse_quantity("500", ""), "新增绿地500公顷。")  # a bare answer number
    assert not ungrounded_figures("全年引进3.8万人[1]。", [citation("全年引进各类人才38000人。")])


# --- text files in any common Chinese encoding ---------------------------------------------------

TRADITIONAL = "臺北市政府工作報告\n全年新增就業3萬人，增長5％。\n"
SIMPLIFIED = "杭州市余杭区2024年工作安排\n新增就业3万人，增长5％。\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le-bom", "utf-16-be-bom",
                                      "gb18030", "big5"])
def test_text_in_common_encodings_is_read(encoding):
    for text in (TRADITIONAL, SIMPLIFIED):
        if encoding == "big5" and text is SIMPLIFIED:
            continue
        if encoding.endswith("-bom"):
            codec = encoding[:-4]
            data = ("\ufeff" + text).encode(codec)
        else:
            data = text.encode(encoding)
        assert decode_text(data.replace(b"\n", b"\r\n") if encoding in ("gb18030", "big5") else data,
                           "报告.txt") == text


def test_real_big5_bytes_are_not_read_as_gb18030_mojibake():
    data = "臺北市政府工作報告".encode("big5")
    assert data.decode("gb18030") != "臺北市政府工作報告"  # the trap: it decodes, into garbage
    assert decode_text(data, "臺北.txt") == "臺北市政府工作報告"


@pytest.mark.parametrize("data", [
    "杭州市余杭区2024年工作安排".encode("utf-16-le"),  # UTF-16 without a BOM
    bytes(range(0x80, 0x100)) * 4,  # no text at all
    "增长\ufffd\ufffd".encode("utf-8"),  # mojibake saved earlier
    b"\xff\xfe" + b"\x00\xd8",  # a BOM, then a broken surrogate
])
def test_undecodable_text_is_refused_with_one_sentence(data):
    with pytest.raises(UserError) as refused:
        decode_text(data, "报告.txt")
    message = str(refused.value)
    assert "报告.txt" in message and message.endswith("。") and message.count("。") == 1
