"""The command line: readable and JSON answers, batch mode, and one sentence for every bad input."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.fixture()
def workdir(tmp_path, settings, assistant):
    """A project folder with the seeds and a copy of the session's built index."""
    shutil.copytree(settings.seeds_dir, tmp_path / "seeds")
    shutil.copytree(settings.index_dir, tmp_path / "index")
    return tmp_path


def run_cli(workdir, *args, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env["PYTHONPATH"] = str(ROOT)
    env["ASSISTANT_SEEDS_DIR"] = "seeds"  # the workdir's copy, which some tests damage
    return subprocess.run([sys.executable, "-m", "assistant.cli.main", *args], cwd=workdir, env=env,
                          input=stdin, capture_output=True, text=True, timeout=300, check=False)


def assert_one_sentence_error(result):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("错误："), result.stderr


def test_ask_prints_answer_and_sources(workdir):
    result = run_cli(workdir, "ask", "2023年新增停车泊位目标")
    assert result.returncode == 0, result.stderr
    assert "不少于3700个" in result.stdout and "5000个" in result.stdout
    assert "来源" in result.stdout and "binjiang-2023-plan" in result.stdout


def test_ask_json_prints_one_object_with_the_contract(workdir):
    result = run_cli(workdir, "ask", "--json", "滨江区2022年地区生产总值是多少")
    data = json.loads(result.stdout)
    assert data["abstained"] is False and "2184.8亿元" in data["answer"]
    citation = data["citations"][0]
    source = (workdir / "seeds" / "binjiang_2022_review_2023_plan.txt").read_text(encoding="utf-8")
    assert source[citation["start"]:citation["end"]] == citation["text"]
    assert {"value": "2184.8", "unit": "亿元", "qualifier": None, "citation": 1} in data["figures"]


def test_ask_jsonl_answers_each_line_and_reports_bad_lines(workdir):
    lines = [
        {"id": "a", "question": "2023年新增停车泊位目标"},
        "not json",
        {"id": "c", "question": "那拱墅区呢?",
         "history": [{"role": "user", "content": "滨江区2023年新增停车泊位目标是多少?"}]},
        {"id": "d", "question": ""},
    ]
    text = "\n".join(line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)
                     for line in lines)
    result = run_cli(workdir, "ask", "--jsonl", "-", stdin=text)
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 0 and len(out) == 4
    assert out[0]["id"] == "a" and not out[0]["abstained"]
    assert "error" in out[1]
    assert out[2]["id"] == "c" and "5000个" in out[2]["answer"] and "3700" not in out[2]["answer"]
    assert out[3]["id"] == "d" and out[3]["error"]


def test_chat_resolves_followups_from_the_conversation(workdir):
    result = run_cli(workdir, "chat", stdin="滨江区2023年新增停车泊位目标是多少?\n那拱墅区呢?\n/quit\n")
    assert result.returncode == 0
    assert "检索问题：拱墅区2023年" in result.stdout
    assert result.stdout.count("5000个") >= 1


def test_empty_question_is_one_sentence(workdir):
    assert_one_sentence_error(run_cli(workdir, "ask", "  "))


def test_missing_index_is_built_on_first_use(workdir):
    shutil.rmtree(workdir / "index")
    result = run_cli(workdir, "ask", "拱墅区2023年新增停车泊位目标")
    assert result.returncode == 0 and "5000个" in result.stdout


def test_corrupt_index_is_one_sentence_and_index_rebuilds(workdir):
    (workdir / "index" / "current" / "info.json").write_text("{broken", encoding="utf-8")
    result = run_cli(workdir, "ask", "2023年新增停车泊位目标")
    assert_one_sentence_error(result)
    assert "assistant index" in result.stderr
    assert run_cli(workdir, "index").returncode == 0
    assert "3700" in run_cli(workdir, "ask", "2023年新增停车泊位目标").stdout


def test_non_utf8_seed_is_refused_and_index_left_intact(workdir):
    before = (workdir / "index" / "current" / "info.json").read_bytes()
    (workdir / "seeds" / "gongshu_2023_work_plan_excerpt.txt").write_bytes("拱墅区".encode("gbk"))
    result = run_cli(workdir, "index")
    assert_one_sentence_error(result)
    assert "UTF-8" in result.stderr
    assert (workdir / "index" / "current" / "info.json").read_bytes() == before
    assert "5000个" in run_cli(workdir, "ask", "拱墅区2023年新增停车泊位目标").stdout


def test_empty_seed_file_is_refused(workdir):
    (workdir / "seeds" / "gongshu_2023_work_plan_excerpt.txt").write_text("", encoding="utf-8")
    result = run_cli(workdir, "index")
    assert_one_sentence_error(result)
    assert "gongshu_2023_work_plan_excerpt.txt 是空文件" in result.stderr


def test_manifest_naming_a_missing_file_is_refused(workdir):
    (workdir / "seeds" / "gongshu_2023_work_plan_excerpt.txt").unlink()
    result = run_cli(workdir, "index")
    assert_one_sentence_error(result)
    assert "gongshu_2023_work_plan_excerpt.txt 不存在" in result.stderr


def test_index_rebuild_reuses_unchanged_vectors(workdir):
    result = run_cli(workdir, "index")
    assert result.returncode == 0
    assert "新嵌入 0 段" in result.stderr
