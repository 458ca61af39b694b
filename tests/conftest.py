"""Shared fixtures: the real seeds indexed once per session into a temporary folder."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from assistant.answer.service import Assistant
from assistant.config import Settings

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
GOLD = ROOT / "assistant" / "bundled" / "eval" / "gold.jsonl"


_INTEGRATION = {"assistant", "server_settings", "fake_llm"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each test's kind from what it uses (fixtures include what they depend on), so a marker
    can never disagree with the test: a browser, the real index or a server, or none of them."""
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if "browser" in used:
            item.add_marker(pytest.mark.browser)
        elif used & _INTEGRATION:
            item.add_marker(pytest.mark.integration)
        else:
            item.add_marker(pytest.mark.unit)


@pytest.fixture(autouse=True)
def no_outside_network(monkeypatch):
    """Unit tests may only talk to servers on this machine that they started themselves."""
    real_connect = socket.socket.connect

    def guarded(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (host.startswith("127.") or host in ("localhost", "::1")) \
                and sock.family in (socket.AF_INET, socket.AF_INET6):
            raise AssertionError(f"test tried to reach {address}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> Settings:
    """Settings whose index lives in a fresh temporary folder, over a copy of the real seeds."""
    base = tmp_path_factory.mktemp("assistant")
    shutil.copytree(SEEDS, base / "seeds")
    return Settings(seeds_dir=base / "seeds", index_dir=base / "index", eval_dir=base / "eval",
                    library_dir=base / "library")


@pytest.fixture(scope="session")
def assistant(settings) -> Assistant:
    """The real assistant: real embedding model, real Chroma, built once for the session."""
    return Assistant.open(settings)


def _write_docx(path: Path) -> None:
    """A Word report: Title style, Heading 1/2 styles, paragraphs and a table with a header row."""
    import docx

    document = docx.Document()
    document.add_heading("杭州市西湖区2024年政府工作报告", 0)
    document.add_heading("一、2023年工作回顾", 1)
    document.add_paragraph("全区地区生产总值达1234.5亿元,增长6.1%。新增城镇就业2.1万人。")
    document.add_heading("主要指标", 2)
    table = document.add_table(rows=3, cols=3)
    rows = [["指标", "2023年完成", "2024年目标"], ["地区生产总值", "1234.5亿元", "增长6%"],
            ["新增停车泊位", "3000个", "4000个"]]
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            table.cell(i, j).text = cell
    document.add_heading("二、2024年工作安排", 1)
    document.add_paragraph("全年新增停车泊位4000个以上,新建公办幼儿园6所。")
    document.save(str(path))


def _write_pdf(path: Path) -> None:
    """A PDF with a Chinese text layer (reportlab's built-in STSong-Light CID font, no font file):
    a larger title and headings, a sentence wrapped over two lines, a ruled table, a page number."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(path))
    for size, y, text in ((18, 800, "淳安县2024年政府工作报告"), (14, 770, "一、2023年工作回顾"),
                          (11, 750, "全县地区生产总值达到321.7亿元,增长5.2%,"),
                          (11, 735, "总量创历史新高。"), (14, 705, "二、2024年工作安排"),
                          (11, 685, "新增停车泊位800个。"), (11, 30, "- 1 -")):
        pdf.setFont("STSong-Light", size)
        pdf.drawString(72, y, text)
    rows = [["指标", "2024年目标"], ["旅游人次", "3000万人次"], ["新建农房", "500户"]]
    tops = [640, 620, 600]
    for y in [*tops, 580]:
        pdf.line(72, y, 372, y)
    for x in (72, 222, 372):
        pdf.line(x, 580, x, 640)
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            pdf.drawString(76 + 150 * j, tops[i] - 15, cell)
    pdf.save()


def _write_special_pdfs(folder: Path) -> None:
    """An encrypted PDF (a user password) and an image-only one (shapes, no text layer)."""
    from reportlab.pdfgen import canvas

    locked = canvas.Canvas(str(folder / "locked.pdf"), encrypt="secret")
    locked.drawString(72, 800, "Budget 2024")
    locked.save()
    scanned = canvas.Canvas(str(folder / "scanned.pdf"))
    scanned.rect(72, 600, 300, 200, fill=1)
    scanned.save()


HTML_REPORT = """<html><head><title>拱墅区2024年工作安排</title><script>var x = 1;</script></head>
<body><h1>拱墅区2024年工作安排</h1><h2>一、主要目标</h2><p>全年新增停车泊位
 2000个,新增市级高层次人才1800名。</p><div><h2>二、重点项目</h2><table>
<tr><th>项目</th><th>投资</th></tr><tr><td>运河湾公园</td><td>12亿元</td></tr></table></div>
<ul><li>建成保障性租赁住房5000套。</li></ul></body></html>"""

MARKDOWN_REPORT = """# 上城区2024年工作要点

## 一、经济发展

全区新增上市企业5家。

| 指标 | 目标 |
|---|---|
| 新增停车泊位 | 1500个 |
"""


@pytest.fixture(scope="session")
def report_files(tmp_path_factory) -> dict[str, Path]:
    """Small real report files of every supported format, and bad ones, built by the tests."""
    folder = tmp_path_factory.mktemp("report-files")
    _write_docx(folder / "xihu-2024.docx")
    _write_pdf(folder / "chunan-2024.pdf")
    _write_special_pdfs(folder)
    (folder / "gongshu-2024.html").write_text(HTML_REPORT, encoding="utf-8")
    (folder / "shangcheng-2024.md").write_text(MARKDOWN_REPORT, encoding="utf-8")
    (folder / "plain.txt").write_text("杭州市余杭区2024年工作安排\n一、主要目标\n新增就业3万人。\n",
                                      encoding="gb18030")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "not-a-pdf.pdf").write_text("plain words", encoding="utf-8")
    (folder / "renamed.docx").write_text("plain words", encoding="utf-8")
    (folder / "sheet.xls").write_bytes(b"\xd0\xcf\x11\xe0 old office file")
    return {path.name: path for path in folder.iterdir()}


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running(command: list[str], ready_url: str, log: Path, *, timeout: float, **popen) -> Iterator[None]:
    """`command` as a process of its own (output in `log`), from when `ready_url` answers until
    the block ends."""
    with log.open("wb") as out:
        server = subprocess.Popen(command, stdout=out, stderr=out, **popen)
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(ready_url, timeout=2).close()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"{' '.join(command[:4])} did not start: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)
    try:
        yield
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real `chroma run` on a free loopback port for the session; its URL. Stopped at the end."""
    chroma = Path(sys.executable).with_name("chroma")
    url = f"http://127.0.0.1:{free_port()}"
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False", "CHROMA_TELEMETRY__ENABLED": "false"}
    command = [str(chroma), "run", "--path", str(tmp_path_factory.mktemp("chroma-server")),
               "--host", "127.0.0.1", "--port", url.rsplit(":", 1)[1]]
    with running(command, f"{url}/api/v2/heartbeat", tmp_path_factory.mktemp("chroma-log") / "server.log",
                 timeout=30, env=env):
        yield url


@pytest.fixture(scope="session")
def server_settings(settings, assistant, chroma_server, tmp_path_factory) -> Settings:
    """The seeds indexed into the Chroma server (vectors copied from the session's embedded index
    through the build journal, so nothing is embedded twice)."""
    from assistant.index.journal import VectorJournal
    from assistant.index.store import build_index
    from assistant.ingest.corpus import load_corpus

    own = settings.replace(index_dir=tmp_path_factory.mktemp("server-index"), chroma_url=chroma_server)
    stored = assistant.index.collection.get(include=["embeddings"])
    VectorJournal(own.index_dir / "journal", assistant.embedder.id).append(stored["ids"], stored["embeddings"])
    info = build_index(own, load_corpus(own), assistant.embedder)
    assert info.embedded == 0 and info.store == chroma_server
    return own


@pytest.fixture(scope="session", params=["embedded", "server"])
def store_assistant(request, assistant, settings) -> Assistant:
    """The session's assistant over the embedded Chroma, then over the Chroma server."""
    if request.param == "embedded":
        return assistant
    return Assistant(request.getfixturevalue("server_settings"), assistant.embedder)


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (Debian's, installed by scripts/install-browser.sh), one per test module."""
    from tests.browser import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium: run scripts/install-browser.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
