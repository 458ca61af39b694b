"""`assistant bench`: build the seeds index from scratch, then time warm answers end to end."""

from __future__ import annotations

import io
import json
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from assistant.answer.batch import answer_jsonl
from assistant.answer.service import Assistant
from assistant.config import Settings
from assistant.evaluation.gold import default_gold
from assistant.index.embedders import make_embedder
from assistant.index.store import build_index
from assistant.ingest.corpus import load_reports


def folder_mb(folder: Path) -> float:
    """Size on disk of every file under `folder`, in MiB."""
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20


def _questions(settings: Settings, count: int) -> list[str]:
    """Gold questions (cycled to `count`), as JSON lines for `ask --jsonl`."""
    gold = default_gold(settings.eval_dir)
    rows = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [json.dumps({"id": str(i), "question": rows[i % len(rows)]["question"],
                        "history": rows[i % len(rows)]["history"]}, ensure_ascii=False)
            for i in range(count)]


def run_benchmark(settings: Settings, count: int) -> dict:
    """Index build time from nothing, warm `ask --jsonl` latency p50/p95, and peak memory."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings.replace(index_dir=Path(tmp) / "index", chroma_url="")
        started = time.perf_counter()
        embedder = make_embedder(settings.embedder)
        loaded = time.perf_counter()
        info = build_index(settings, load_reports(settings.seeds_dir), embedder)
        built = time.perf_counter()
        assistant = Assistant(settings, embedder)
        lines = _questions(settings, count)
        answer_jsonl(assistant, io.BytesIO((lines[0] + "\n").encode()), io.StringIO(), [])  # warm-up
        sink = io.StringIO()
        run_started = time.perf_counter()
        answer_jsonl(assistant, io.BytesIO("\n".join(lines).encode()), sink, [])
        wall = time.perf_counter() - run_started
        latencies = [json.loads(line).get("latency_ms", 0.0) for line in sink.getvalue().splitlines()]
        return {
            "chunks": sum(r["chunks"] for r in info.reports),
            "model_load_s": round(loaded - started, 2),
            "index_build_s": round(built - loaded, 2),
            "index_size_mb": round(folder_mb(settings.index_dir), 2),
            "questions": count,
            "jsonl_wall_s": round(wall, 2),
            "latency_p50_ms": round(float(np.percentile(latencies, 50)), 1),
            "latency_p95_ms": round(float(np.percentile(latencies, 95)), 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
