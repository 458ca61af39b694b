"""Feedback on answers: recorded locally under a lock, exported as gold candidates that the gold
loader and `assistant eval` accept once reviewed (and refuse in one sentence before)."""

from __future__ import annotations

import json
import threading

import pytest

from assistant.config import Settings
from assistant.errors import UserError
from assistant.evaluation.feedback import feedback_file, gold_candidates, read_feedback, record_feedback
from assistant.evaluation.runner import load_gold_for, run_eval
from assistant.types import Answer, Citation, Figure
from tests.test_cli import run_cli

PASSAGE = "全区地区生产总值(GDP)达2184.8亿元,增长1.8%;新增市场主体1.2万户。"


def _answer() -> dict:
    citation = Citation(1, "binjiang-2023-plan", "滨江区2023年计划", "滨江区", "一、回顾", PASSAGE, 100,
                        100 + len(PASSAGE), 0.9, 2022, "actual", quote="全区地区生产总值(GDP)达2184.8亿元")
    return Answer("滨江区2022年地区生产总值是多少?", "滨江区2022年地区生产总值达2184.8亿元[1]。", False,
                  [citation], [Figure("2184.8", "亿元", None, 1)]).to_dict()


def test_feedback_goes_to_the_index_folder_or_the_configured_one(tmp_path):
    assert feedback_file(Settings(index_dir=tmp_path / "idx")) == tmp_path / "idx" / "feedback" / "feedback.jsonl"
    assert feedback_file(Settings(feedback_dir=str(tmp_path / "fb"))) == tmp_path / "fb" / "feedback.jsonl"


def test_each_verdict_is_one_whole_line_even_from_many_threads_at_once(tmp_path):
    settings = Settings(index_dir=tmp_path)
    answer = _answer()

    def press(n: int) -> None:
        for i in range(20):
            record_feedback(settings, question=f"问题{n}-{i}", history=[], answer=answer, verdict="up")

    threads = [threading.Thread(target=press, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    entries = read_feedback(settings)
    assert len(entries) == 80 and {e["question"] for e in entries} == {f"问题{n}-{i}" for n in range(4)
                                                                       for i in range(20)}
    assert all(e["answer"]["figures"][0]["value"] == "2184.8" for e in entries)


def test_an_unknown_verdict_is_a_bug_not_a_line(tmp_path):
    with pytest.raises(ValueError):
        record_feedback(Settings(index_dir=tmp_path), question="q", history=[], answer={}, verdict="meh")
    assert not feedback_file(Settings(index_dir=tmp_path)).exists()


def test_thumbs_up_becomes_a_candidate_with_the_answers_figure_and_its_sentence_as_evidence(tmp_path):
    settings = Settings(index_dir=tmp_path)
    record_feedback(settings, question="滨江区2022年地区生产总值是多少?", history=[], answer=_answer(), verdict="up")
    [candidate] = gold_candidates(read_feedback(settings))
    assert candidate["type"] == "numeric" and candidate["split"] == "dev" and candidate["district"] == "滨江区"
    assert candidate["answers"] == [{"doc": "binjiang-2023-plan", "value": "2184.8", "unit": "亿元",
                                     "evidence": "全区地区生产总值(GDP)达2184.8亿元"}]
    assert "review" not in candidate


def test_without_a_quote_the_evidence_is_the_passage_sentence_that_states_the_figure(tmp_path):
    answer = _answer()
    answer["citations"][0]["quote"] = ""
    answer["figures"] = [{"value": "1.2", "unit": "万户", "qualifier": None, "citation": 1}]
    settings = Settings(index_dir=tmp_path)
    record_feedback(settings, question="新增市场主体多少户?", history=[], answer=answer, verdict="up")
    [candidate] = gold_candidates(read_feedback(settings))
    assert candidate["answers"][0]["evidence"] == "新增市场主体1.2万户"


def test_the_latest_verdict_on_a_question_wins_and_a_wrong_figure_awaits_review(tmp_path):
    settings = Settings(index_dir=tmp_path)
    for verdict in ("up", "wrong_figure"):
        record_feedback(settings, question="滨江区2022年地区生产总值是多少?", history=["上一个问题"],
                        answer=_answer(), verdict=verdict, note="应为2185亿元")
    [candidate] = gold_candidates(read_feedback(settings))
    assert candidate["answers"] == [] and "应为2185亿元" in candidate["review"]
    assert candidate["history"] == [{"role": "user", "content": "上一个问题"}]
    assert candidate["feedback"]["answer"].startswith("滨江区2022年")


def test_a_damaged_feedback_file_is_named_in_one_sentence(tmp_path):
    settings = Settings(index_dir=tmp_path)
    record_feedback(settings, question="q", history=[], answer=_answer(), verdict="down")
    with open(feedback_file(settings), "a", encoding="utf-8") as out:
        out.write('{"verdict": "up", "quest\n')
    with pytest.raises(UserError, match="第 2 行已损坏"):
        read_feedback(settings)


@pytest.mark.slow
def test_feedback_from_real_answers_exports_and_runs_as_gold_after_review(assistant, settings, tmp_path):
    own = settings.replace(feedback_dir=str(tmp_path / "feedback"))
    parking = "滨江区2023年新增停车泊位目标是多少?"
    asked = [("滨江区2022年地区生产总值是多少?", [], "up"), ("那拱墅区呢?", [parking], "up"),
             (parking, [], "wrong_figure"), ("西湖区2023年GDP是多少?", [], "up")]
    for question, history, verdict in asked:
        answer = assistant.ask(question, history).to_dict()
        record_feedback(own, question=question, history=history, answer=answer, verdict=verdict, note="核对")
    (tmp_path / "assistant.toml").write_text(f'feedback_dir = "{own.feedback_dir}"\n', encoding="utf-8")
    exported = tmp_path / "candidates.jsonl"
    result = run_cli(tmp_path, "feedback", "export", "--out", str(exported))
    assert result.returncode == 0 and "4 条金标准候选（1 条待审核）" in result.stderr, result.stderr
    lines = [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines()]
    assert [c["type"] for c in lines] == ["numeric", "followup", "numeric", "unanswerable"]

    with pytest.raises(UserError, match=r"1 行反馈候选尚未审核（第 3 行）") as refused:
        load_gold_for(assistant, exported)
    assert str(refused.value).count("。") <= 1

    reviewed = [c for c in lines if "review" not in c]  # the reviewer drops the line they cannot settle
    exported.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in reviewed), encoding="utf-8")
    items = load_gold_for(assistant, exported)
    run = run_eval(assistant, items, exported.name)
    assert run.summary["overall"]["accuracy"] == 1.0 and len(run.items) == 3
