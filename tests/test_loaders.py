"""Loaders: each format's headings and tables become the text the splitter reads; bad files get a sentence."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.errors import UserError
from assistant.index.split import split_report
from assistant.ingest.corpus import Report
from assistant.ingest.layout import join_wrapped, table_lines
from assistant.ingest.loaders import load_document
from assistant.ingest.metadata import infer_metadata, places

REPORT = Report("r", "t", "t", "西湖区", "杭州市", (2024,), "", Path("r.txt"), "")


def sections_of(text: str) -> set[str]:
    return {c.section for c in split_report(replace(REPORT, text=text))}


def test_docx_heading_styles_become_sections_and_table_rows_keep_their_header(report_files):
    document = load_document(report_files["xihu-2024.docx"])
    assert document.title == "杭州市西湖区2024年政府工作报告"
    lines = document.text.splitlines()
    assert lines[0] == "杭州市西湖区2024年政府工作报告"
    assert "# 一、2023年工作回顾" in lines and "## 主要指标" in lines
    assert "指标：新增停车泊位；2023年完成：3000个；2024年目标：4000个。" in lines
    assert "一、2023年工作回顾 > 主要指标" in sections_of(document.text)


def test_pdf_text_layer_in_chinese_with_headings_by_font_size_and_wrapped_lines_joined(report_files):
    document = load_document(report_files["chunan-2024.pdf"])
    lines = document.text.splitlines()
    assert lines[0] == "淳安县2024年政府工作报告" and document.title == lines[0]
    assert "# 一、2023年工作回顾" in lines and "# 二、2024年工作安排" in lines
    assert "全县地区生产总值达到321.7亿元,增长5.2%,总量创历史新高。" in lines
    assert "指标：旅游人次；2024年目标：3000万人次。" in lines
    assert "- 1 -" not in document.text


def test_html_headings_paragraphs_lists_and_tables(report_files):
    document = load_document(report_files["gongshu-2024.html"])
    lines = document.text.splitlines()
    assert document.title == "拱墅区2024年工作安排" and lines[0] == document.title
    assert "# 一、主要目标" in lines and "var x" not in document.text
    assert "全年新增停车泊位2000个,新增市级高层次人才1800名。" in lines
    assert "项目：运河湾公园；投资：12亿元。" in lines and "建成保障性租赁住房5000套。" in lines


def test_markdown_headings_and_pipe_tables(report_files):
    document = load_document(report_files["shangcheng-2024.md"])
    assert document.title == "上城区2024年工作要点"
    assert "指标：新增停车泊位；目标：1500个。" in document.text.splitlines()
    assert "一、经济发展" in sections_of(document.text)


def test_plain_text_in_gb18030_is_read_as_is(report_files):
    document = load_document(report_files["plain.txt"])
    assert document.text == "杭州市余杭区2024年工作安排\n一、主要目标\n新增就业3万人。\n"


@pytest.mark.parametrize(("name", "words"), [
    ("empty.txt", "是空文件（0 字节）"),
    ("not-a-pdf.pdf", "与扩展名 .pdf 不符"),
    ("renamed.docx", "与扩展名 .docx 不符"),
    ("sheet.xls", "的格式（.xls）不受支持"),
    ("locked.pdf", "是加密的 PDF"),
    ("scanned.pdf", "没有文字层"),
])
def test_bad_files_are_refused_with_one_sentence(report_files, name, words):
    with pytest.raises(UserError, match=re.escape(words)) as refused:
        load_document(report_files[name])
    message = str(refused.value)
    assert message.endswith("。") and message.count("。") == 1 and "\n" not in message and name in message


def test_missing_and_oversized_files_are_refused(report_files, tmp_path):
    with pytest.raises(UserError, match="nothing.pdf 不存在"):
        load_document(tmp_path / "nothing.pdf")
    with pytest.raises(UserError, match="超过了每个文件 0 MB 的上限"):
        load_document(report_files["xihu-2024.docx"], max_bytes=10)


def test_table_rows_name_each_cell_by_its_header():
    assert table_lines([["指标", "目标"], ["泊位", "100个"], ["", ""]]) == ["指标：泊位；目标：100个。"]
    assert table_lines([["只有一行", "没有表头"]]) == ["只有一行；没有表头。"]


def test_wrapped_pdf_lines_join_but_headings_and_rows_stay_apart():
    lines = [("一、回顾", True), ("全年实现", True), ("增长5%。", True), ("指标：泊位。", False)]
    assert list(join_wrapped(lines)) == ["一、回顾", "全年实现增长5%。", "指标：泊位。"]


def test_places_splits_city_and_district():
    assert places("杭州市滨江区（杭州高新区）2022年国民经济") == ("滨江区", "杭州市")
    assert places("淳安县2024年政府工作报告") == ("淳安县", "杭州市")  # the gazetteer knows its city
    assert places("上城区2024年工作要点", "新增上市企业5家。") == ("上城区", "杭州市")


def test_metadata_of_a_work_report_reviews_last_year_and_plans_this_one(report_files):
    text = load_document(report_files["xihu-2024.docx"]).text
    meta = infer_metadata(text, "xihu-2024.docx", "杭州市西湖区2024年政府工作报告")
    assert (meta["district"], meta["city"], meta["kind"]) == ("西湖区", "杭州市", "政府工作报告")
    assert (meta["actual_year"], meta["target_year"], meta["years"]) == (2023, 2024, [2023, 2024])
    assert meta["actual_sections"] == ["一、2023年工作回顾"]


def test_a_text_copied_from_a_web_page_has_its_unnumbered_parts_as_sections(tmp_path):
    """Real reports pasted as plain text ("2024年工作回顾" on its own line, no 一、): last year's
    results are found as results, and a short line with a figure stays data."""
    path = tmp_path / "sichuan.txt"
    path.write_text("2025年四川省政府工作报告\n各位代表：\n2024年工作回顾\n全省地区生产总值达到6.47万亿元。\n"
                    "新增就业 106万人\n2025年工作安排建议\n经济增长5.5%左右。\n", encoding="utf-8")
    text = load_document(path).text
    assert "# 2024年工作回顾" in text and "# 2025年工作安排建议" in text and "\n新增就业 106万人\n" in text
    meta = infer_metadata(text, path.name)
    assert (meta["actual_year"], meta["target_year"], meta["actual_sections"]) == (2024, 2025, ["2024年工作回顾"])


def test_numbered_headings_under_a_part_heading_keep_its_year_and_period(tmp_path):
    """"（四）…" inside "# 2023年工作回顾" is last year's results, not this year's plans."""
    path = tmp_path / "chengdu.txt"
    path.write_text("2024年成都市政府工作报告\n2023年工作回顾\n（四）坚持改革开放\n外贸进出口总额7489.8亿元。\n"
                    "2024年工作安排建议\n（一）扩大开放\n外贸进出口总额增长4.5%。\n", encoding="utf-8")
    text = load_document(path).text
    meta = infer_metadata(text, path.name)
    report = replace(REPORT, text=text, actual_sections=tuple(meta["actual_sections"]),
                     actual_year=meta["actual_year"], target_year=meta["target_year"])
    periods = {c.text: (c.year, c.period, c.section.split(" > ")[:2]) for c in split_report(report) if c.section}
    assert periods == {"外贸进出口总额7489.8亿元。": (2023, "actual", ["2023年工作回顾", "（四）坚持改革开放"]),
                       "外贸进出口总额增长4.5%。": (2024, "target", ["2024年工作安排建议", "（一）扩大开放"])}


def test_metadata_given_by_the_user_wins_and_a_missing_district_asks_for_it():
    meta = infer_metadata("2024年工作安排\n新增就业3万人。\n", "a.txt", district="富阳区", year=2025)
    assert (meta["district"], meta["target_year"], meta["actual_year"]) == ("富阳区", 2025, None)
    with pytest.raises(UserError, match="--place"):
        infer_metadata("2024年工作安排\n新增就业3万人。\n", "a.txt")
    with pytest.raises(UserError, match="--year"):
        infer_metadata("西湖区工作安排\n新增就业3万人。\n", "a.txt")


def test_plain_text_in_big5_and_utf16_is_read_and_mojibake_refused(tmp_path):
    big5 = tmp_path / "taipei.txt"
    big5.write_bytes("臺北市政府工作報告\r\n全年新增就業3萬人。\r\n".encode("big5"))
    assert load_document(big5).text.startswith("臺北市政府工作報告\n全年新增就業3萬人。")
    utf16 = tmp_path / "utf16.txt"
    utf16.write_text("杭州市余杭区2024年工作安排\n新增就业3万人。\n", encoding="utf-16")
    assert "新增就业3万人。" in load_document(utf16).text
    garbled = tmp_path / "garbled.txt"
    garbled.write_bytes(bytes(range(0x81, 0xFF)) * 8)
    with pytest.raises(UserError, match="garbled.txt 的编码无法识别"):
        load_document(garbled)
