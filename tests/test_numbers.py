"""Tests for assistant.numbers: figures found in report text and when two are the same."""

import itertools
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.lang.zh.numbers import (
    NumericValue,
    extract_figures,
    figure_in_text,
    parse_quantity,
    same_quantity,
)

SEEDS = sorted((Path(__file__).parent.parent / "seeds").glob("*.txt"))
SCALES = {"": 1, "万": 10**4, "亿": 10**8}
UNITS = ["", "人", "元", "美元", "个", "%", "百分点", "个百分点", "平方米", "方", "公里", "家", "件",
         "人次", "册"]


def only_figure(text: str) -> NumericValue:
    figures = extract_figures(text)
    assert len(figures) == 1, figures
    return figures[0]


def summary(text: str) -> list[tuple[Decimal, str, str | None]]:
    return [(f.value, f.unit, f.qualifier) for f in extract_figures(text)]


# --- scaling and units -------------------------------------------------------------------


def test_wan_scale_equals_expanded_number():
    assert same_quantity(only_figure("3.8万人"), parse_quantity("38000", "人"))
    assert only_figure("全年引进各类人才3.8万人").value == Decimal(38000)


def test_bare_wan_figure_equals_expanded_number():
    assert only_figure("1.5万").value == 15000
    assert same_quantity(parse_quantity("1.5", "万"), parse_quantity("15000", ""))


def test_yi_scale_applies_to_yuan():
    figure = only_figure("地区生产总值达2184.8亿元")
    assert figure.value == Decimal(218480000000)
    assert same_quantity(figure, parse_quantity("218480000000", "元"))


def test_yi_scale_keeps_dollar_unit():
    figure = only_figure("实际利用外资14.6亿美元")
    assert (figure.value, figure.unit) == (Decimal(1460000000), "美元")


def test_wan_scale_with_household_count():
    assert same_quantity(only_figure("新增注册企业1.7万家"), parse_quantity("17000", "家"))


def test_decimal_wan_yuan_amount():
    assert only_figure("发放应届毕业生生活补贴7504.5万元").value == Decimal(75045000)


def test_trailing_zero_percent_equals_whole_percent():
    assert same_quantity(parse_quantity("5.0", "%"), parse_quantity("5", "%"))


def test_percent_never_equals_bare_or_counted_number():
    five_percent = parse_quantity("5.0", "%")
    for other in [("50", ""), ("50", "个"), ("5", ""), ("5", "个")]:
        assert not same_quantity(five_percent, parse_quantity(*other))


def test_shifted_decimal_point_is_a_different_count():
    assert not same_quantity(parse_quantity("3700", "个"), parse_quantity("370.0", "个"))


def test_bare_number_matches_counted_number():
    assert same_quantity(parse_quantity("3700", ""), parse_quantity("3700", "个"))
    assert figure_in_text(parse_quantity("3700", ""), "新增停车泊位不少于3700个")


def test_different_counted_units_do_not_match():
    assert not same_quantity(parse_quantity("3700", "个"), parse_quantity("3700", "家"))


def test_percentage_points_differ_from_percent():
    points = only_figure("下降0.5个百分点")
    assert (points.value, points.unit) == (Decimal("0.5"), "百分点")
    assert not same_quantity(points, parse_quantity("0.5", "%"))
    assert same_quantity(points, parse_quantity("0.5", "百分点"))


def test_growth_rate_is_a_percent_figure():
    assert summary("全区社会消费品零售总额增长6.2%") == [(Decimal("6.2"), "%", None)]


# --- Chinese numerals --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [("三千七百个", 3700, "个"), ("两万人", 20000, "人"), ("十二条", 12, "条"),
     ("一百五十家", 150, "家"), ("两万亿元", 2 * 10**12, "元"), ("三百多万元", 3 * 10**6, "元")],
)
def test_chinese_numerals_are_read_as_numbers(text, value, unit):
    figure = only_figure(text)
    assert (figure.value, figure.unit) == (value, unit)


def test_chinese_numeral_equals_arabic_figure():
    assert same_quantity(only_figure("三千七百个"), parse_quantity("3700", "个"))
    assert figure_in_text(parse_quantity("2", "万人"), "引进各类人才两万人")


@pytest.mark.parametrize("text", ["一般公共预算收入", "面对“三重压力”", "零部件", "二次供水改造",
                                  "冲锋“两个先行”", "区委六届三次会议", "每万人发明专利"])
def test_idioms_with_chinese_numerals_are_not_figures(text):
    assert extract_figures(text) == []


# --- things that are not figures ---------------------------------------------------------


@pytest.mark.parametrize("text", ["2023年", "2022年国民经济", "二〇二三年", "2022-2023年"])
def test_years_are_not_figures(text):
    assert extract_figures(text) == []


def test_year_shaped_count_without_nian_is_a_figure():
    assert only_figure("新增学位2023个").value == 2023


@pytest.mark.parametrize("text", ["举办第五届国际人才节", "第二批创新实践案例", "第3次会议"])
def test_ordinals_are_not_figures(text):
    assert extract_figures(text) == []


@pytest.mark.parametrize("text", ["8.优化创新创业生态", "才圆梦区。\n9.营造一流营商环境",
                                  "风范形象\n10.推进重点区块开发", "(1)建设"])
def test_heading_numbers_are_not_figures(text):
    assert extract_figures(text) == []


@pytest.mark.parametrize("text", ["迭代升级“5050计划”", "发布“1+5+20”人才新政", "机器人4个“152”省市",
                                  "打通“0到1”“1到10”“10到N”", "充分发挥5050人才基金",
                                  "地铁18号线", "“一本帐S2”", "打造“415X”产业集群", "3.0版"])
def test_names_and_codes_are_not_figures(text):
    assert [f.text for f in extract_figures(text)] == (["4个"] if "4个" in text else [])


def test_places_in_a_ranking_are_counted_in_wei_but_located_at_is_no_unit():
    assert [(f.text, f.unit) for f in extract_figures("全国排名有望上升3位")] == [("3位", "位")]
    assert [f.unit for f in extract_figures("3位于城北")] == [""]


def test_inch_size_is_a_figure():
    assert summary("全省首条12英寸晶圆生产线") == [(Decimal(12), "英寸", None)]


# --- separators, ranges and qualifiers ---------------------------------------------------


def test_clause_comma_is_not_a_thousands_separator():
    assert summary("累计净迁入企业1411家,增长8.7%") == [
        (Decimal(1411), "家", None), (Decimal("8.7"), "%", None)]


def test_space_before_scale_or_unit_is_allowed():
    assert same_quantity(only_figure("引进 3.8 万人"), parse_quantity("38000", "人"))
    assert only_figure("增长 5.0 %").unit == "%"
    assert extract_figures("2023 年") == []


def test_thousands_separator_is_read():
    assert only_figure("企业1,411家").value == 1411


def test_target_pair_gets_separate_qualifiers():
    assert summary("地区生产总值增长确保5.0%,力争5.5%以上") == [
        (Decimal("5.0"), "%", "确保"), (Decimal("5.5"), "%", "力争…以上")]


def test_minimum_qualifier_before_figure():
    figure = only_figure("新增停车泊位不少于3700个")
    assert (figure.value, figure.unit, figure.qualifier) == (3700, "个", "不少于")


def test_yu_inside_figure_is_a_qualifier():
    figure = only_figure("累计完成图书借阅22万余册")
    assert (figure.value, figure.unit, figure.text) == (220000, "册", "22万余册")
    assert "余" in figure.qualifier


def test_range_keeps_both_bounds_scaled():
    figure = only_figure("3至5万人")
    assert (figure.value, figure.upper, figure.unit) == (30000, 50000, "人")
    assert only_figure("实现2-3岁托育服务").upper == 3


def test_ranges_match_only_when_both_bounds_match():
    assert same_quantity(only_figure("3-5万"), parse_quantity("3万-5", "万"))
    assert not same_quantity(only_figure("3-5万"), parse_quantity("3", "万"))


def test_parse_quantity_rejects_non_numbers():
    for value in ["abc", "", "3.8x", "约"]:
        with pytest.raises(ValueError):
            parse_quantity(value, "万人")


def test_parse_quantity_reads_trailing_qualifier_out_of_unit():
    figure = parse_quantity("5.5", "%以上")
    assert (figure.unit, figure.qualifier) == ("%", "以上")


def test_parse_quantity_keeps_unknown_units():
    assert parse_quantity("3", "万辆次").unit == "辆次"


# --- the seed reports --------------------------------------------------------------------


def test_seed_reports_state_their_key_figures():
    text = SEEDS[0].read_text(encoding="utf-8")
    for value, unit in [("2184.8", "亿元"), ("3.8", "万人"), ("14.6", "亿美元"), ("1411", "家"),
                        ("3700", "个"), ("22", "万册"), ("5.0", "%")]:
        assert figure_in_text(parse_quantity(value, unit), text), (value, unit)
    assert not figure_in_text(parse_quantity("2023", ""), text)


def test_every_seed_figure_reparses_to_itself():
    for path in SEEDS:
        text = path.read_text(encoding="utf-8")
        for figure in extract_figures(text):
            assert same_quantity(parse_quantity(figure.text, ""), figure), figure


# --- properties --------------------------------------------------------------------------


@st.composite
def decimals(draw, min_value: int = 0) -> Decimal:
    """Plain decimals such as 0, 5.0, 2184.8 or 123.456 (never exponent notation)."""
    return Decimal(draw(st.integers(min_value, 10**9))).scaleb(-draw(st.integers(0, 3)))


def plain(d: Decimal) -> str:
    return format(d, "f")


@given(decimals(), st.sampled_from(sorted(SCALES)), st.sampled_from(UNITS))
def test_formatted_figure_extracts_to_its_scaled_value(d, scale, unit):
    figure = only_figure(f"{plain(d)}{scale}{unit}")
    assert same_quantity(figure, parse_quantity(plain(d), scale + unit))
    assert figure.value == d * SCALES[scale]


@given(decimals(min_value=1), st.sampled_from(UNITS))
def test_shifted_decimal_point_never_matches(d, unit):
    shifted = parse_quantity(plain(d * 10), unit)
    assert not same_quantity(parse_quantity(plain(d), unit), shifted)
    assert not figure_in_text(shifted, f"增长{plain(d)}{unit}")


@given(decimals(), st.integers(1, 3), st.sampled_from(UNITS))
def test_trailing_zeros_do_not_matter(d, zeros, unit):
    digits = plain(d)
    padded = digits + ("" if "." in digits else ".") + "0" * zeros
    assert same_quantity(parse_quantity(digits, unit), parse_quantity(padded, unit))
    assert figure_in_text(parse_quantity(digits, unit), f"达{padded}{unit}。")


def _seed_sentences() -> list[str]:
    text = "\n".join(path.read_text(encoding="utf-8") for path in SEEDS)
    return [s for line in text.splitlines() for s in line.split("。") if s]


NOISE = st.text(alphabet="0123456789.,%-万亿千百十一二两三四五六七八九零〇第年个人元“”+至余以上约近\n。",
                max_size=12)


@given(st.lists(st.one_of(st.sampled_from(_seed_sentences()), NOISE), min_size=1, max_size=6))
def test_figure_offsets_point_at_figure_text(pieces):
    text = "。".join(pieces)
    figures = extract_figures(text)
    for figure in figures:
        assert text[figure.start:figure.end] == figure.text
    assert all(a.end <= b.start for a, b in itertools.pairwise(figures))


def test_gold_unit_with_an_alternative_in_brackets_matches_the_text():
    assert figure_in_text(parse_quantity("18", "条(段)"), "完工18条(段)")
    assert not figure_in_text(parse_quantity("18", "条(段)"), "完工18个")
