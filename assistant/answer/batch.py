"""Many questions at once, as JSON lines: the protocol of `assistant ask --jsonl`, also used by
`assistant bench` to time answers as users get them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO

from assistant.answer.service import Assistant
from assistant.errors import UserError
from assistant.lang.zh.messages import message


def _jsonl_requests(stream: IO[str]) -> Iterator[tuple[dict | None, str | None]]:
    """(request, None) for each usable line, or (None, why) for a line that is not."""
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except json.JSONDecodeError:
            yield None, message("errors.jsonl_not_json", line=number)
            continue
        if not isinstance(request, dict) or not isinstance(request.get("question"), str):
            yield {"id": request.get("id") if isinstance(request, dict) else None}, \
                message("errors.jsonl_no_question", line=number)
            continue
        yield request, None


def answer_jsonl(assistant: Assistant, stream: IO[str], sink: IO[str], districts: list[str]) -> int:
    """One JSON line out per JSON line in; a bad line gets an "error" line and the rest go on."""
    failures = 0
    for request, problem in _jsonl_requests(stream):
        record: dict
        try:
            if problem or request is None:
                raise UserError(problem or "")
            history = request.get("history") or []
            answer = assistant.ask(request["question"], history if isinstance(history, list) else [],
                                   districts)
            answer.id = request.get("id")
            record = answer.to_dict()
        except UserError as exc:
            failures += 1
            record = {"id": (request or {}).get("id"), "question": (request or {}).get("question"),
                      "error": str(exc)}
        sink.write(json.dumps(record, ensure_ascii=False) + "\n")
        sink.flush()
    return failures
