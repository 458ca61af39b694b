"""The command line: readable and JSON answers, batch mode, and one sentence for every bad input."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.fixture()
def workdir(tmp_path, settings, assistant):
    """A project folder with the seeds and a copy of the session's built index."""
    shutil.copytree(settings.seeds_dir, tmp_path / "seeds")
    shutil.copytree(settings.index_dir, tmp_path / "index")
    return tmp_path


def current_info(workdir) -> Path:
    """The build record of the index the workdir's `ask` answers from."""
    index = workdir / "index"
    return index / "builds" / (index / "CURRENT").read_text(encoding="utf-8").strip() / "info.json"


def cli_environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env["PYTHONPATH"] = str(ROOT)
    env["ASSISTANT_SEEDS_DIR"] = "seeds"  # the workdir's copy, which some tests damage
    return {**env, **extra}


def run_cli(workdir, *args, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    env = cli_environment(**(env or {}))
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
    assert data["table"] == []  # one place: no table, but the field is always there


def test_ask_over_two_districts_prints_a_table_and_json_carries_its_rows(workdir):
    question = "2023年滨江和拱墅哪个区新增停车泊位更多"
    result = run_cli(workdir, "ask", question)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if "地区" in line and "出处" in line)
    assert "滨江区" in lines[header + 2] and "不少于3700个" in lines[header + 2] and "[1]" in lines[header + 2]
    assert "拱墅区" in lines[header + 3] and "5000个" in lines[header + 3] and "[2]" in lines[header + 3]
    assert header < next(i for i, line in enumerate(lines) if line.startswith("来源"))
    assert "拱墅区（5000个）多于滨江区（不少于3700个）[2][1]。" in result.stdout.replace("\n", "")  # rich wraps
    data = json.loads(run_cli(workdir, "ask", "--json", question).stdout)
    assert data["table"] == [
        {"place": "滨江区", "figure": "不少于3700个", "value": "3700", "unit": "个", "qualifier": "不少于",
         "period": "target", "year": 2023, "citation": 1},
        {"place": "拱墅区", "figure": "5000个", "value": "5000", "unit": "个", "qualifier": None,
         "period": "target", "year": 2023, "citation": 2}]
    batch = run_cli(workdir, "ask", "--jsonl", "-", stdin=json.dumps({"question": question}, ensure_ascii=False))
    assert json.loads(batch.stdout.splitlines()[0])["table"] == data["table"]


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


@pytest.mark.slow
def test_missing_index_is_built_on_first_use(workdir):
    shutil.rmtree(workdir / "index")
    terminal = {"TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1"}  # rich draws its progress bar as on a terminal
    result = run_cli(workdir, "ask", "拱墅区2023年新增停车泊位目标", env=terminal)
    assert result.returncode == 0 and "5000个" in result.stdout
    assert "首次使用，正在建立索引" in result.stderr
    assert "首次使用" not in run_cli(workdir, "ask", "拱墅区2023年新增停车泊位目标", env=terminal).stderr


@pytest.mark.slow
def test_corrupt_index_is_one_sentence_and_index_rebuilds(workdir):
    current_info(workdir).write_text("{broken", encoding="utf-8")
    result = run_cli(workdir, "ask", "2023年新增停车泊位目标")
    assert_one_sentence_error(result)
    assert "assistant index" in result.stderr
    assert run_cli(workdir, "index").returncode == 0
    assert "3700" in run_cli(workdir, "ask", "2023年新增停车泊位目标").stdout


def test_non_utf8_seed_is_refused_and_index_left_intact(workdir):
    before = current_info(workdir).read_bytes()
    (workdir / "seeds" / "gongshu_2023_work_plan_excerpt.txt").write_bytes("拱墅区".encode("gbk"))
    result = run_cli(workdir, "index")
    assert_one_sentence_error(result)
    assert "UTF-8" in result.stderr
    assert current_info(workdir).read_bytes() == before
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
