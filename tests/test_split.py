"""Splitting keeps exact offsets, heading paths and whole sentences."""

from __future__ import annotations

import pytest

from assistant.index.split import split_report
from assistant.ingest.corpus import load_reports
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def reports():
    return {r.id: r for r in load_reports(SEEDS)}


@pytest.mark.parametrize("chunk_chars", [120, 400, 800])
def test_every_chunk_is_the_exact_slice_of_its_report(reports, chunk_chars):
    for report in reports.values():
        for chunk in split_report(report, chunk_chars):
            assert report.text[chunk.start:chunk.end] == chunk.text
            assert chunk.text.strip() == chunk.text and chunk.text


def test_chunks_never_cut_inside_a_sentence(reports):
    for report in reports.values():
        for chunk in split_report(report, 400):
            assert chunk.text.endswith(("。", ";", ":")) or report.text[chunk.end:chunk.end + 1] in ("\n", "")
            before = report.text[:chunk.start].rstrip(" ")
            assert before == "" or before.endswith(("。", ";", "\n", ":"))


def test_chunks_cover_every_sentence_of_the_body(reports):
    report = reports["binjiang-2023-plan"]
    covered = "".join(c.text for c in split_report(report, 400))
    for sentence in ("新增停车泊位不少于3700个", "全年引进各类人才3.8万人", "地区生产总值增长确保5.0%,力争5.5%以上"):
        assert sentence in covered


def test_heading_path_follows_the_report_structure(reports):
    chunks = split_report(reports["binjiang-2023-plan"], 400)
    parking = next(c for c in chunks if "新增停车泊位不少于3700个" in c.text)
    assert parking.section.startswith("三、2023年全区国民经济和社会发展的主要任务 > (四)紧盯亚运契机")
    talent = next(c for c in chunks if "全年引进各类人才3.8万人" in c.text)
    assert talent.section.endswith("(二)创新动能不断增强 > 人才质量再攀高峰")
    gongshu = split_report(reports["gongshu-2023-workplan"], 400)
    item = next(c for c in gongshu if "新增停车泊位5000个" in c.text)
    assert item.section == "(四)聚焦融合蝶变,展现都市核心区风范形象 > 12.提升城区功能品质"


def test_binjiang_part_one_is_2022_results_and_the_rest_2023_targets(reports):
    chunks = split_report(reports["binjiang-2023-plan"], 400)
    by_text = {c.text: c for c in chunks}
    talent = next(c for t, c in by_text.items() if "全年引进各类人才3.8万人" in t)
    target = next(c for t, c in by_text.items() if "新引进人才数4.0万人" in t)
    assert (talent.year, talent.period) == (2022, "actual")
    assert (target.year, target.period) == (2023, "target")


def test_chunk_ids_are_stable_and_unique(reports):
    first = [c.id for r in reports.values() for c in split_report(r, 400)]
    again = [c.id for r in reports.values() for c in split_report(r, 400)]
    assert first == again and len(set(first)) == len(first)
