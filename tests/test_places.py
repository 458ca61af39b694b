"""Places read from a real gazetteer: whole names, short forms, parents, and never another
place's figure for a place that has no report."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.answer.question import QuestionReader
from assistant.ingest.metadata import places as report_place
from assistant.lang.zh.places import ancestors, find_places, places, short_forms

# Two district reports, as the index describes them (their own names, city and aliases).
REPORTS = [{"district": "滨江区", "city": "杭州市", "aliases": ["滨江", "高新区"], "years": [2022, 2023],
            "actual_year": 2022, "target_year": 2023},
           {"district": "拱墅区", "city": "杭州市", "aliases": ["拱墅"], "years": [2023], "target_year": 2023}]
PROVINCE = [{"district": "宁夏回族自治区", "city": "", "aliases": [], "years": [2025], "target_year": 2025}]


@pytest.fixture(scope="module")
def reader() -> QuestionReader:
    return QuestionReader(REPORTS)


@pytest.mark.parametrize("question, unknown", [
    ("2023年西湖区GDP目标", "西湖区"), ("鄞州区2023年地区生产总值是多少", "鄞州区"),
    ("宁波市2023年GDP", "宁波市"), ("宁夏2025年地区生产总值", "宁夏")])
def test_a_place_with_no_report_is_named_not_replaced_by_another(reader, question, unknown):
    intent = reader.read(question)
    assert intent.districts == () and intent.unknown_district == unknown


@pytest.mark.parametrize("question", ["西湖大学2023年的招生人数", "朝阳产业2023年增加值", "长安汽车的销量"])
def test_a_place_name_inside_another_word_is_no_place(reader, question):
    assert reader.places_in(question) == [] and reader.read(question).unknown_district is None


def test_a_ranking_is_not_a_question_about_the_wider_place(reader):
    assert reader.read("哪个区的地区生产总值全市第一").wider_place is None
    assert reader.read("全市2023年新增停车泊位目标").wider_place == "全市"


def test_a_place_above_the_covered_ones_is_told_apart_from_an_unknown_one(reader):
    intent = reader.read("浙江省2023年GDP增长目标")
    assert intent.wider_place == "浙江省" and intent.unknown_district is None
    assert reader.read("杭州市滨江区2022年GDP").districts == ("滨江区",)
    assert reader.read("杭州市滨江区2022年GDP").wider_place is None


def test_short_names_and_aliases_mean_the_report_place(reader):
    assert reader.read("滨江和拱墅2023年分别新增多少停车位").districts == ("滨江区", "拱墅区")
    assert reader.read("高新区2022年GDP").districts == ("滨江区",)
    assert QuestionReader(PROVINCE).read("宁夏2025年地区生产总值增长目标").districts == ("宁夏回族自治区",)


def test_a_place_named_in_a_follow_up_beats_the_history(reader):
    assert "西湖区" in reader.resolve("2023年西湖区GDP目标", ["滨江区2023年GDP增长目标"])
    assert "滨江区" not in reader.resolve("2023年西湖区GDP目标", ["滨江区2023年GDP增长目标"])
    assert reader.resolve("那拱墅区呢?", ["滨江区2023年新增停车泊位目标"]).startswith("拱墅区")


def test_short_forms_drop_the_level_and_the_ethnic_group():
    assert short_forms("宁夏回族自治区", "province") == ("宁夏",)
    assert short_forms("恩施土家族苗族自治州", "city") == ("恩施",)
    assert short_forms("北京市", "province") == ("北京",)


def test_a_report_gets_its_place_and_parent_from_its_title():
    assert report_place("2025年宁夏回族自治区政府工作报告") == ("宁夏回族自治区", "全国")
    assert report_place("2024年成都市政府工作报告") == ("成都市", "四川省")
    assert report_place("南京市鼓楼区2024年政府工作报告") == ("鼓楼区", "南京市")
    assert report_place("政府工作报告——在第十四届全国人民代表大会第一次会议上 国务院总理")[0] == "全国"


def test_words_that_only_look_like_places_are_not_read_as_places():
    assert [m.text for m in find_places("杭州市2023年新增上市企业，主城区建设，合作园区")] == ["杭州市"]


def test_one_name_of_several_divisions_keeps_them_all():
    [mention] = find_places("鼓楼区2023年")
    assert len(mention.places) >= 3 and {p.level for p in mention.places} == {"county"}


_COVERED = {"330108", "330105"}
_OTHER_NAMES = sorted({name for place in places().values() if place.level != "national"
                       and place.code not in _COVERED
                       for name in (place.name, *short_forms(place.name, place.level))})


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_OTHER_NAMES), st.sampled_from(["{}2023年地区生产总值是多少", "{}今年新增多少个停车泊位",
                                                       "那{}呢?", "{}的GDP"]))
def test_no_other_place_of_the_gazetteer_resolves_to_an_indexed_one(reader, name, template):
    covered_names = {"滨江", "滨江区", "拱墅", "拱墅区", "高新区"}
    if name in covered_names:
        return  # the same name as an indexed place (another 滨江区 elsewhere, say) means the indexed one
    assert reader.districts_in(template.format(name)) == ()


def test_every_division_has_a_chain_up_to_the_nation():
    chains = [list(ancestors(place)) for place in places().values() if place.level == "county"]
    assert chains and all(chain[-1].level == "national" for chain in chains)


def test_the_assistant_never_answers_an_unindexed_place_with_an_indexed_ones_figure(assistant):
    history = [{"role": "user", "content": "滨江区2023年地区生产总值增长目标是多少?"}]
    for question, turns in (("2023年西湖区GDP目标", history), ("宁夏2023年地区生产总值", []),
                            ("浙江省2023年GDP增长目标", [])):
        answer = assistant.ask(question, turns)
        assert answer.abstained and not answer.figures and not answer.citations, answer.answer
    assert "滨江区" in assistant.ask("浙江省2023年GDP增长目标").answer  # says which places are covered


WORK_REPORTS = [{"district": "四川省", "city": "", "aliases": ["四川"], "years": [2024, 2025],
                 "actual_year": 2024, "target_year": 2025},
                {"district": "成都市", "city": "四川省", "aliases": ["成都"], "years": [2023, 2024],
                 "actual_year": 2023, "target_year": 2024}]


@pytest.mark.parametrize(("question", "year", "report_year", "topic"), [
    # The report's year alone: that report, its review and its plans alike.
    ("成都2024年政府工作报告里，正式开馆的是哪国总领事馆？", None, 2024, "正式开馆的是哪国总领事馆"),
    # 去年 of the report named, not of the latest report indexed.
    ("2024年成都市政府工作报告说去年地区生产总值多少", 2023, 2024, "地区生产总值多少"),
    # A data year beside the report's year is the year asked.
    ("2025年四川省政府工作报告里，2024年粮食产量是多少", 2024, 2025, "粮食产量是多少"),
    # No report named: the year stated is the data's year.
    ("四川2025年计划改造多少个老旧小区", 2025, None, "计划改造多少个老旧小区"),
])
def test_a_question_naming_a_report_by_its_year_reads_the_data_year_apart(question, year, report_year, topic):
    intent = QuestionReader(WORK_REPORTS).read(question)
    assert (intent.year, intent.report_year, intent.topic) == (year, report_year, topic)


@pytest.mark.parametrize(("question", "districts", "unknown"), [
    ("成都市武侯区2024年地区生产总值增长目标是多少？", (), "武侯区"),  # a district under a covered city
    ("四川成都2024年地区生产总值", ("成都市",), None),  # the province only says which 成都
    ("四川和成都2024年地区生产总值", ("四川省", "成都市"), None),  # a comparison names both
])
def test_a_place_named_only_as_the_parent_of_another_is_not_asked_about(question, districts, unknown):
    intent = QuestionReader(WORK_REPORTS).read(question)
    assert (intent.districts, intent.unknown_district) == (districts, unknown)


def test_relative_years_count_from_the_latest_report_of_the_place_asked():
    reader = QuestionReader(WORK_REPORTS)
    assert reader.read("今年四川粮食产量目标是多少").year == 2025
    assert reader.read("去年成都新增就业多少人").year == 2023  # 成都's latest report plans 2024
    assert reader.read("今年地区生产总值增长目标").year == 2025  # no place: the latest of all


def test_each_place_of_a_comparison_keeps_the_year_written_after_it():
    reader = QuestionReader(WORK_REPORTS)
    intent = reader.read("成都2024年和四川2025年的城镇新增就业目标分别是多少？")
    assert (intent.year_of("成都市"), intent.year_of("四川省")) == (2024, 2025)
    assert reader.read("成都和四川2024年城镇新增就业目标分别是多少").place_years == ()  # one year for both


def test_the_whole_a_share_or_rank_is_taken_of_is_no_place_asked():
    # "占全国16%", "居全国第3": 全国 is what the share or rank is of; 全国 alone is asked about.
    assert [m.text for m in find_places("内蒙古外送电量占全国比重是多少")] == ["内蒙古"]
    assert [m.text for m in find_places("四川经济总量居全国第几")] == ["四川"]
    assert [m.text for m in find_places("全国国内生产总值增长目标")] == ["全国"]
    # A place's people (河南人, joined into one word by jieba) name the place.
    assert [m.text for m in find_places("河南人2024年人均可支配收入增长多少")] == ["河南"]
    # 我国 is a pronoun to jieba, yet always the nation.
    assert [p.name for m in find_places("2021年我国GDP总量多少") for p in m.places] == ["全国"]


def test_a_port_airport_or_station_names_its_place():
    # Their figures are their place's, even where jieba makes "深圳机场" one word.
    assert [m.text for m in find_places("2023年深圳机场旅客吞吐量有多少")] == ["深圳"]
    assert [m.text for m in find_places("烟台港集装箱吞吐量多少")] == ["烟台"]
    assert [m.text for m in find_places("西湖大学2023年的招生人数")] == []


@pytest.mark.parametrize(("question", "entity"), [
    ("西湖大学2023年研发经费", "西湖大学"), ("成都高新区2023年地区生产总值", "成都高新区"),
    ("成都平原经济区2024年GDP增长多少", "成都平原"), ("电子科技大学2023年研发投入", "电子科技大学"),
    ("浙江工业大学2023年新增学位", "浙江工业大学"), ("宁波舟山港货物吞吐量", "宁波舟山港")])
def test_a_thing_named_after_a_place_must_be_named_by_the_answer(question, entity):
    intent = QuestionReader(WORK_REPORTS).read(question)
    assert entity in intent.entities and intent.districts == () and intent.unknown_district is None


@pytest.mark.parametrize("question", ["滨江高新区2023年GDP目标", "拱墅区2023年计划在社区医院里打造多少个特色专科",
                                      "2022年滨江哪个产业入选了浙江省的新星产业群",
                                      "截至2022年底滨江培育了多少家上市公司"])
def test_a_place_of_its_own_name_or_a_kind_of_institution_is_no_named_thing(reader, question):
    assert reader.read(question).entities == ()


def test_a_province_written_before_a_city_asks_the_city():
    # With a report of 浙江省 too, 浙江 of 浙江杭州 only says which 杭州: the place asked is 杭州,
    # above the covered districts, which are said.
    reader = QuestionReader([*REPORTS, {"district": "浙江省", "city": "", "aliases": ["浙江"], "years": [2024, 2025],
                                        "actual_year": 2024, "target_year": 2025}])
    intent = reader.read("浙江杭州2023年GDP")
    assert intent.wider_place == "杭州" and intent.districts == ()
    assert reader.covered_under("杭州") == ["滨江区", "拱墅区"]


@pytest.mark.parametrize(("question", "name"), [
    ("苏2024年GDP", "苏"), ("鄂2024年GDP增长目标", "鄂"), ("东北地区GDP增速", "东北地区"),
    ("成渝地区2024年GDP", "成渝地区"), ("长三角GDP总量", "长三角"), ("天府新区2023年经济总量", "天府新区"),
    ("东部新区2023年GDP", "东部新区"), ("深圳前海合作区2023年GDP", "前海合作区"),
    ("2024年中欧班列（成渝）开了多少列", "成渝")])
def test_a_region_or_one_character_abbreviation_must_be_named_by_the_answer(question, name):
    # The gazetteer has neither; read as no place, the question would get every covered place's figure.
    assert name in QuestionReader(WORK_REPORTS).read(question).entities


@pytest.mark.parametrize("question", ["2024年农村地区用电量", "四川2024年贫困地区农民收入", "成都2023年GDP",
                                      "成都有几个新区"])
def test_ordinary_words_before_a_region_word_are_no_region(question):
    assert QuestionReader(WORK_REPORTS).read(question).entities == ()


@pytest.mark.parametrize("question", ["烟台现在一共有多少个汽车充电桩", "滨江目前有多少家上市公司"])
def test_a_question_about_the_present_asks_a_result(reader, question):
    # A plan ("新增…充电桩1万个") says nothing of what exists now.
    assert reader.read(question).period == "actual"


@pytest.mark.parametrize(("question", "name"), [("前海2023年地区生产总值是多少？", "前海"),
                                                ("滨萧特别合作园2022年落地项目的计划总投资是多少?", "滨萧特别合作园")])
def test_a_name_the_gazetteer_lacks_opening_the_question_must_be_named_where_the_figure_is(reader, question, name):
    # Read as no place, "前海2023年GDP" would get every covered place's GDP.
    assert reader.read(question).leading == (name,)


@pytest.mark.parametrize("question", ["截至2022年底滨江培育了多少家上市公司", "中国2021年粮食产量", "滨江2023年GDP目标",
                                      "全省2024年GDP", "西湖大学2023年研发经费", "预计2023年GDP增长多少",
                                      "我区2023年新增多少停车位", "区里2023年新建几个公园", "区政府2023年安排多少资金",
                                      "两区2023年新增托位各是多少"])
def test_a_place_a_named_thing_or_a_plain_word_before_the_year_is_no_leading_name(reader, question):
    assert reader.read(question).leading == ()


def test_a_leading_name_keeps_other_places_figures_out(assistant):
    answer = assistant.ask("前海2023年地区生产总值是多少？")
    assert answer.abstained


@pytest.mark.parametrize("question", ["2023年新建多少个公园", "滨江2022年新建了几所学校",
                                      "2021年开小店的，每月营业额不超过多少免税", "2022年国家准备新建多少亩高标准农田"])
def test_a_county_short_form_used_as_an_everyday_word_is_no_place(reader, question):
    # 新建 (新建区), 小店 (小店区): read as places, these questions were refused as about a place no report covers.
    assert reader.read(question).unknown_district is None


@pytest.mark.parametrize(("question", "place"), [("去鄞州的游客有多少", "鄞州"), ("新建区2023年GDP", "新建区"),
                                                 ("鄞州2023年GDP", "鄞州")])
def test_a_county_named_as_a_place_is_still_read(reader, question, place):
    assert reader.read(question).unknown_district == place


@pytest.mark.parametrize(("question", "national"), [
    ("2022年国家预计给企业退税减税一共多少？", True), ("中国2021年粮食产量", True),
    ("2022年政府工作报告里，国家那年能发多少地方专项债？", True),
    ("滨江2023年新增国家高新技术企业多少家", False), ("拱墅区计划新增国家认定的孵化器几家", False)])
def test_the_state_as_the_subject_names_the_nation_not_as_a_modifier(question, national):
    # Read as no place, "国家预计…退税减税" got a district's tax relief beside the nation's.
    assert ("全国" in [p.name for m in find_places(question) for p in m.places]) == national


def test_a_zone_is_named_by_its_zone_word_in_its_own_places_report_only():
    from assistant.answer.question import names_entity

    # In 河南's report "自贸试验区新设企业2.3万家" is 河南自贸区's figure; in another report it is not.
    assert names_entity("河南自贸区", "自贸试验区新设企业", "河南省")
    assert not names_entity("河南自贸区", "自贸试验区新设企业", "四川省")
    assert names_entity("博野开发区", "力争年内开发区营业收入超过", "博野县")
    # A university is no zone: "大学" alone never names 西湖大学.
    assert not names_entity("西湖大学", "新增大学生就业", "西湖区")


def test_other_countries_are_places_no_report_covers():
    # From pycountry's Chinese names: 美国 is a place (of no report); 中非 of 中非经贸博览会 is no country.
    assert [p.level for m in find_places("2021年美国高技术制造业增加值增长了多少？") for p in m.places] == ["foreign"]
    assert find_places("中非经贸博览会2024年办了几场") == []
