"""Scale runs on small multiples (2–3×): the synthetic corpus, the measurements, the bench command."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from assistant.evaluation.gold import load_gold
from assistant.evaluation.scale import run_scale
from assistant.evaluation.synthetic import derived_gold, write_corpus
from assistant.index.embedders.hashed import HashedNgramEmbedder
from assistant.index.store import build_index
from assistant.ingest.corpus import load_reports
from tests.conftest import GOLD, ROOT, SEEDS
from tests.test_cli import run_cli


def test_synthetic_copies_get_their_own_district_even_year_shift_and_scaled_figures(tmp_path):
    entries = write_corpus(SEEDS, tmp_path, 3)
    assert len(entries) == 6 and len({e["district"] for e in entries}) == 6
    assert entries[0]["district"] == "滨江区" and entries[2]["years"] == [2024, 2025]
    assert entries[4]["years"] == [2026, 2027] and entries[4]["aliases"] == []
    original, copy = (tmp_path / entries[0]["file"]).read_text(), (tmp_path / entries[2]["file"]).read_text()
    assert "2184.8亿元" in original and "2184.8亿元" not in copy
    assert entries[2]["district"] in copy and "滨江区" not in copy


def test_derived_questions_name_their_district_and_year_and_validate_against_the_copies(tmp_path):
    write_corpus(SEEDS, tmp_path / "corpus", 3)
    items = derived_gold(SEEDS, GOLD, 3, 40)
    assert len(items) >= 30 and any(i["id"].endswith("-x2") for i in items)
    for item in items:
        assert item["district"] in item["question"]
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    texts = {r.id: r.text for r in load_reports(tmp_path / "corpus")}
    assert len(load_gold(gold, texts)) == len(items)


def test_a_scale_run_measures_build_latency_accuracy_memory_and_size(settings, tmp_path):
    result = run_scale(settings.replace(seeds_dir=SEEDS, eval_dir=ROOT / "eval"), tmp_path, 2, "hashed-ngrams", 20)
    assert result.reports == 4 and result.chunks >= 110 and result.embedded == result.chunks
    assert result.chunks_per_s > 0 and 0 < result.latency_p50_ms <= result.latency_p95_ms
    assert result.accuracy >= 0.9 and result.peak_rss_mb > 0 and result.index_mb > 0
    again = run_scale(settings.replace(seeds_dir=SEEDS, eval_dir=ROOT / "eval"), tmp_path, 2, "hashed-ngrams", 5)
    assert again.embedded == again.chunks  # every run measures a build from nothing


@pytest.mark.slow
def test_bench_scale_command_writes_results_table_and_plot(tmp_path):
    shutil.copytree(SEEDS, tmp_path / "seeds")
    shutil.copytree(ROOT / "eval", tmp_path / "eval", ignore=shutil.ignore_patterns("reports"))
    result = run_cli(tmp_path, "bench", "--scale", "1,2", "--embedder", "hashed-ngrams", "--questions", "8")
    assert result.returncode == 0, result.stderr
    table = (tmp_path / "bench" / "scale.md").read_text(encoding="utf-8").splitlines()
    assert len(table) == 4 and table[2].startswith("| 1× | hashed-char-ngrams")
    assert (tmp_path / "bench" / "scale-latency.png").stat().st_size > 10_000


def test_a_bad_scale_is_one_sentence(tmp_path):
    result = run_cli(tmp_path, "bench", "--scale", "ten")
    assert result.returncode == 2 and result.stderr.startswith("错误：--scale 须为以逗号分隔的整数")


def test_builds_embed_in_batches_so_memory_stays_bounded(settings, tmp_path):
    class CountingEmbedder(HashedNgramEmbedder):
        largest = 0

        def embed_passages(self, texts):
            CountingEmbedder.largest = max(CountingEmbedder.largest, len(texts))
            return super().embed_passages(texts)

    reports = load_reports(tmp_path / "corpus") if write_corpus(SEEDS, tmp_path / "corpus", 2) else []
    info = build_index(settings.replace(index_dir=tmp_path / "index"), reports, CountingEmbedder())
    assert info.embedded > CountingEmbedder.batch_size and CountingEmbedder.largest == CountingEmbedder.batch_size


def test_district_and_period_masks_match_a_plain_filter(assistant):
    index = assistant.index
    for districts, period in (((), None), (("滨江区",), "actual"), (("拱墅区", "滨江区"), "target")):
        expected = [(not districts or c.district in districts) and (period is None or c.period == period)
                    for c in index.chunks]
        assert index.mask(districts, period).tolist() == np.array(expected, dtype=np.float32).tolist()


def test_hashed_embedder_is_deterministic_and_gives_unit_vectors():
    first, second = HashedNgramEmbedder(), HashedNgramEmbedder()
    vectors = first.embed_passages(["新增停车泊位3700个", "地区生产总值"])
    assert np.allclose(vectors, second.embed_passages(["新增停车泊位3700个", "地区生产总值"]))
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert float(first.embed_query("停车泊位") @ vectors[0]) > float(first.embed_query("停车泊位") @ vectors[1])
