"""`assistant bench --scale N`: build the index of a synthetic corpus N× the seeds and measure it.

One scale per process (peak memory is the process's own): corpus written, index built (resuming
from the build journal if an earlier run of the same scale was interrupted), then warm question
latency, keyword-search time, answer accuracy on derived gold questions, peak memory and the
index's size on disk. `extrapolate_build` turns a measured throughput into other scales' times.
"""

from __future__ import annotations

import json
import resource
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from assistant.answer.service import Assistant
from assistant.config import Settings
from assistant.evaluation.bench import folder_mb
from assistant.evaluation.gold import default_gold
from assistant.evaluation.runner import load_gold_for, run_eval
from assistant.evaluation.synthetic import derived_gold, write_corpus
from assistant.index.embedders import Embedder, make_embedder
from assistant.index.store import IndexInfo, build_index, drop_index
from assistant.ingest.corpus import load_corpus

WARM_UP = 3


@dataclass
class ScaleResult:
    """What one scale run measured."""

    scale: int
    embedder: str
    reports: int
    chunks: int
    build_s: float
    chunks_per_s: float
    embedded: int  # passages embedded by this run (fewer when it resumed an interrupted build)
    open_s: float
    questions: int
    latency_p50_ms: float
    latency_p95_ms: float
    keyword_p50_ms: float
    accuracy: float
    citation: float
    evidence_at_5: float  # share of questions whose evidence passage is retrieved in the top 5
    peak_rss_mb: float
    index_mb: float


def scale_settings(settings: Settings, workdir: Path) -> Settings:
    """Settings for a scale run: its own corpus, empty library, index and gold under `workdir`."""
    return settings.replace(seeds_dir=workdir / "corpus", library_dir=workdir / "no-library",
                            index_dir=workdir / "index", eval_dir=workdir / "eval", chroma_url="")


def prepare(settings: Settings, workdir: Path, scale: int, questions: int) -> Settings:
    """Write the corpus and its derived gold file (unless already written for this scale)."""
    own = scale_settings(settings, workdir)
    marker = workdir / "scale.json"
    if not marker.exists() or json.loads(marker.read_text())["scale"] != scale:
        shutil.rmtree(workdir, ignore_errors=True)
        write_corpus(settings.seeds_dir, own.seeds_dir, scale)
        marker.write_text(json.dumps({"scale": scale}))
    items = derived_gold(settings.seeds_dir, default_gold(settings.eval_dir), scale, questions)
    own.eval_dir.mkdir(parents=True, exist_ok=True)
    (own.eval_dir / "gold.jsonl").write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items),
                                             encoding="utf-8")
    return own


def _build(own: Settings, embedder_name: str) -> tuple[IndexInfo, float, Embedder]:
    """(build record, seconds, embedder): a fresh build, or the rest of an interrupted one."""
    embedder = make_embedder(embedder_name)
    if not (own.index_dir / "journal").exists():
        drop_index(own)
    started = time.perf_counter()
    info = build_index(own, load_corpus(own), embedder)
    return info, time.perf_counter() - started, embedder


def _keyword_ms(assistant: Assistant, questions: list[str]) -> float:
    """Median time of one filtered BM25 pass over every chunk (the part that grows with the corpus)."""
    times = []
    for question in questions:
        intent = assistant.reader.read(question)
        mask = assistant.index.mask(intent.districts, intent.period)
        started = time.perf_counter()
        assistant.index.keyword.scores(intent.search_text, mask)
        times.append((time.perf_counter() - started) * 1000)
    return float(np.percentile(times, 50))


def run_scale(settings: Settings, workdir: Path, scale: int, embedder_name: str,
              questions: int = 60) -> ScaleResult:
    """Build and measure one scale; see the module docstring."""
    own = prepare(settings, workdir, scale, questions)
    info, build_s, embedder = _build(own, embedder_name)
    started = time.perf_counter()
    assistant = Assistant(own, embedder)
    open_s = time.perf_counter() - started
    items = load_gold_for(assistant, own.eval_dir / "gold.jsonl")
    for item in items[:WARM_UP]:
        assistant.ask(item.question)
    run = run_eval(assistant, items, "derived")
    latencies, overall = [r["latency_ms"] for r in run.items], run.summary["overall"]
    chunks = sum(r["chunks"] for r in info.reports)
    return ScaleResult(
        scale=scale, embedder=info.embedder, reports=len(info.reports), chunks=chunks,
        build_s=round(build_s, 1), chunks_per_s=round(chunks / build_s, 1), embedded=info.embedded,
        open_s=round(open_s, 2), questions=len(items),
        latency_p50_ms=round(float(np.percentile(latencies, 50)), 1),
        latency_p95_ms=round(float(np.percentile(latencies, 95)), 1),
        keyword_p50_ms=round(_keyword_ms(assistant, [i.question for i in items]), 2),
        accuracy=round(overall["accuracy"], 3), citation=round(overall.get("citation", 0.0), 3),
        evidence_at_5=round(overall.get("recall@5", 0.0), 3),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        index_mb=round(folder_mb(own.index_dir), 1))


def extrapolate_build(measured: ScaleResult, chunks: int) -> float:
    """Seconds to build `chunks` passages at the measured run's throughput (embedding dominates
    and grows linearly with the passages)."""
    return chunks / measured.chunks_per_s


def append_result(path: Path, result: ScaleResult) -> None:
    """Add a run to the results file the table and plot are drawn from."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(asdict(result), ensure_ascii=False) + "\n")


def read_results(path: Path) -> list[ScaleResult]:
    """Every run recorded in the results file, the latest per (embedder, scale)."""
    if not path.exists():
        return []
    latest = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            result = ScaleResult(**json.loads(line))
            latest[(result.embedder, result.scale)] = result
    return sorted(latest.values(), key=lambda r: (r.embedder, r.scale))
