"""Gold files: JSONL evaluation items, validated against the reports on load."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from assistant.bundled import GOLD_FILE
from assistant.errors import UserError
from assistant.lang.zh.messages import message
from assistant.lang.zh.numbers import parse_quantity

SPLITS = ("dev", "test")
TYPES = ("numeric", "paraphrase", "multi_doc", "followup", "unanswerable", "text")
_KEYS = {"id": str, "question": str, "type": str, "answers": list}


@dataclass(frozen=True)
class GoldAnswer:
    """One expected figure (or key phrase) and the exact report text that states it."""

    doc: str
    value: str
    unit: str
    evidence: str
    evidence_start: int  # first occurrence of `evidence` in the report


@dataclass(frozen=True)
class GoldItem:
    """One evaluation question with what a correct answer must state."""

    id: str
    question: str
    type: str
    history: list = field(default_factory=list)
    answers: tuple[GoldAnswer, ...] = ()
    district: str | None = None
    split: str = "dev"  # "dev" items may be tuned on; "test" items are frozen: read their scores only


def _check_answer(raw: object, texts: Mapping[str, str], numeric: bool) -> GoldAnswer:
    """A GoldAnswer from one `answers` entry, or ValueError saying what is wrong with it."""
    if not isinstance(raw, dict):
        raise ValueError("each answer must be an object")
    missing = [k for k in ("doc", "value", "unit", "evidence") if not isinstance(raw.get(k), str)]
    if missing:
        raise ValueError(f"answer lacks string field(s) {', '.join(missing)}")
    if raw["doc"] not in texts:
        raise ValueError(f"unknown doc {raw['doc']!r}")
    start = texts[raw["doc"]].find(raw["evidence"])
    if not raw["evidence"] or start < 0:
        raise ValueError(f"evidence {raw['evidence'][:30]!r} does not occur in {raw['doc']}")
    if raw["value"] not in raw["evidence"]:
        raise ValueError(f"value {raw['value']!r} does not occur in its evidence")
    if numeric:
        parse_quantity(raw["value"], raw["unit"])  # raises ValueError for a non-number
    return GoldAnswer(raw["doc"], raw["value"], raw["unit"], raw["evidence"], start)


def _check_item(raw: object, texts: Mapping[str, str]) -> GoldItem:
    """A GoldItem from one parsed line, or ValueError with the first problem found."""
    if not isinstance(raw, dict):
        raise ValueError("a line must hold a JSON object")
    raw = {"history": [], **raw}  # no history means a question asked on its own
    if not isinstance(raw["history"], list):
        raise ValueError("field 'history' is not a list")
    for key, kind in _KEYS.items():
        if not isinstance(raw.get(key), kind):
            raise ValueError(f"field {key!r} is missing or not a {kind.__name__}")
    if raw["type"] not in TYPES:
        raise ValueError(f"type {raw['type']!r} is not one of {', '.join(TYPES)}")
    if not raw["question"].strip():
        raise ValueError("question is empty")
    if any(not isinstance(t, dict) or not isinstance(t.get("content"), str) for t in raw["history"]):
        raise ValueError("history must be a list of {\"role\", \"content\"} objects")
    if raw["type"] == "followup" and not raw["history"]:
        raise ValueError("a followup item needs a history")
    if (raw["type"] == "unanswerable") != (not raw["answers"]):
        raise ValueError("answers must be empty exactly when type is unanswerable")
    answers = tuple(_check_answer(a, texts, raw["type"] != "text") for a in raw["answers"])
    district = raw.get("district")
    if district is not None and not isinstance(district, str):
        raise ValueError("district must be a string or null")
    split = raw.get("split", "dev")
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}")
    return GoldItem(raw["id"], raw["question"], raw["type"], raw["history"], answers, district, split)


def load_gold(path: Path, texts: Mapping[str, str]) -> list[GoldItem]:
    """Every item of a gold file; a bad file raises UserError listing each bad line by number."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise UserError(message("errors.no_gold_file", path=path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(message("errors.gold_unreadable", path=path, reason=exc)) from None
    items, problems, seen = [], [], set()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = _check_item(json.loads(line), texts)
            if item.id in seen:
                raise ValueError(f"id {item.id!r} is used twice")
            seen.add(item.id)
            items.append(item)
        except json.JSONDecodeError as exc:
            problems.append(f"line {number}: not valid JSON ({exc.msg})")
        except ValueError as exc:
            problems.append(f"line {number}: {exc}")
    if problems:
        shown = "; ".join(problems[:10]) + ("; …" if len(problems) > 10 else "")
        raise UserError(message("errors.gold_bad_lines", path=path, count=len(problems), shown=shown))
    if not items:
        raise UserError(message("errors.gold_empty", path=path))
    return items


def gold_files(eval_dir: Path) -> dict[str, Path]:
    """Gold files by name: the bundled ones (gold.jsonl first), then the *.jsonl of `eval_dir` (a
    file of the same name there takes its place), so evaluation works wherever the assistant runs."""
    found = {GOLD_FILE.name: GOLD_FILE} | {p.name: p for p in sorted(GOLD_FILE.parent.glob("*.jsonl"))}
    if eval_dir.is_dir():
        found.update({path.name: path for path in sorted(eval_dir.glob("*.jsonl"))})
    return found


def default_gold(eval_dir: Path) -> Path:
    """The gold file used when none is named: gold.jsonl in `eval_dir`, else the bundled one."""
    return gold_files(eval_dir)[GOLD_FILE.name]
