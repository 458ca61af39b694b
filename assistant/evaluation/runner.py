"""`assistant eval`: run a gold set through the Assistant and compute metrics by question type."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from assistant.answer.service import Assistant
from assistant.errors import UserError
from assistant.evaluation.feedback import unreviewed_lines
from assistant.evaluation.gold import GoldItem, load_gold
from assistant.evaluation.scoring import evidence_rank, extra_figures, score_answer, states_other_figure
from assistant.ingest.corpus import load_corpus
from assistant.lang.zh.messages import message
from assistant.types import Answer

METRICS = ("accuracy", "citation", "concise", "other_figure", "recall@1", "recall@3", "recall@5", "mrr")
LOWER_IS_BETTER = ("other_figure",)  # a threshold on these is a ceiling, not a floor
# An answer is concise when it states at most this many figures beyond the ones asked.
CONCISE_EXTRA = 2


@dataclass
class EvalRun:
    """The outcome of one evaluation: `summary` by type (and "overall"), and every item's record."""

    gold: str
    answerer: str
    summary: dict[str, dict[str, float]] = field(default_factory=dict)
    items: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def load_gold_for(assistant: Assistant, path: Path) -> list[GoldItem]:
    """The gold file's items, validated against the reports the assistant has indexed; a file with
    feedback candidates still awaiting review is refused in one sentence."""
    waiting = unreviewed_lines(Path(path))
    if waiting:
        shown = ", ".join(map(str, waiting[:10])) + (", …" if len(waiting) > 10 else "")
        raise UserError(message("errors.feedback.unreviewed", path=path, count=len(waiting), lines=shown))
    texts = {r.id: r.text for r in load_corpus(assistant.settings)}
    return load_gold(path, texts)


def _ask(assistant: Assistant, item: GoldItem) -> Answer:
    """The assistant's answer; a question it refuses counts as an abstention with that sentence."""
    try:
        return assistant.ask(item.question, item.history)
    except UserError as exc:
        return Answer(item.question, str(exc), True)


def evaluate_item(assistant: Assistant, item: GoldItem) -> dict:
    """One item's record: question, expected figures, the answer, its verdict and evidence rank."""
    answer = _ask(assistant, item)
    verdict = score_answer(item, answer)
    rank = evidence_rank(item, assistant.retrieve(item.question, item.history)) if item.answers else None
    return {
        "id": item.id, "type": item.type, "question": item.question,
        "history": [t.get("content", "") for t in item.history],
        "expected": [f"{a.value}{a.unit}" for a in item.answers] or ["(abstain)"],
        "answer": answer.answer, "abstained": answer.abstained,
        "standalone_question": answer.standalone_question,
        "correct": verdict.correct, "citation_correct": verdict.citation_correct,
        "verdict": verdict.reason, "evidence_rank": rank, "latency_ms": round(answer.latency_ms, 1),
        "llm_rejected": answer.llm_rejected, "wrong_source": verdict.wrong_source, "split": item.split,
        "extra_figures": extra_figures(item, answer), "other_figure": states_other_figure(item, answer),
        "confidence": answer.confidence,
    }


def _metrics(records: Sequence[dict]) -> dict[str, float]:
    answerable = [r for r in records if r["expected"] != ["(abstain)"]]
    cited = [r["citation_correct"] for r in records if r["citation_correct"] is not None]
    ranks = [r["evidence_rank"] for r in answerable]
    answered = [r for r in answerable if not r["abstained"]]
    latencies = [r["latency_ms"] for r in records]
    result = {"n": len(records), "accuracy": float(np.mean([r["correct"] for r in records]))}
    if cited:
        result["citation"] = float(np.mean(cited))
    if answered:
        result["concise"] = float(np.mean([r["extra_figures"] <= CONCISE_EXTRA for r in answered]))
        result["other_figure"] = float(np.mean([r["other_figure"] for r in answered]))
    if ranks:
        for k in (1, 3, 5):
            result[f"recall@{k}"] = float(np.mean([bool(r and r <= k) for r in ranks]))
        result["mrr"] = float(np.mean([1 / r if r else 0.0 for r in ranks]))
    result["latency_p50_ms"] = float(np.percentile(latencies, 50))
    result["latency_p95_ms"] = float(np.percentile(latencies, 95))
    result["llm_rejected"] = sum(r["llm_rejected"] for r in records)
    result["wrong_source"] = sum(r.get("wrong_source", False) for r in records)
    return result


def summarize(records: Sequence[dict]) -> dict[str, dict[str, float]]:
    """Metrics overall and for each question type present."""
    types = sorted({r["type"] for r in records})
    return {"overall": _metrics(records)} | {t: _metrics([r for r in records if r["type"] == t])
                                             for t in types}


def run_eval(assistant: Assistant, items: Sequence[GoldItem], gold_name: str = "",
             progress: Callable[[int, int], None] | None = None) -> EvalRun:
    """Ask every item, score it, and summarise; `progress(done, total)` after each item."""
    records = []
    for done, item in enumerate(items, 1):
        records.append(evaluate_item(assistant, item))
        if progress:
            progress(done, len(items))
    return EvalRun(gold_name, assistant.answerer.name, summarize(records), records)
