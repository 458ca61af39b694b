"""`assistant eval`: the gold set meets its thresholds, reports are written, runs compare."""

from __future__ import annotations

import json
import tomllib

import pytest

from assistant.errors import UserError
from assistant.evaluation.report import below_thresholds, compare_runs, parse_thresholds, reliability, write_reports
from assistant.evaluation.runner import EvalRun, load_gold_for, run_eval, summarize
from tests.conftest import GOLD, ROOT


@pytest.fixture(scope="module")
def gold_run(assistant):
    items = load_gold_for(assistant, GOLD)
    return run_eval(assistant, items, GOLD.name)


def test_gold_set_meets_the_recorded_thresholds(gold_run):
    thresholds = tomllib.loads((ROOT / "eval" / "thresholds.toml").read_text(encoding="utf-8"))
    assert below_thresholds(gold_run, thresholds) == []


def test_no_unanswerable_question_gets_a_figure(gold_run):
    assert gold_run.summary["unanswerable"]["accuracy"] == 1.0


def test_summary_has_every_type_and_metric(gold_run):
    assert set(gold_run.summary) == {"overall", "numeric", "paraphrase", "multi_doc", "followup",
                                     "unanswerable", "text"}
    overall = gold_run.summary["overall"]
    for key in ("accuracy", "citation", "concise", "other_figure", "recall@1", "recall@3", "recall@5", "mrr",
                "latency_p50_ms", "latency_p95_ms"):
        assert key in overall


def test_reports_are_written_as_json_markdown_and_png(gold_run, tmp_path):
    paths = write_reports(gold_run, tmp_path)
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert len(data["items"]) == len(gold_run.items)
    assert "| overall |" in paths["md"].read_text(encoding="utf-8")
    assert paths["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_reports_carry_a_reliability_diagram_and_its_table(gold_run, tmp_path):
    paths = write_reports(gold_run, tmp_path)
    assert paths["reliability"].parent == tmp_path and paths["reliability"].read_bytes()[:4] == b"\x89PNG"
    markdown = paths["md"].read_text(encoding="utf-8")
    assert "| confidence | n | accuracy | mean confidence |" in markdown
    answered = [r for r in gold_run.items if not r["abstained"] and r["confidence"] is not None]
    buckets = reliability(gold_run)
    assert answered and sum(b["n"] for b in buckets) == len(answered)
    for b in buckets:
        assert b["low"] <= b["confidence"] <= b["high"]
        assert f"| {b['low']:.1f}–{b['high']:.1f} | {b['n']} | {b['accuracy']:.3f} |" in markdown
    saved = json.loads(paths["json"].read_text(encoding="utf-8"))["items"]
    assert all(r["extra_figures"] is None for r in saved if r["abstained"])


def record(kind, correct, abstained=False, extra=0, other=False):
    """A run's item record as evaluate_item writes it, reduced to what the metrics read."""
    return {"type": kind, "expected": ["(abstain)"] if kind == "unanswerable" else ["5%"], "correct": correct,
            "citation_correct": None, "evidence_rank": 1, "latency_ms": 10.0, "llm_rejected": False,
            "abstained": abstained, "extra_figures": None if abstained else extra, "other_figure": other}


def test_concise_and_other_figure_count_only_answered_answerable_items():
    summary = summarize([record("numeric", True, extra=2), record("numeric", False, extra=3, other=True),
                         record("numeric", False, abstained=True), record("unanswerable", False, extra=5)])
    assert summary["overall"]["concise"] == 0.5 and summary["overall"]["other_figure"] == 0.5
    assert "concise" not in summary["unanswerable"]


def test_fail_under_other_figure_is_a_ceiling():
    run = EvalRun("g.jsonl", "extractive", {"overall": {"accuracy": 0.9, "other_figure": 0.1}})
    assert below_thresholds(run, parse_thresholds("other_figure=0.2,accuracy=0.8")) == []
    [sentence] = below_thresholds(run, parse_thresholds("other_figure=0.05"))
    assert "other_figure" in sentence and "高于" in sentence


def test_compare_lists_fixed_and_broken_items(gold_run, tmp_path):
    old = gold_run.to_dict()
    old["items"] = [dict(r, correct=not r["correct"]) if i < 2 else r for i, r in enumerate(old["items"])]
    for r in old["items"]:  # a run saved before these fields were recorded still compares
        for key in ("extra_figures", "other_figure", "confidence"):
            del r[key]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old, ensure_ascii=False), encoding="utf-8")
    changes = compare_runs(path, gold_run)
    changed = {c["id"] for c in changes["fixed"] + changes["broken"]}
    assert changed == {r["id"] for r in gold_run.items[:2]}


def test_compare_with_a_file_that_is_not_a_report_is_one_sentence(gold_run, tmp_path):
    (tmp_path / "x.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(UserError, match="不是 'assistant eval' 写出的评测报告"):
        compare_runs(tmp_path / "x.json", gold_run)


def test_fail_under_names_metrics_below_their_threshold(gold_run):
    assert below_thresholds(gold_run, parse_thresholds("accuracy=1.01"))
    with pytest.raises(UserError):
        parse_thresholds("speed=3")


@pytest.mark.slow
def test_an_unseen_gold_file_runs_through_the_cli(tmp_path, settings, assistant):
    import shutil

    from tests.test_cli import run_cli

    shutil.copytree(settings.seeds_dir, tmp_path / "seeds")
    shutil.copytree(settings.index_dir, tmp_path / "index")
    lines = [
        {"id": "n1", "question": "滨江区2022年新增注册企业多少家?", "type": "numeric", "history": [],
         "answers": [{"doc": "binjiang-2023-plan", "value": "1.7", "unit": "万家",
                      "evidence": "全年新增注册企业1.7万家"}], "district": "滨江区"},
        {"id": "u1", "question": "上城区2023年新增停车泊位目标", "type": "unanswerable", "history": [],
         "answers": [], "district": None},
    ]
    (tmp_path / "mine.jsonl").write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines),
                                         encoding="utf-8")
    result = run_cli(tmp_path, "eval", "--gold", "mine.jsonl", "--out", "reports",
                     "--fail-under", "accuracy=1.0")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "总计" in result.stdout and "准确率" in result.stdout and list((tmp_path / "reports").glob("mine-*.png"))
    broken = run_cli(tmp_path, "eval", "--gold", "mine.jsonl", "--fail-under", "accuracy=1.5")
    assert broken.returncode == 1
