"""The assistant answers with verbatim, cited figures, per district, and abstains when it must."""

from __future__ import annotations

import pytest

from assistant.answer.grounding import ungrounded_figures
from assistant.errors import UserError
from assistant.lang.zh.numbers import extract_figures


def _report_text(assistant, doc_id):
    return next(c for c in assistant.index.chunks if c.doc_id == doc_id)


def test_question_without_district_is_answered_for_both_districts(assistant):
    answer = assistant.ask("2023年新增停车泊位目标")
    assert not answer.abstained
    assert "不少于3700个" in answer.answer and "5000个" in answer.answer
    assert {c.district for c in answer.citations} == {"滨江区", "拱墅区"}
    assert answer.answer.index("滨江区") < answer.answer.index("[1]") < answer.answer.index("拱墅区")


def test_every_cited_passage_is_the_exact_report_slice(assistant, settings):
    from assistant.ingest.corpus import load_reports

    texts = {r.id: r.text for r in load_reports(settings.seeds_dir)}
    answer = assistant.ask("2023年新增停车泊位目标")
    for c in answer.citations:
        assert texts[c.doc_id][c.start:c.end] == c.text
        assert texts[c.doc_id][c.quote_start:c.quote_end] == c.quote
        assert c.quote in answer.answer


def test_every_figure_in_an_answer_occurs_in_its_cited_passage(assistant):
    for question in ("滨江区2022年地区生产总值是多少", "去年滨江引进了多少人才", "2023年新增停车泊位目标",
                     "滨江区2023年地区生产总值增长目标"):
        answer = assistant.ask(question)
        assert ungrounded_figures(answer.answer, answer.citations) == []
        assert answer.figures, question
        for figure in answer.figures:
            passage = answer.citations[figure.citation - 1].text
            assert figure.value in passage


def test_2022_result_and_2023_target_are_not_confused(assistant):
    actual = assistant.ask("滨江区2022年引进了多少人才")
    target = assistant.ask("滨江区2023年新引进人才目标是多少")
    assert "3.8万人" in actual.answer and "2022年实际" in actual.answer
    assert "4.0万人" in target.answer or "4万人" in target.answer
    assert "3.8万人" not in target.answer


def test_a_topic_the_reports_lack_is_not_answered_by_the_words_around_it(assistant):
    """月球 is in no passage; 基地 and 建设 are, in other topics: no figure of theirs answers."""
    answer = assistant.ask("滨江区2022年月球基地建设了多少个？")
    assert answer.abstained and not answer.figures, answer.answer


def test_two_years_asked_at_once_get_one_part_each_with_its_own_citation(assistant):
    answer = assistant.ask("滨江区2022年和2023年新增注册企业分别是多少？")
    assert [(c.n, c.year, c.period) for c in answer.citations] == [(1, 2022, "actual"), (2, 2023, "target")]
    assert "1.7万家" in answer.answer.split("[1]")[0] and "1.6万家" in answer.answer.split("[1]")[1]
    assert {f.citation for f in answer.figures} == {1, 2}


def test_target_pairs_keep_both_qualifiers(assistant):
    answer = assistant.ask("滨江区2023年地区生产总值增长目标是多少")
    assert "确保5.0%" in answer.answer and "力争5.5%以上" in answer.answer
    qualifiers = {f.value: f.qualifier for f in answer.figures}
    assert qualifiers["5.0"] == "确保" and "力争" in qualifiers["5.5"]


def test_single_district_question_cites_only_that_district(assistant):
    answer = assistant.ask("拱墅区2023年新增停车泊位目标")
    assert [c.district for c in answer.citations] == ["拱墅区"]
    assert "5000个" in answer.answer and "3700" not in answer.answer


def test_followup_keeps_topic_and_switches_district(assistant):
    history = [{"role": "user", "content": "滨江区2023年新增停车泊位目标是多少?"}]
    answer = assistant.ask("那拱墅区呢?", history)
    assert answer.standalone_question.startswith("拱墅区2023年")
    assert "5000个" in answer.answer and "3700" not in answer.answer


def test_followup_switches_year_from_target_to_result(assistant):
    history = [{"role": "user", "content": "滨江区2023年新增托位目标是多少?"}]
    answer = assistant.ask("2022年完成了多少?", history)
    assert "2022年" in answer.standalone_question
    assert "617个" in answer.answer and "300个" not in answer.answer


@pytest.mark.parametrize("question", [
    "滨江区常住人口有多少?",
    "西湖区2023年新增停车泊位目标",
    "滨江区2024年地区生产总值增长目标",
    "杭州市2023年地区生产总值增长目标是多少?",
    "拱墅区2022年地区生产总值是多少?",
])
def test_unanswerable_questions_abstain_without_figures(assistant, question):
    answer = assistant.ask(question)
    assert answer.abstained
    assert answer.answer.startswith("未在报告中找到")
    assert not answer.citations and not answer.figures
    assert not extract_figures(answer.answer)


def test_abstention_shows_no_passages_that_are_not_about_the_topic(assistant):
    """The reports never mention 常住人口: passages on housing or jobs would only mislead."""
    answer = assistant.ask("滨江区常住人口有多少?")
    assert answer.abstained and answer.nearest == []


def test_a_topic_given_only_for_another_year_says_which_without_its_figure(assistant):
    """After a 2023 target, "那2022年呢?" is not "nothing about parking": the reports give it for
    2023 only, and that is what the user is told, with the passage but not its figure."""
    answer = assistant.ask("那2022年呢?", ["滨江区2023年新增停车泊位目标是多少?"])
    assert answer.abstained and answer.answer.startswith("未在报告中找到")
    assert "2022年" in answer.answer and "只给出2023年目标" in answer.answer and "停车泊位" in answer.answer
    assert "3700" not in answer.answer and not answer.figures and not answer.citations
    assert answer.nearest and "新增停车泊位不少于3700个" in answer.nearest[0].text


@pytest.mark.parametrize("question", ["", "   \n", "问" * 2001])
def test_empty_or_huge_questions_get_one_sentence(assistant, question):
    with pytest.raises(UserError) as caught:
        assistant.ask(question)
    assert "\n" not in str(caught.value) and str(caught.value).endswith("。")


def test_english_question_is_asked_to_be_in_chinese(assistant):
    answer = assistant.ask("What is the parking target for 2023?")
    assert answer.abstained and "中文" in answer.answer


def test_district_filter_restricts_the_answer(assistant):
    answer = assistant.ask("2023年新增停车泊位目标", districts=["拱墅区"])
    assert [c.district for c in answer.citations] == ["拱墅区"]


def test_answer_json_contract_has_the_public_fields(assistant):
    data = assistant.ask("2023年新增停车泊位目标").to_dict()
    for key in ("id", "question", "answer", "abstained", "citations", "figures", "latency_ms"):
        assert key in data
    for key in ("n", "doc_id", "title", "district", "section", "text", "start", "end", "score"):
        assert key in data["citations"][0]
    assert set(data["figures"][0]) >= {"value", "unit", "qualifier", "citation"}


def test_followup_with_a_new_topic_keeps_district_but_not_the_old_topic(assistant):
    history = [{"role": "user", "content": "滨江区2022年地区生产总值是多少?"}]
    answer = assistant.ask("那人才呢?", history)
    assert answer.standalone_question == "滨江区2022年人才"
    assert "3.8万人" in answer.answer
    unrelated = assistant.ask("火星上有多少人口?", [{"role": "user", "content": "2023年新增停车泊位目标"}])
    assert "停车" not in unrelated.standalone_question and unrelated.abstained


def test_followup_with_only_a_verb_refines_the_previous_topic(assistant):
    history = [{"role": "user", "content": "滨江区2022年收储土地多少亩?"}]
    answer = assistant.ask("出让了多少亩?", history)
    assert "收储土地" in answer.standalone_question and "600亩" in answer.answer
