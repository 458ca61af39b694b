"""Hostile input: decompression bombs and damaged files, bad `ask --jsonl` lines, and text that
would take over the terminal. Each is refused or answered in one sentence, never a traceback,
and nothing already there is lost."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from assistant.errors import UserError
from assistant.ingest.loaders import LOADERS, Limits, load_document
from tests.test_cli import assert_one_sentence_error, cli_environment, run_cli

# Peak memory the refusal of a bomb may take: the CLI itself (model, Chroma, jieba) is ~400 MB.
BOMB_RSS_LIMIT_MB = 600
# What stays printed once control characters are gone: no ESC, CSI, BEL, DEL or C1 byte at all.
TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

@pytest.fixture()
def workdir(tmp_path, settings, assistant):
    """A project folder with the seeds and a copy of the session's built index (as in test_cli)."""
    shutil.copytree(settings.seeds_dir, tmp_path / "seeds")
    shutil.copytree(settings.index_dir, tmp_path / "index")
    return tmp_path


# Runs argv[1:] and writes the child's peak resident memory (KiB) to $PEAK_RSS_FILE.
MEASURE = """
import os, resource, subprocess, sys
code = subprocess.call(sys.argv[1:])
with open(os.environ["PEAK_RSS_FILE"], "w") as out:
    out.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


def run_measured(cwd: Path, *argv: str) -> tuple[subprocess.CompletedProcess, float]:
    """Run a command (in the environment run_cli uses) and return it with its peak RSS in MB."""
    env = cli_environment(PEAK_RSS_FILE=str(cwd / "peak-rss"))
    result = subprocess.run([sys.executable, "-c", MEASURE, *argv], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=300, check=False)
    return result, int((cwd / "peak-rss").read_text()) / 1024


def docx_bomb(path: Path, unpacked_mb: int, declared_bytes: int | None = None) -> Path:
    """A real .docx whose word/document.xml unpacks to `unpacked_mb` MB of paragraphs (about 1 MB
    packed per 270 MB); with `declared_bytes` its central directory understates that size."""
    import docx

    base = io.BytesIO()
    docx.Document().save(base)
    paragraph = "<w:p><w:r><w:t>全区新增停车泊位3700个。</w:t></w:r></w:p>".encode()
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in source.infolist():
            data = source.read(info)
            if info.filename != "word/document.xml":
                bomb.writestr(info, data)
                continue
            head, tail = data.split(b"<w:body>")
            with bomb.open("word/document.xml", "w") as member:
                member.write(head + b"<w:body>")
                for _ in range(unpacked_mb):
                    member.write(paragraph * (2**20 // len(paragraph)))
                member.write(tail)
    if declared_bytes is not None:
        data = bytearray(path.read_bytes())
        entry = _central_entry(data, b"word/document.xml")
        data[entry + 24:entry + 28] = declared_bytes.to_bytes(4, "little")
        path.write_bytes(bytes(data))
    return path


def _central_entry(data: bytearray, name: bytes) -> int:
    """Offset of the central directory entry of member `name`."""
    offset = data.index(b"PK\x01\x02")
    while data[offset + 46:offset + 46 + len(name)] != name:
        offset = data.index(b"PK\x01\x02", offset + 4)
    return offset


# --- Untrusted files ------------------------------------------------------------------------------

@pytest.mark.slow
def test_docx_bomb_is_refused_in_one_sentence_within_a_memory_bound(workdir):
    bomb = docx_bomb(workdir / "bomb.docx", 300)
    assert bomb.stat().st_size < 2 * 2**20
    result, peak_mb = run_measured(workdir, sys.executable, "-m", "assistant.cli.main", "add", str(bomb))
    assert_one_sentence_error(result)
    assert "bomb.docx 解压后有 301 MB，超过了 100 MB 的上限" in result.stderr
    assert peak_mb < BOMB_RSS_LIMIT_MB, peak_mb  # before the limits: 3.1 GB and over 5 minutes
    assert not (workdir / "library" / "manifest.toml").exists()  # nothing added, nothing half-written


def test_docx_whose_directory_understates_its_size_is_refused_without_unpacking_it(tmp_path):
    bomb = docx_bomb(tmp_path / "liar.docx", 200, declared_bytes=4096)
    code = f"from pathlib import Path; from assistant.ingest.loaders import load_document; " \
           f"load_document(Path({str(bomb)!r}))"
    result, peak_mb = run_measured(tmp_path, sys.executable, "-c", code)
    assert "UserError: liar.docx 不是可读的 Word .docx 文件" in result.stderr
    assert peak_mb < 200, peak_mb  # zipfile stops at the declared size, so the 200 MB never exist


def test_docx_of_thousands_of_parts_is_refused(report_files, tmp_path):
    crowded = tmp_path / "crowded.docx"
    with zipfile.ZipFile(report_files["xihu-2024.docx"]) as source, zipfile.ZipFile(crowded, "w") as out:
        for info in source.infolist():
            out.writestr(info, source.read(info))
        for n in range(1000):
            out.writestr(f"customXml/part{n}.xml", "<x/>")
    with pytest.raises(UserError, match=r"crowded.docx 由 1017 个部件组成，超过了 1000 个的上限"):
        load_document(crowded)


def _pdf(path: Path, pages: list[list[str]]) -> Path:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(path))
    for lines in pages:
        pdf.setFont("STSong-Light", 6)
        for i, line in enumerate(lines):
            pdf.drawString(20, 820 - 7 * i, line)
        pdf.showPage()
    pdf.save()
    return path


def test_pdf_over_the_page_or_text_limit_is_refused_in_one_sentence(tmp_path):
    three_pages = _pdf(tmp_path / "long.pdf", [["淳安县2024年政府工作报告"]] * 3)
    two_pages = Limits(2 * 20 * 2**10).file_bytes  # a file limit that allows two pages
    with pytest.raises(UserError, match="long.pdf 有 3 页，超过了 2 页的上限，请拆分后分别添加。"):
        load_document(three_pages, max_bytes=two_pages)
    assert "淳安县" in load_document(three_pages).text  # within the default limits it is read
    dense = _pdf(tmp_path / "dense.pdf", [["新增停车泊位三千七百个" * 9] * 110])  # 10,890 characters
    with pytest.raises(UserError, match="dense.pdf 中的文字超过了 2000 字的上限"):
        load_document(dense, max_bytes=20 * 2**10)


def test_huge_file_is_refused_without_being_read(tmp_path):
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as file:
        file.truncate(2**30)  # 1 GB, sparse: costs no disk
    code = f"from pathlib import Path; from assistant.ingest.loaders import load_document; " \
           f"load_document(Path({str(huge)!r}))"
    result, peak_mb = run_measured(tmp_path, sys.executable, "-c", code)
    assert "huge.txt 有 1024.0 MB，超过了每个文件 50 MB 的上限" in result.stderr
    assert peak_mb < 200, peak_mb  # before: the whole gigabyte was read first (1.14 GB)


@pytest.mark.parametrize("name", ["xihu-2024.docx", "chunan-2024.pdf", "gongshu-2024.html",
                                  "shangcheng-2024.md", "plain.txt"])
@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_damaged_files_of_every_format_give_a_sentence_or_text_never_another_error(report_files, name, data):
    original = report_files[name].read_bytes()
    damage = data.draw(st.sampled_from(["truncate", "flip", "random"]))
    if damage == "truncate":
        damaged = original[:data.draw(st.integers(1, len(original) - 1))]
    elif damage == "flip":
        damaged = bytearray(original)
        for position in data.draw(st.lists(st.integers(0, len(original) - 1), min_size=1, max_size=20)):
            damaged[position] ^= data.draw(st.integers(1, 255))
        damaged = bytes(damaged)
    else:
        damaged = original[:8] + data.draw(st.binary(min_size=1, max_size=4000))
    loader = LOADERS[Path(name).suffix]
    try:
        document = loader.LOAD(damaged, name, Limits(50 * 2**20))
    except UserError as refused:
        assert name in str(refused) and "\n" not in str(refused)
    else:
        assert isinstance(document.text, str)



def pdf_bomb(path: Path, unpacked_mb: int) -> Path:
    """A one-page PDF whose content stream inflates to `unpacked_mb` MB of text operators."""
    packer, packed = zlib.compressobj(9), []
    for _ in range(unpacked_mb):
        packed.append(packer.compress(b"BT /F1 12 Tf 72 720 Td (x) Tj ET\n" * (2**20 // 34)))
    stream = b"".join(packed) + packer.flush()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    body, offsets = b"%PDF-1.4\n", []
    for n, content in enumerate(objects, 1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % n + content + b"\nendobj\n"
    xref = b"xref\n0 5\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    path.write_bytes(body + xref + b"trailer << /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % len(body))
    return path


def test_pdf_whose_page_inflates_to_hundreds_of_megabytes_is_refused_within_a_memory_bound(tmp_path):
    bomb = pdf_bomb(tmp_path / "bomb.pdf", 300)
    code = f"from pathlib import Path; from assistant.ingest.loaders import load_document; " \
           f"load_document(Path({str(bomb)!r}))"
    result, peak_mb = run_measured(tmp_path, sys.executable, "-c", code)
    assert "UserError: bomb.pdf 解压后超过了 100 MB 的上限" in result.stderr
    assert peak_mb < 200, peak_mb


# --- `ask --jsonl` ---------------------------------------------------------------------------------

def test_jsonl_bad_lines_each_get_one_error_line_and_every_other_line_is_answered(workdir):
    good = json.dumps({"id": "good", "question": "2023年新增停车泊位目标"}, ensure_ascii=False).encode()
    follow_up = {"id": "long", "question": "那拱墅区呢?",
                 "history": [{"role": "user", "content": "滨江区2023年新增停车泊位目标是多少?"}] * 10_000}
    lines = [
        b"\xef\xbb\xbf" + good,                                       # a BOM before the first line
        b'{"id": "surrogate", "question": "\\ud800\\u505c\\u8f66"}',  # a lone surrogate
        '{"id": "gbk", "question": "停车泊位"}'.encode("gbk"),        # not UTF-8
        b'{"id": "deep", "question": "q", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        json.dumps(follow_up, ensure_ascii=False).encode(),            # 10,000 turns
        b'{"id": "history", "question": "q", "history": 5}',
        b"not json",
        good,
    ]
    (workdir / "in.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    result = subprocess.run([sys.executable, "-m", "assistant.cli.main", "ask", "--jsonl", "in.jsonl"], cwd=workdir,
                            env=cli_environment(), capture_output=True, timeout=300, check=False)
    assert result.returncode == 0 and b"Traceback" not in result.stderr, result.stderr.decode()
    out = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert len(out) == len(lines)
    assert out[0]["id"] == "good" and "3700" in out[0]["answer"] and "error" not in out[0]
    assert "单独的代理码位" in out[1]["error"] and "第 2 行" in out[1]["error"]
    assert out[2]["error"] == "第 3 行不是 UTF-8 文本，请另存为 UTF-8。"
    assert out[3]["error"] == "第 4 行的 JSON 嵌套太深，请检查这一行。"
    assert out[4]["id"] == "long" and "5000个" in out[4]["answer"] and "3700" not in out[4]["answer"]
    assert out[5]["id"] == "history" and "history" in out[5]["error"]
    assert "第 7 行不是有效的 JSON" in out[6]["error"]
    assert out[7]["id"] == "good" and out[7]["answer"] == out[0]["answer"]
    assert all(error.count("。") == 1 for error in (o.get("error", "。") for o in out))


# --- The terminal ----------------------------------------------------------------------------------

def test_escape_sequences_in_a_question_never_reach_the_terminal(workdir):
    question = "\x1b]0;pwned\x07\x1b[31m滨江区2023年新增停车泊位\x9b2J目标\x7f\x1b[0m"
    result = run_cli(workdir, "ask", question)
    assert result.returncode == 0, result.stderr
    assert "不少于3700个" in result.stdout and "pwned" not in result.stdout
    assert not TERMINAL_CONTROLS.search(result.stdout.replace("\n", "")), repr(result.stdout)
    error = run_cli(workdir, "ask", "--jsonl", "\x1b[2J\x1b]0;x\x07nothing.jsonl")
    assert_one_sentence_error(error)
    assert "nothing.jsonl" in error.stderr and not TERMINAL_CONTROLS.search(error.stderr.strip())


def test_a_file_named_with_control_characters_is_added_listed_and_its_text_printed_as_written(workdir):
    name = "滨江\x7f计划\x1b[31m.txt"
    (workdir / name).write_text("杭州市滨江区2031年工作安排\n一、主要目标\n新增停车泊位:x: 4100个[bold]以上[/bold]。\n",
                                encoding="utf-8")
    added = run_cli(workdir, "add", name)
    assert added.returncode == 0, added.stderr  # before: 清单 … 不是有效的 TOML（Illegal character '\x7f'）
    assert "已添加" in added.stdout and not TERMINAL_CONTROLS.search(added.stdout.replace("\n", ""))
    listed = run_cli(workdir, "list")
    assert listed.returncode == 0 and "滨江区2031年工作安排" in listed.stdout.replace("\n", "")
    assert not TERMINAL_CONTROLS.search(listed.stdout.replace("\n", ""))
    answer = run_cli(workdir, "ask", "滨江区2031年新增停车泊位")
    assert answer.returncode == 0, answer.stderr
    assert ":x: 4100个[bold]以上[/bold]" in answer.stdout and "❌" not in answer.stdout  # before: ❌


def test_a_year_out_of_range_is_one_sentence_and_adds_nothing(workdir):
    (workdir / "plan.txt").write_text("杭州市滨江区2030年工作安排\n新增停车泊位4200个。\n", encoding="utf-8")
    result = run_cli(workdir, "add", "plan.txt", "--year", "99999")
    assert_one_sentence_error(result)
    assert "年份 99999 不在 1900 到 2100 之间" in result.stderr
    assert not (workdir / "library" / "manifest.toml").exists()


def test_the_first_use_message_is_shown_only_when_an_index_is_built(workdir):
    env = {"TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1"}  # rich draws its progress bar as on a terminal
    result = run_cli(workdir, "ask", "2023年新增停车泊位目标", env=env)
    assert result.returncode == 0 and "3700" in result.stdout
    assert "首次使用" not in result.stderr  # before: printed on every ask
