"""Feedback on answers (👍, 👎, 数字不对), kept on this machine as JSONL, and turned into gold-file
candidates: what analysts mark while using the assistant becomes evaluation items after review.

A 👍 becomes a candidate whose expected answers are the figures the answer stated, with the
sentence of the cited passage as evidence: ready to run. A 👎 or 数字不对 becomes a candidate with
no expected answers and a `review` field saying what the user reported; `assistant eval` refuses a
gold file that still has such lines (one sentence naming them) until a reviewer fills in `answers`
and deletes `review`.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from pathlib import Path

from filelock import FileLock

from assistant.config import Settings
from assistant.errors import UserError
from assistant.lang.zh.messages import message
from assistant.lang.zh.text import SENTENCE_BREAK

VERDICTS = ("up", "down", "wrong_figure")
FEEDBACK_FILE = "feedback.jsonl"
REVIEW_FIELD = "review"


def feedback_file(settings: Settings) -> Path:
    """Where feedback is appended: `feedback_dir`, by default the index folder's feedback/."""
    folder = Path(settings.feedback_dir) if settings.feedback_dir else settings.index_dir / "feedback"
    return folder / FEEDBACK_FILE


def record_feedback(settings: Settings, *, question: str, history: Sequence[str | dict], answer: dict,
                    verdict: str, note: str = "") -> None:
    """Append one verdict on one answer (`Answer.to_dict()`) as a JSON line. A file lock keeps lines
    from several sessions or app processes whole; nothing is sent anywhere."""
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}, not {verdict!r}")
    entry = {"at": time.strftime("%Y-%m-%d %H:%M:%S"), "verdict": verdict, "question": question,
             "history": list(history), "note": note, "answer": answer}
    path = feedback_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(f"{path}.lock", timeout=30), open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(entry, ensure_ascii=False) + "\n")


def read_feedback(settings: Settings) -> list[dict]:
    """Every recorded entry, oldest first; a damaged line is named in one sentence."""
    path = feedback_file(settings)
    if not path.exists():
        return []
    entries, bad = [], []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError:
                bad.append(number)
    if bad:
        raise UserError(message("errors.feedback.damaged", path=path, lines=", ".join(map(str, bad))))
    return entries


def _user_turns(history: Sequence[str | dict]) -> list[dict]:
    """The gold history: the earlier questions, as {"role": "user", "content": …}."""
    turns = [{"role": "user", "content": t} if isinstance(t, str) else t for t in history]
    return [{"role": "user", "content": t.get("content", "")} for t in turns if t.get("role", "user") == "user"]


def _evidence(passage: str, value: str, quote: str) -> str:
    """The shortest text around `value` that a reviewer can check: the quote when it states the
    value, else the passage's sentence that does."""
    if value in quote:
        return quote
    at = passage.find(value)
    starts = [m.end() for m in SENTENCE_BREAK.finditer(passage, 0, at)]
    end = SENTENCE_BREAK.search(passage, at + len(value))
    return passage[(starts[-1] if starts else 0):(end.start() if end else len(passage))].strip()


def _expected(answer: dict) -> list[dict]:
    """The answer's figures as gold answers (doc, value, unit, evidence); for an answer without
    figures, the quote of its first citation as the key phrase."""
    cited = {c["n"]: c for c in answer.get("citations", [])}
    expected = []
    for figure in answer.get("figures", []):
        citation = cited.get(figure["citation"])
        if citation and figure["value"] in citation["text"]:
            evidence = _evidence(citation["text"], figure["value"], citation.get("quote", ""))
            expected.append({"doc": citation["doc_id"], "value": figure["value"], "unit": figure["unit"],
                             "evidence": evidence})
    if not expected and cited and not answer.get("figures"):
        first = cited[min(cited)]
        phrase = first.get("quote") or first["text"]
        expected.append({"doc": first["doc_id"], "value": phrase, "unit": "", "evidence": phrase})
    return list({json.dumps(e, ensure_ascii=False): e for e in expected}.values())


def _type(answer: dict, history: list[dict], expected: list[dict]) -> str:
    if answer.get("abstained"):
        return "unanswerable"
    if history:
        return "followup"
    if len({e["doc"] for e in expected}) > 1:
        return "multi_doc"
    return "numeric" if answer.get("figures") else "text"


def gold_candidate(entry: dict) -> dict:
    """One gold-format line for one feedback entry (see the module docstring)."""
    answer, history = entry.get("answer", {}), _user_turns(entry.get("history", []))
    key = json.dumps([entry["question"], history], ensure_ascii=False)
    places = {c.get("district") for c in answer.get("citations", [])} - {None, ""}
    candidate: dict = {"id": "fb-" + hashlib.sha256(key.encode()).hexdigest()[:10],
                       "question": entry["question"], "history": history, "split": "dev",
                       "district": places.pop() if len(places) == 1 else None}
    expected = _expected(answer) if entry["verdict"] == "up" else []
    candidate["type"] = _type(answer, history, expected)
    if entry["verdict"] == "up" and (expected or answer.get("abstained")):
        candidate["answers"] = expected
    else:  # the reviewer decides what the right answer is
        candidate["answers"] = []
        candidate[REVIEW_FIELD] = message(f"feedback.review.{entry['verdict']}", note=entry.get("note") or "-")
    candidate["feedback"] = {"verdict": entry["verdict"], "at": entry.get("at", ""),
                             "note": entry.get("note", ""), "answer": answer.get("answer", "")}
    return candidate


def gold_candidates(entries: Sequence[dict]) -> list[dict]:
    """A candidate per question (with its history); the latest verdict on a question wins."""
    latest: dict[str, dict] = {}
    for entry in entries:
        candidate = gold_candidate(entry)
        latest.pop(candidate["id"], None)
        latest[candidate["id"]] = candidate
    return list(latest.values())


def unreviewed_lines(path: Path) -> list[int]:
    """Numbers of the lines of a gold file that still carry a `review` field."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []  # the gold loader says what is wrong with the file
    numbers = []
    for number, line in enumerate(lines, 1):
        try:
            item = json.loads(line) if line.strip() else None
        except json.JSONDecodeError:
            continue
        if isinstance(item, dict) and item.get(REVIEW_FIELD):
            numbers.append(number)
    return numbers
