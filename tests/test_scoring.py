"""The scorer: right figures with right citations pass; everything else fails for a stated reason."""

from __future__ import annotations

import pytest

from assistant.evaluation.gold import GoldAnswer, GoldItem
from assistant.ingest.corpus import load_reports
from assistant.types import Answer, Citation
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def texts():
    return {r.id: r.text for r in load_reports(SEEDS)}


def gold_answer(texts, doc, value, unit, evidence):
    return GoldAnswer(doc, value, unit, evidence, texts[doc].find(evidence))


def cite(texts, n, doc, needle):
    start = texts[doc].find(needle)
    return Citation(n, doc, doc, "", "", texts[doc][start:start + len(needle)], start,
                    start + len(needle), 1.0)


@pytest.fixture(scope="module")
def parking(texts):
    return GoldItem("p", "2023年新增停车泊位目标", "multi_doc", [], (
        gold_answer(texts, "binjiang-2023-plan", "3700", "个", "新增停车泊位不少于3700个"),
        gold_answer(texts, "gongshu-2023-workplan", "5000", "个", "新增停车泊位5000个")))


def test_correct_answer_with_right_citations(texts, parking):
    from assistant.evaluation.scoring import score_answer

    answer = Answer("q", "滨江区：新增停车泊位不少于3700个[1]；拱墅区：新增停车泊位5000个[2]。", False, [
        cite(texts, 1, "binjiang-2023-plan", "新增停车泊位不少于3700个"),
        cite(texts, 2, "gongshu-2023-workplan", "新增停车泊位5000个")])
    verdict = score_answer(parking, answer)
    assert verdict.correct and verdict.citation_correct


def test_units_are_normalised_when_comparing(texts):
    from assistant.evaluation.scoring import score_answer

    item = GoldItem("t", "去年滨江招了多少人才", "paraphrase", [], (
        gold_answer(texts, "binjiang-2023-plan", "3.8", "万人", "全年引进各类人才3.8万人"),))
    answer = Answer("q", "滨江区：全年引进各类人才38000人[1]。", False,
                    [cite(texts, 1, "binjiang-2023-plan", "全年引进各类人才3.8万人")])
    assert score_answer(item, answer).correct


def test_wrong_figure_fails(texts, parking):
    from assistant.evaluation.scoring import score_answer

    answer = Answer("q", "滨江区：新增停车泊位不少于370个[1]；拱墅区：新增停车泊位5000个[2]。", False, [
        cite(texts, 1, "binjiang-2023-plan", "新增停车泊位不少于3700个"),
        cite(texts, 2, "gongshu-2023-workplan", "新增停车泊位5000个")])
    verdict = score_answer(parking, answer)
    assert not verdict.correct and "3700" in verdict.reason


def test_missing_district_fails(texts, parking):
    from assistant.evaluation.scoring import score_answer

    answer = Answer("q", "拱墅区：新增停车泊位5000个[1]。", False,
                    [cite(texts, 1, "gongshu-2023-workplan", "新增停车泊位5000个")])
    verdict = score_answer(parking, answer)
    assert not verdict.correct and "district" in verdict.reason


def test_wrong_citation_is_scored_separately(texts, parking):
    from assistant.evaluation.scoring import score_answer

    answer = Answer("q", "滨江区：新增停车泊位不少于3700个[1]；拱墅区：新增停车泊位5000个[2]。", False, [
        cite(texts, 1, "binjiang-2023-plan", "新增停车泊位不少于3700个"),
        cite(texts, 2, "gongshu-2023-workplan", "新增停车泊位5000个、公用充电桩200个以上")])
    wrong = Citation(2, "gongshu-2023-workplan", "", "", "", "x", 0, 10, 1.0)
    answer.citations[1] = wrong
    verdict = score_answer(parking, answer)
    assert verdict.citation_correct is False


def test_abstaining_on_an_answerable_item_fails(parking):
    from assistant.evaluation.scoring import score_answer

    verdict = score_answer(parking, Answer("q", "未在报告中找到。", True))
    assert not verdict.correct and "abstained" in verdict.reason


def test_stating_a_figure_on_an_unanswerable_item_fails(texts):
    from assistant.evaluation.scoring import score_answer

    item = GoldItem("u", "滨江区常住人口", "unanswerable", [], ())
    answer = Answer("q", "滨江区：全年引进各类人才3.8万人[1]。", False,
                    [cite(texts, 1, "binjiang-2023-plan", "全年引进各类人才3.8万人")])
    assert not score_answer(item, answer).correct
    assert score_answer(item, Answer("q", "未在报告中找到。", True)).correct


def test_figure_for_a_district_not_asked_about_fails(texts):
    from assistant.evaluation.scoring import score_answer

    item = GoldItem("s", "拱墅区2023年新增停车泊位目标", "numeric", [], (
        gold_answer(texts, "gongshu-2023-workplan", "5000", "个", "新增停车泊位5000个"),))
    answer = Answer("q", "拱墅区：新增停车泊位5000个[1]；滨江区：新增停车泊位不少于3700个[2]。", False, [
        cite(texts, 1, "gongshu-2023-workplan", "新增停车泊位5000个"),
        cite(texts, 2, "binjiang-2023-plan", "新增停车泊位不少于3700个")])
    verdict = score_answer(item, answer)
    assert not verdict.correct and "binjiang" in verdict.reason


@pytest.fixture(scope="module")
def gazelles(texts):
    return GoldItem("g", "滨江区2023年要新增多少家瞪羚企业", "paraphrase", [], (
        gold_answer(texts, "binjiang-2023-plan", "200", "家", "瞪羚企业200家"),))


def said(texts, claim):
    """An answer stating `claim` with one citation of the passage around the gazelle target."""
    return Answer("q", f"滨江区（2023年目标）：{claim}[1]。", False,
                  [cite(texts, 1, "binjiang-2023-plan", "国家级专精特新“小巨人”企业20家、省级“专精特新”中小企业80家、"
                                                        "瞪羚企业200家、国高企350家")])


def test_gold_figure_with_three_others_is_not_concise(texts, gazelles):
    from assistant.evaluation.scoring import extra_figures, states_other_figure

    answer = said(texts, "力争新增国家级专精特新“小巨人”企业20家、省级“专精特新”中小企业80家、"
                         "瞪羚企业200家、国高企350家")
    assert extra_figures(gazelles, answer) == 3
    assert not states_other_figure(gazelles, answer)


def test_gold_figure_with_two_others_is_concise_and_the_year_is_no_figure(texts, gazelles):
    from assistant.evaluation.runner import CONCISE_EXTRA
    from assistant.evaluation.scoring import extra_figures

    answer = said(texts, "省级“专精特新”中小企业80家、瞪羚企业200家、国高企350家")
    assert extra_figures(gazelles, answer) == 2 <= CONCISE_EXTRA
    assert extra_figures(gazelles, said(texts, "瞪羚企业200家")) == 0


def test_a_figure_repeated_or_in_another_unit_is_not_extra(texts):
    from assistant.evaluation.scoring import extra_figures

    item = GoldItem("t", "去年滨江招了多少人才", "paraphrase", [], (
        gold_answer(texts, "binjiang-2023-plan", "3.8", "万人", "全年引进各类人才3.8万人"),))
    answer = Answer("q", "滨江区：全年引进各类人才38000人[1]，即3.8万人[1]。", False,
                    [cite(texts, 1, "binjiang-2023-plan", "全年引进各类人才3.8万人")])
    assert extra_figures(item, answer) == 0


def test_a_wrong_figure_counts_as_another_figure_than_asked(texts, gazelles):
    from assistant.evaluation.scoring import extra_figures, score_answer, states_other_figure

    answer = said(texts, "国高企350家")
    assert states_other_figure(gazelles, answer) and not score_answer(gazelles, answer).correct
    assert extra_figures(gazelles, answer) == 1


def test_an_abstention_states_no_figure(gazelles):
    from assistant.evaluation.scoring import extra_figures, states_other_figure

    abstained = Answer("q", "未在报告中找到。", True)
    assert extra_figures(gazelles, abstained) is None and not states_other_figure(gazelles, abstained)


def test_a_missing_district_without_a_stray_figure_is_incomplete_not_another_figure(texts, parking):
    from assistant.evaluation.scoring import states_other_figure

    answer = Answer("q", "拱墅区：新增停车泊位5000个[1]。", False,
                    [cite(texts, 1, "gongshu-2023-workplan", "新增停车泊位5000个")])
    assert not states_other_figure(parking, answer)
