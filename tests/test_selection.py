"""Choosing the answer: the kind of quantity asked, a calibrated confidence, and a calibration
fitted on dev items only."""

from __future__ import annotations

import pytest

from assistant.answer.calibration import FEATURES, load_calibration
from assistant.evaluation.calibrate import fit
from assistant.evaluation.gold import GoldItem
from assistant.lang.zh import lexicon


@pytest.mark.parametrize("question, kind", [
    ("今年要把几条旧马路修好?", "count:条"), ("打算卖出去的商业用地一共有多少亩？", "area"),
    ("全区投资实际一共投了多少钱啊？", "money"), ("GDP增速目标是多少", "rate"), ("新增就业多少万人", "people"),
    ("那几个园区计划完成多少产业投资？", None), ("地区生产总值是多少?", "value"), ("港口吞吐量是多少?", "amount"),
    # A level's target is mostly set as its growth: both kinds may answer it.
    ("地区生产总值目标是多少?", None),
    # A measure word after the count word says what is counted, whatever the verb: funds, not money.
    ("引导基金一共投了多少只子基金？", "count:只"), ("一共投了多少个亿？", "money")])
def test_the_kind_of_quantity_asked_is_read_from_how_the_question_asks(question, kind):
    assert lexicon.asked_kind(question) == kind


def test_a_rate_never_answers_a_total_and_counts_of_any_measure_do_not_clash():
    assert lexicon.kinds_agree("money", "rate") == -1 and lexicon.kinds_agree("rate", "money") == -1
    assert lexicon.kinds_agree("area", lexicon.figure_kind("方")) == 1
    assert lexicon.kinds_agree("count:个", "people") == 1 and lexicon.kinds_agree("count:批次", "count:批") == 0
    assert lexicon.kinds_agree(None, "rate") == 0
    # A level is no growth rate, unless the question asks its change.
    assert lexicon.kinds_agree(lexicon.asked_kind("经济总量达到多少"), "rate") == -1
    assert lexicon.asked_kind("社会消费品零售总额增长目标是多少") == "rate" or \
        lexicon.kinds_agree(lexicon.asked_kind("社会消费品零售总额增长目标是多少"), "rate") >= 0
    # Person-times are no count of people: "新增就业多少人" is not answered by "帮扶8000人次".
    assert lexicon.kinds_agree(lexicon.asked_kind("新增就业多少人"), lexicon.figure_kind("人次")) == -1
    assert lexicon.kinds_agree(lexicon.asked_kind("接待游客多少人次"), lexicon.figure_kind("人次")) == 1
    # A bare number (an index, a title's year, half of "1/4") answers no measured kind, only a level.
    assert lexicon.kinds_agree(lexicon.asked_kind("造了多少辆新能源车"), None) == -1
    assert lexicon.kinds_agree("amount", None) == 0


def test_the_packaged_calibration_has_every_feature_and_a_sane_curve():
    calibration = load_calibration()
    assert len(calibration.weights) == len(FEATURES) and 0 < calibration.threshold < 1
    assert calibration.confidence(1.0) > calibration.confidence(0.2)  # more coverage, more confidence


def test_calibration_refuses_to_fit_on_test_items():
    item = GoldItem("t1", "问题", "numeric", split="test")
    with pytest.raises(ValueError, match="dev"):
        fit(None, [item], load_calibration())  # type: ignore[arg-type]  # refused before it is used


def test_a_total_asked_where_the_report_gives_only_a_rate_is_not_answered_with_the_rate(assistant):
    answer = assistant.ask("滨江区2023年地区生产总值要达到多少亿元?")
    assert answer.abstained and answer.answer.startswith("未在报告中找到")
    assert answer.citations and "%" in answer.citations[0].quote  # says what the report does give, cited
    rate = assistant.ask("滨江区2023年地区生产总值增长目标是多少?")
    assert not rate.abstained and "5.0%" in rate.answer


def test_answers_carry_a_confidence_and_abstentions_none(assistant):
    sure = assistant.ask("拱墅区2023年新增多少个停车泊位?")
    assert not sure.abstained and sure.confidence is not None
    assert sure.confidence >= load_calibration().threshold and "confidence" in sure.to_dict()
    assert assistant.ask("滨江区2023年登月计划发射几枚火箭?").confidence is None


def test_an_answer_quotes_the_clause_with_the_figure_not_list_marks_or_the_lead_in(assistant):
    answer = assistant.ask("滨江区2023年地区生产总值增长目标是多少?")
    [citation] = answer.citations
    assert "：——" not in answer.answer and citation.quote.startswith("地区生产总值增长确保5.0%")
    assert len(citation.quote) <= 50


def test_a_theme_line_is_quoted_with_the_sentence_that_fills_it_in(assistant):
    """"加快教育事业优质发展。" only names a theme; asked what the goals are, the user gets the sentence
    after it (the schools to open), still one verbatim slice of the passage."""
    answer = assistant.ask("滨江区2023年在教育方面有哪些目标?")
    assert not answer.abstained
    citation = answer.citations[0]
    assert citation.quote.startswith("加快教育事业优质发展。") and "学校8所" in citation.quote
    assert citation.quote in answer.answer


def test_a_word_in_brackets_after_another_is_a_second_word_for_the_same_term():
    from assistant.answer.answerers.extractive import _presence, topic_terms
    from assistant.answer.question import QuestionReader

    report = {"district": "拱墅区", "city": "杭州市", "aliases": [], "years": [2023], "target_year": 2023}
    reader = QuestionReader([report])
    terms = topic_terms(reader.read("拱墅区2023年完工（竣工）多少条道路"))
    assert terms == ["完工|竣工", "道路"]
    assert _presence(terms[0], "竣工20条11.7公里") == 1.0


def test_the_askers_own_word_stays_a_spelling_of_its_glossary_term():
    from assistant.answer.answerers.extractive import _presence
    from assistant.answer.question import in_report_wording

    # A report may write the everyday word itself ("新增停车位4255个"), or the indicator's name.
    term = in_report_wording("新增停车位").split()[-1]
    assert _presence(term, "新增停车位4255个") == 1.0 and _presence(term, "新增停车泊位不少于3700个") == 1.0
    # The asker's word counts only whole: "数字经济…增长" is no 0.9 partial match of 经济增长.
    assert _presence(in_report_wording("经济增长"), "数字经济核心产业增加值增长8%") < 0.5
    # Words the glossary gives one meaning make one term, so it is not counted twice.
    assert in_report_wording("争取冲刺多少").split()[0] == "争取|冲刺|力争"


def test_a_share_is_no_growth_rate_and_a_growth_rate_no_share():
    # "实际使用外资152.7亿美元，其中制造业外资占比51%": 51% answers no 增长多少.
    assert lexicon.kinds_agree(lexicon.asked_kind("实际使用外资比上年增长多少"), "rate", "其中制造业外资占比") == -1
    assert lexicon.kinds_agree(lexicon.asked_kind("制造业外资占比多少"), "rate", "其中制造业外资占比") == 1
    assert lexicon.kinds_agree(lexicon.asked_kind("制造业外资占比多少"), "rate", "外资增长") == -1


def test_a_measure_word_or_a_scale_is_how_a_question_asks_not_its_topic():
    assert all(lexicon.asks_measure(w) for w in ("亿元", "万人", "公里", "万亿", "哪条"))
    assert not any(lexicon.asks_measure(w) for w in ("人才", "公园", "元旦"))


def test_a_clause_opening_with_a_thing_of_its_own_has_its_own_subject():
    from assistant.answer.answerers.extractive import _own_subject

    for lead in ("一般公共预算收入增长", "年末全国城镇调查失业率降到", "力争综合产值达", "居民消费价格指数控制在"):
        assert _own_subject(lead), lead
    for lead in ("增长", "力争", "新增停车位", "全年为市场主体减负超过", "比上年末提高"):
        assert not _own_subject(lead), lead


def test_a_word_inside_a_longer_word_of_another_meaning_is_not_that_word():
    from assistant.answer.answerers.extractive import _presence

    assert _presence("出口", "进出口总额突破9万亿元") == 0.0
    assert _presence("经济增长|生产总值增长", "全省海洋生产总值增长6.5%左右") < 0.5
    assert _presence("经济增长|生产总值增长", "全省生产总值增长5.5%") == 1.0
    assert _presence("生产总值", "全社会研发投入占地区生产总值比重提升至5.81%") < 0.5
    assert _presence("固定资产投资", "制造业投资增长3.3%") < 0.5


def test_the_other_of_two_exclusive_parts_is_no_answer():
    from assistant.answer.answerers.extractive import _contrasted

    assert _contrasted("烟台2023年城镇调查失业率是多少", "城镇登记失业率低于3.5%")
    assert _contrasted("城镇居民人均可支配收入增长多少", "农村居民人均可支配收入增长6.1%")
    assert _contrasted("城镇居民人均可支配收入增长多少", "脱贫县农民收入增长6.9%")
    assert not _contrasted("城镇调查失业率是多少", "城镇调查失业率5.2%")
    assert not _contrasted("进出口总额多少", "进出口总额8202亿元")


def test_a_value_in_money_is_no_count_of_firms():
    # "第三产业增加值是多少" is not answered by "服务业…领跑者13家", nor by a growth rate.
    asked = lexicon.asked_kind("第三产业增加值是多少")
    assert lexicon.kinds_agree(asked, lexicon.figure_kind("家")) == -1
    assert lexicon.kinds_agree(asked, "rate") == -1 and lexicon.kinds_agree(asked, lexicon.figure_kind("元")) == 1


def test_a_share_held_by_a_verb_is_still_a_share_and_a_growth_in_percent_asks_a_rate():
    # "占地区生产总值比重保持75%左右" answers no "实际涨了百分之多少".
    asked = lexicon.asked_kind("数字经济核心产业增加值实际涨了百分之多少？")
    assert asked == "rate"
    assert lexicon.kinds_agree(asked, "rate", "占地区生产总值比重保持") == -1
    assert lexicon.kinds_agree(asked, "rate", "增加值增长") == 1


def test_households_are_not_counted_in_projects():
    # "实施52个老旧小区综合改造提升项目" answers no "让多少户居民受益".
    asked = lexicon.asked_kind("老小区改造，计划让多少户居民受益？")
    assert lexicon.kinds_agree(asked, lexicon.figure_kind("个")) == -1
    assert lexicon.kinds_agree(asked, lexicon.figure_kind("户")) == 1


def test_a_part_the_question_leaves_out_is_read_and_kept_out_of_its_topic(assistant):
    for question in ("新增多少家孵化器？众创空间不算。", "新增孵化器（不含众创空间）多少家",
                     "不包括众创空间，新增孵化器多少家"):
        assert lexicon.excluded(question) == ("众创空间",), question
    assert lexicon.excluded("新增多少家孵化器") == ()
    intent = assistant.reader.read("2023年新增多少家孵化器？众创空间不算。")
    assert intent.excluded == ("众创空间",) and "众创空间" not in intent.topic


def test_titles_of_another_level_count_other_things():
    from assistant.answer.answerers.extractive import _contrasted

    # "新认定各级孵化器、众创空间15家" answers no 国家级孵化器 question.
    assert _contrasted("新认定几家国家级孵化器", "力争全年新认定各级孵化器、众创空间")
    assert _contrasted("有几条河评上了市级美丽河湖", "创建省级美丽河湖片区")
    assert not _contrasted("有几条河评上了市级美丽河湖", "创建省级美丽河湖片区1个、市级美丽河道")


def test_a_comparison_word_is_no_change_word(assistant):
    # 比较 holds 比 ("比上年"), which would make "GDP总量比较" ask a change and let a growth rate answer.
    assert assistant.reader.read("滨江和拱墅2023年GDP总量比较").asked_kind == lexicon.asked_kind("GDP总量")


def test_how_people_talk_is_no_topic(assistant):
    from assistant.answer.answerers.extractive import topic_terms

    terms = topic_terms(assistant.reader.read("滨江2022年到底建了多少个公园？"))
    assert not any(word in term for term in terms for word in ("到底", "建了")), terms
    assert any("城镇" in term for term in topic_terms(assistant.reader.read("2023年城里新增了多少人就业")))


def test_of_clauses_with_the_same_evidence_the_one_saying_least_beyond_the_question_is_chosen():
    from assistant.answer.answerers.extractive import _beyond

    terms = ["外贸|进出口"]
    assert _beyond("进出口总额", "深圳2023年外贸进出口", terms) == 0.0
    assert _beyond("对共建“一带一路”国家进出口", "深圳2023年外贸进出口", terms) > 0.5
    # A narrower kind of the thing asked says more than asked: 新能源汽车 is no 汽车.
    assert _beyond("新能源汽车产量", "河南一共造了多少辆汽车", ["汽车"]) > 0
    # A quantity's whole says no more than the quantity (总产值 of 产值); a kind of it does (外资企业).
    assert _beyond("总产值突破", "白酒产业产值达到多少亿元", ["白酒", "产业", "产值"]) == 0.0
    assert _beyond("新设外资企业", "广东有多少家企业", ["企业"]) > 0


def test_a_level_does_not_answer_what_a_year_added():
    from assistant.answer.answerers.extractive import _level_for_increase
    from assistant.lang.zh.numbers import extract_figures

    def level(question: str, before: str, quote: str) -> bool:
        stated = extract_figures(quote)
        return _level_for_increase(question, before, quote, stated[-1].end, stated)

    # "…，高新技术企业1.3万家" counts what there is: no answer to 新增了多少家.
    assert level("河南2024年新增了多少家高新技术企业？", "培育国家级专精特新企业414家，", "高新技术企业1.3万家")
    assert not level("河南2024年有多少家高新技术企业？", "培育国家级专精特新企业414家，", "高新技术企业1.3万家")
    # A list after 新增 counts what was added, and a verb of the clause's own says what it did.
    assert not level("新增了多少条公交线路", "新增停车位3700个，", "公交线路5条")
    assert not level("新建多少个停车位", "", "新建5000个停车位")
    assert not level("新增多少家博物馆", "", "博物馆增至192家")
    # jieba tags 改扩建 an abbreviation, yet it builds: 25所 were built, not there.
    assert not level("新建、改扩建了多少所中小学和幼儿园", "", "新改扩建中小学、幼儿园25所")


def test_a_numbered_thing_is_told_from_a_rank():
    # "规模以上工业增加值增长6.6%" answers no 第二产业 question; a rank (全国第二) is no numbered thing.
    assert lexicon.ordinal().search("第二产业") and lexicon.ordinal().search("18号线")
    assert not lexicon.ordinal().search("全球第二") and not lexicon.ordinal().search("一带一路")
