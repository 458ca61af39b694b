"""Two writers, killed processes, readers during rebuilds and damaged parts: nothing lost, and
every failure one sentence. Real `assistant` processes on a real index folder."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.bundled import SEEDS_DIR
from assistant.config import Settings
from assistant.index.reports import index_state
from assistant.index.store import current_build, read_info
from assistant.ingest.corpus import load_corpus
from tests.conftest import ROOT

OUTSIDE = ROOT / "eval" / "outside" / "reports"
HASHED = "hashed-ngrams"  # the index machinery is under test here, not answer quality


def environment(folder: Path, embedder: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(PYTHONPATH=str(ROOT), ASSISTANT_SEEDS_DIR=str(folder / "seeds"),
               ASSISTANT_INDEX_DIR=str(folder / "index"), ASSISTANT_LIBRARY_DIR=str(folder / "library"))
    if embedder:
        env["ASSISTANT_EMBEDDER"] = embedder
    return env


def start(folder: Path, *args: str, embedder: str | None = None, **options) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "assistant.cli.main", *args], cwd=folder,
                            env=environment(folder, embedder), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, **options)


def run(folder: Path, *args: str, embedder: str | None = None) -> subprocess.CompletedProcess:
    process = start(folder, *args, embedder=embedder)
    out, err = process.communicate(timeout=900)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def settings_of(folder: Path, embedder: str | None = None) -> Settings:
    base = Settings(seeds_dir=folder / "seeds", index_dir=folder / "index", library_dir=folder / "library")
    return base.replace(embedder=embedder) if embedder else base


def one_sentence(result: subprocess.CompletedProcess) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode != 0 and "Traceback" not in result.stderr and len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture()
def copied(tmp_path, settings, assistant) -> Path:
    """A project folder with the seeds and a copy of the session's index (the bundled model's)."""
    shutil.copytree(settings.seeds_dir, tmp_path / "seeds")
    shutil.copytree(settings.index_dir, tmp_path / "index")
    return tmp_path


@pytest.fixture()
def hashed(tmp_path) -> Path:
    """A project folder with the seeds indexed by the hashed embedder (fast rebuilds)."""
    shutil.copytree(SEEDS_DIR, tmp_path / "seeds")
    assert run(tmp_path, "index", embedder=HASHED).returncode == 0
    return tmp_path


def test_two_adds_at_once_both_land(hashed):
    names = ["qianjiang-2024-work-report.txt", "neimenggu-2025-work-report.txt"]
    first = start(hashed, "add", str(OUTSIDE / names[0]), embedder=HASHED)
    time.sleep(0.5)  # the second starts while the first is reading, splitting or embedding
    second = start(hashed, "add", str(OUTSIDE / names[1]), embedder=HASHED)
    for process in (first, second):
        _, err = process.communicate(timeout=600)
        assert process.returncode == 0 and "Traceback" not in err, err
    settings = settings_of(hashed, HASHED)
    sources = {r.extra.get("source") for r in load_corpus(settings)}
    assert set(names) <= sources
    indexed = {r["file"] for r in read_info(settings).reports}
    assert {r.path.name for r in load_corpus(settings)} == indexed and index_state(settings) == "current"


@pytest.mark.slow
def test_a_killed_add_is_finished_by_the_next_command(copied):
    report = OUTSIDE / "qianjiang-2024-work-report.txt"
    process = start(copied, "add", str(report))
    manifest = copied / "library" / "manifest.toml"
    while process.poll() is None and not (manifest.exists() and report.name in manifest.read_text("utf-8")):
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)  # embedding the new passages takes tens of seconds: mid-add
    process.wait()
    settings = settings_of(copied)
    assert index_state(settings) == "stale"
    result = run(copied, "ask", "潜江市2024年地区生产总值预期增长多少")
    assert result.returncode == 0 and "索引与报告库不一致" in result.stderr, result.stderr
    assert index_state(settings) == "current"
    assert "qianjiang-2024-work-report" in {r["id"] for r in read_info(settings).reports}
    again = run(copied, "add", str(report))
    assert "qianjiang-2024-work-report" in one_sentence(again)  # already added, and says as which report


@pytest.mark.slow
def test_a_killed_build_leaves_the_index_answering_and_the_next_build_resumes(copied):
    env_chunks = {"ASSISTANT_CHUNK_CHARS": "300"}  # every passage changes: a long build to kill
    before = read_info(settings_of(copied))
    process = subprocess.Popen([sys.executable, "-m", "assistant.cli.main", "index"], cwd=copied,
                               env=environment(copied) | env_chunks, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    journal = copied / "index" / "journal"
    while process.poll() is None and len(list(journal.glob("*.ids.json"))) < 2:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert read_info(settings_of(copied)) == before
    answer = run(copied, "ask", "拱墅区2023年新增停车泊位目标")
    assert answer.returncode == 0 and "5000个" in answer.stdout, answer.stderr
    resumed = subprocess.run([sys.executable, "-m", "assistant.cli.main", "index"], cwd=copied,
                             env=environment(copied) | env_chunks, capture_output=True, text=True, timeout=900)
    assert resumed.returncode == 0, resumed.stderr
    info = read_info(settings_of(copied))
    assert info.embedded < info.count  # what the killed build embedded was not embedded again
    assert len(list((copied / "index" / "builds").iterdir())) == 1  # the killed build's folder is gone


@pytest.mark.parametrize("damage", ["truncated", "emptied", "chroma"])
def test_a_damaged_index_is_one_sentence_and_repair_keeps_added_reports(hashed, damage):
    report = hashed / "县里的报告.txt"
    report.write_text("某某县2025年政府工作报告\n\n一、2024年工作回顾\n全县新建村道120公里。\n", encoding="utf-8")
    assert run(hashed, "add", str(report), "--place", "某某县", embedder=HASHED).returncode == 0
    build = current_build(settings_of(hashed, HASHED))
    chunks = build / "chunks.jsonl"
    if damage == "truncated":  # cut at a line boundary: every line still parses
        lines = chunks.read_text(encoding="utf-8").splitlines(keepends=True)
        chunks.write_text("".join(lines[: len(lines) // 2]), encoding="utf-8")
    elif damage == "emptied":
        chunks.write_text("", encoding="utf-8")
    else:
        (hashed / "index" / "chroma" / "chroma.sqlite3").write_bytes(b"\0" * 4096)
    sentence = one_sentence(run(hashed, "ask", "某某县新建村道多少公里", embedder=HASHED))
    assert "索引已损坏" in sentence and "assistant index" in sentence
    repaired = run(hashed, "index", "--repair", embedder=HASHED)
    assert repaired.returncode == 0, repaired.stderr
    answer = run(hashed, "ask", "某某县2024年新建村道多少公里", embedder=HASHED)
    assert "120公里" in answer.stdout, answer.stdout + answer.stderr


def test_a_read_only_index_still_answers(copied):
    index = copied / "index"
    mounted = subprocess.run(["unshare", "-m", "sh", "-c",
                              f"mount --bind -o ro '{index}' '{index}' && touch '{index}/probe'"],
                             capture_output=True, text=True, check=False)
    if "Read-only file system" not in mounted.stderr:
        pytest.skip("no mount namespace here to make the folder read-only: " + mounted.stderr.strip())
    command = (f"mount --bind -o ro '{index}' '{index}' && exec '{sys.executable}' -m assistant.cli.main "
               "ask --json '拱墅区2023年新增停车泊位目标'")
    result = subprocess.run(["unshare", "-m", "sh", "-c", command], cwd=copied, env=environment(copied),
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert "5000个" in json.loads(result.stdout)["answer"]


def test_a_full_disk_during_a_build_leaves_the_old_index_serving(hashed):
    LIMIT = 200 * 1024  # the report's text fits; the index's files do not
    settings = settings_of(hashed, HASHED)
    before = read_info(settings)

    def small_files() -> None:  # writes past LIMIT fail with EFBIG, as a full disk fails them
        import resource
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))

    process = start(hashed, "add", str(OUTSIDE / "guangdong-2025-work-report.txt"), embedder=HASHED,
                    preexec_fn=small_files)
    out, err = process.communicate(timeout=600)
    sentence = one_sentence(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    assert "原有的索引仍可使用" in sentence or "无法写入" in sentence
    assert read_info(settings) == before and index_state(settings) == "current"
    answer = run(hashed, "ask", "拱墅区2023年新增停车泊位目标", embedder=HASHED)
    assert "5000个" in answer.stdout, answer.stderr


READER = """
import sys, time, json
from assistant.config import load_settings
from assistant.web.chat import LiveAssistant
from assistant.answer.service import Assistant
settings = load_settings()
live = LiveAssistant(settings, Assistant.open(settings))
errors, answers, switched, seen = [], 0, 0, live.assistant.index.folder
stop = time.time() + float(sys.argv[1])
while time.time() < stop:
    try:
        answer = live.assistant.ask("拱墅区2023年新增停车泊位目标")
        answers += 1
        if "5000" not in answer.answer:
            errors.append(answer.answer)
    except Exception as exc:
        errors.append(repr(exc))
    if live.assistant.index.folder != seen:
        switched, seen = switched + 1, live.assistant.index.folder
print(json.dumps({"errors": errors, "answers": answers, "switched": switched}))
"""


@pytest.mark.slow
def test_two_writers_and_four_readers_for_a_minute(hashed):
    """Writers add and remove reports back to back; long-lived readers (the web app's way of
    switching builds) and one-shot `assistant ask` processes answer all the while."""
    seconds = 60
    env = environment(hashed, HASHED)
    readers = [subprocess.Popen([sys.executable, "-c", READER, str(seconds)], cwd=hashed, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    reports = sorted(OUTSIDE.glob("*.txt"))
    stop, failures, asks, adds = time.time() + seconds, [], 0, 0
    writers: list[tuple[subprocess.Popen, str]] = []
    one_shot: list[subprocess.Popen] = []
    while time.time() < stop:
        for process, what in list(writers):
            if process.poll() is not None:
                writers.remove((process, what))
                err = process.stderr.read()
                if process.returncode != 0:
                    failures.append((what, err))
        while len(writers) < 2 and adds < len(reports):
            writers.append((start(hashed, "add", str(reports[adds]), embedder=HASHED), reports[adds].name))
            adds += 1
        for process in list(one_shot):
            if process.poll() is not None:
                one_shot.remove(process)
                out, err = process.communicate()
                asks += 1
                if process.returncode != 0 or "5000个" not in out:
                    failures.append(("ask", err or out))
        while len(one_shot) < 2:
            one_shot.append(start(hashed, "ask", "拱墅区2023年新增停车泊位目标", embedder=HASHED))
        time.sleep(0.1)
    for process, what in writers:
        if process.wait(timeout=600) != 0:
            failures.append((what, process.stderr.read()))
    for process in one_shot:
        out, err = process.communicate(timeout=300)
        asks += 1
        if process.returncode != 0 or "5000个" not in out:
            failures.append(("ask", err or out))
    results = [json.loads(r.communicate(timeout=300)[0]) for r in readers]
    assert failures == []
    assert all(r["errors"] == [] and r["answers"] > 0 for r in results), results
    assert any(r["switched"] > 0 for r in results)  # readers moved to newer builds as they were published
    settings = settings_of(hashed, HASHED)
    indexed = {r["file"] for r in read_info(settings).reports}
    assert {r.path.name for r in load_corpus(settings)} == indexed
    assert {r.extra.get("source") for r in load_corpus(settings)} >= {p.name for p in reports[:adds]}
    print(f"stress: {adds} adds, {asks} one-shot asks, {sum(r['answers'] for r in results)} live answers")
    assert asks > 0
