"""A normal (non-editable) install works anywhere: the wheel carries the prompts, the example
reports and the gold set, and the installed package answers from a folder that has none of them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out, source = tmp_path_factory.mktemp("wheel"), tmp_path_factory.mktemp("source")
    # Built from a copy: setuptools writes build/ and *.egg-info beside the sources it builds.
    # No build isolation: the test extra brings setuptools, so no download is needed here.
    shutil.copy(ROOT / "pyproject.toml", source)
    shutil.copytree(ROOT / "assistant", source / "assistant", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(out), str(source)], check=True, capture_output=True, timeout=600)
    return next(out.glob("*.whl"))


def test_the_wheel_carries_prompts_reports_gold_and_language_pack(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("assistant/answer/prompts/answer_system.txt", "assistant/answer/prompts/rewrite_user.txt",
                   "assistant/bundled/seeds/manifest.toml", "assistant/bundled/eval/gold.jsonl"):
        assert needed in names
    assert any(n.startswith("assistant/lang/zh/") and n.endswith(".toml") for n in names)
    assert not any(n.startswith(("tests/", "seeds/")) for n in names)


def test_the_installed_package_answers_outside_the_repository(wheel, tmp_path):
    target, work = tmp_path / "site", tmp_path / "work"
    work.mkdir()
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
                    str(wheel)], check=True, capture_output=True, timeout=600)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(PYTHONPATH=str(target), HF_HUB_OFFLINE="1", ASSISTANT_EMBEDDER="hashed-ngrams")
    script = ("import assistant, sys; from assistant.answer.prompts import chat_prompt; chat_prompt('answer'); "
              "chat_prompt('rewrite'); print(assistant.__file__); "
              "from assistant.cli.main import main; sys.exit(main(['ask', '--json', sys.argv[1]]))")
    question = json.loads(ROOT.joinpath("assistant/bundled/eval/gold.jsonl").read_text(
        encoding="utf-8").splitlines()[0])["question"]
    result = subprocess.run([sys.executable, "-c", script, question], cwd=work, env=env,
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    location, answer = result.stdout.split("\n", 1)
    assert location.startswith(str(target))
    assert not json.loads(answer)["abstained"] and json.loads(answer)["citations"]
