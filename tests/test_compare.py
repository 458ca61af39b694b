"""Answers over several places: a table of each place's figure, and "which is more" in one sentence."""

from __future__ import annotations

from assistant.answer.compare import add_comparison, asks_comparison, comparison_table, quantity_name
from assistant.answer.grounding import ungrounded_figures
from assistant.lang.zh.numbers import extract_figures
from assistant.types import Answer, Citation, Figure


def _citation(n: int, district: str, text: str, quote: str, period: str = "target", year: int = 2023) -> Citation:
    start = 1000 * n
    at = start + text.index(quote)
    return Citation(n=n, doc_id=f"d{n}", title="报告", district=district, section="", text=text, start=start,
                    end=start + len(text), score=1.0, year=year, period=period, quote=quote, quote_start=at,
                    quote_end=at + len(quote))


def _answer(question: str, *parts: tuple[str, str, str]) -> Answer:
    """An answer quoting one passage per (district, passage, quote), figures read from the quotes."""
    citations = [_citation(i, d, text, quote) for i, (d, text, quote) in enumerate(parts, 1)]
    figures = [Figure.written(f, c.n) for c in citations for f in extract_figures(c.quote)]
    text = "；".join(f"{c.district}：{c.quote}[{c.n}]" for c in citations) + "。"
    return Answer(question, text, False, citations, figures, standalone_question=question)


PARKING = (("滨江区", "开工新建道路12条,新增停车泊位不少于3700个。", "新增停车泊位不少于3700个"),
           ("拱墅区", "完成回龙路等8条道路修缮,新增停车泊位5000个。", "新增停车泊位5000个"))


def test_table_has_one_row_per_place_with_the_asked_figure_copied_with_its_qualifier():
    answer = _answer("2023年要新增多少个托位?",
                     ("滨江区", "研究出台财政补助政策,新增托位不少于300个、婴幼儿成长驿站4家。",
                      "新增托位不少于300个、婴幼儿成长驿站4家"),
                     ("拱墅区", "新增托育机构6家、普惠托位240个。", "新增托育机构6家、普惠托位240个"))
    rows = comparison_table(answer)
    assert [(r["place"], r["figure"], r["citation"]) for r in rows] == [("滨江区", "不少于300个", 1),
                                                                        ("拱墅区", "240个", 2)]
    assert rows[0] == {"place": "滨江区", "figure": "不少于300个", "value": "300", "unit": "个",
                       "qualifier": "不少于", "period": "target", "year": 2023, "citation": 1}


def test_an_answer_about_one_place_has_no_table():
    answer = _answer("拱墅区2023年新增停车泊位目标", PARKING[1])
    assert add_comparison(answer).table == []
    abstained = Answer("q", "未在报告中找到。", True)
    assert add_comparison(abstained).table == []


def test_which_is_more_is_said_in_one_cited_sentence_from_the_table():
    answer = add_comparison(_answer("2023年滨江和拱墅哪个区新增停车泊位更多", *PARKING),
                            "和哪个区新增停车泊位更多")
    assert answer.answer.endswith("新增停车泊位：拱墅区（5000个）多于滨江区（不少于3700个）[2][1]。")
    assert ungrounded_figures(answer.answer, answer.citations) == []


def test_a_plain_question_over_two_places_gets_the_table_but_no_comparison():
    answer = _answer("滨江和拱墅2023年分别新增多少停车位", *PARKING)
    before = answer.answer
    assert len(add_comparison(answer).table) == 2
    assert answer.answer == before


def test_figures_compare_after_their_scale_and_rates_say_higher():
    people = add_comparison(_answer("哪个区引进人才更多",
                                    ("甲区", "全年引进各类人才5000人。", "全年引进各类人才5000人"),
                                    ("乙区", "全年引进各类人才3.8万人。", "全年引进各类人才3.8万人")))
    assert "乙区（3.8万人）多于甲区（5000人）[2][1]。" in people.answer
    rates = add_comparison(_answer("哪个区增长目标更高",
                                   ("甲区", "地区生产总值增长确保5.0%。", "地区生产总值增长确保5.0%"),
                                   ("乙区", "地区生产总值增长6.5%左右。", "地区生产总值增长6.5%左右")))
    assert "无法用一句话比较大小" in rates.answer and "约数" in rates.answer  # 左右 is approximate
    growth = add_comparison(_answer("哪个区增长目标更高",
                                    ("甲区", "地区生产总值增长确保5.0%。", "地区生产总值增长确保5.0%"),
                                    ("乙区", "地区生产总值增长6.5%。", "地区生产总值增长6.5%")))
    assert "乙区（6.5%）高于甲区（确保5.0%）[2][1]。" in growth.answer


def test_figures_of_other_units_or_ranges_are_not_compared_but_said_so():
    units = add_comparison(_answer("哪个区新增更多",
                                   ("甲区", "新增托育机构6家。", "新增托育机构6家"),
                                   ("乙区", "新增托位240个。", "新增托位240个")))
    tail = units.answer.split("。")[-2]
    assert "单位不同" in tail and "无法用一句话比较大小" in tail
    assert "多于" not in units.answer and not extract_figures(tail)  # no figure guessed
    ranges = add_comparison(_answer("哪个区新增更多",
                                    ("甲区", "新增就业3-5万人。", "新增就业3-5万人"),
                                    ("乙区", "新增就业4万人。", "新增就业4万人")))
    assert "范围" in ranges.answer and "多于" not in ranges.answer
    assert ungrounded_figures(units.answer, units.citations) == []
    assert ungrounded_figures(ranges.answer, ranges.citations) == []


def test_three_places_are_ranked_largest_first():
    answer = add_comparison(_answer("三个区哪个新增停车泊位最多",
                                    ("甲区", "新增停车泊位1200个。", "新增停车泊位1200个"),
                                    ("乙区", "新增停车泊位5000个。", "新增停车泊位5000个"),
                                    ("丙区", "新增停车泊位不少于3700个。", "新增停车泊位不少于3700个")))
    assert "从多到少依次为乙区（5000个）、丙区（不少于3700个）、甲区（1200个）[2][3][1]。" in answer.answer
    assert ungrounded_figures(answer.answer, answer.citations) == []


def test_a_figure_in_the_quantitys_name_never_reaches_the_answer_unbacked():
    answer = add_comparison(_answer("哪个区新增停车泊位更多", *PARKING), "新增停车泊位99个的项目")
    assert "99" not in answer.answer and "拱墅区（5000个）多于滨江区（不少于3700个）[2][1]" in answer.answer


def test_comparison_cues_and_the_quantity_compared_are_read_from_the_question():
    assert asks_comparison("滨江和拱墅哪个新增停车位更多")
    assert asks_comparison("2023年两个区哪个新增托位多")
    assert asks_comparison("对比两区的地区生产总值")
    assert not asks_comparison("滨江和拱墅2023年分别新增多少停车位")
    assert not asks_comparison("哪个区的托位是多少?")
    assert quantity_name("和哪个区新增停车泊位更多") == "新增停车泊位"
    assert quantity_name("新增托位多") == "新增托位"


# --- with the real index ----------------------------------------------------------------------------

def test_which_district_has_more_parking_is_answered_with_both_figures_and_one_sentence(assistant):
    answer = assistant.ask("2023年滨江和拱墅哪个区新增停车泊位更多")
    assert [(r["place"], r["figure"]) for r in answer.table] == [("滨江区", "不少于3700个"), ("拱墅区", "5000个")]
    assert answer.answer.endswith("拱墅区（5000个）多于滨江区（不少于3700个）[2][1]。")
    assert ungrounded_figures(answer.answer, answer.citations) == []


def test_two_districts_each_question_answers_both_places(assistant):
    for question in ("两区2023年新增托位各是多少", "2023年新增托位分别是多少"):
        answer = assistant.ask(question)
        assert {r["place"]: r["figure"] for r in answer.table} == {"滨江区": "不少于300个", "拱墅区": "240个"}, \
            answer.answer


def test_which_of_two_is_more_without_a_count_word_still_answers_with_figures(assistant):
    answer = assistant.ask("2023年两个区哪个新增托位多")
    assert answer.answer.endswith("滨江区（不少于300个）多于拱墅区（240个）[1][2]。"), answer.answer
