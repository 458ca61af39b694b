"""Many questions at once, as JSON lines: the protocol of `assistant ask --jsonl`, also used by
`assistant bench` to time answers as users get them.

Every line in gets exactly one line out, whatever it holds: a line that is not UTF-8, not JSON,
nested too deep, too long, or that holds a lone surrogate gets an `error` line and the run goes on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import IO

from assistant.answer.service import HISTORY_TURNS, Assistant
from assistant.errors import UserError
from assistant.lang.zh.messages import message

# One line holds one question and its history; longer is not a request but a mistake or an attack,
# and is skipped without being held in memory.
MAX_LINE_BYTES = 16 * 2**20
_BOM = b"\xef\xbb\xbf"
# Characters a JSON text may hold raw but a terminal or a strict UTF-8 reader may not: DEL, C1
# controls (U+009B starts an escape sequence) and lone surrogates, written as \u escapes instead.
_RAW_UNSAFE = re.compile("[\x7f-\x9f\ud800-\udfff]")
# A JSON \ud800 escape decodes to a lone surrogate, which no later step can encode.
_SURROGATE = re.compile("[\ud800-\udfff]")


def json_text(record: dict, indent: int | None = None) -> str:
    """`record` as JSON with Chinese kept readable and every control character escaped."""
    return _RAW_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}",
                           json.dumps(record, ensure_ascii=False, indent=indent))


def _lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) for each line of the input; None for a line over MAX_LINE_BYTES,
    whose rest is read and dropped in bounded pieces."""
    number = 0
    while line := stream.readline(MAX_LINE_BYTES + 1):
        number += 1
        if len(line) <= MAX_LINE_BYTES or line.endswith(b"\n"):
            yield number, line.removeprefix(_BOM) if number == 1 else line
            continue
        while (rest := stream.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
            pass
        yield number, None


def _request(raw: bytes | None, number: int) -> dict:
    """The request on one line, or a UserError sentence saying what is wrong with the line."""
    if raw is None:
        raise UserError(message("errors.jsonl.too_long", line=number, limit_mb=MAX_LINE_BYTES // 2**20))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UserError(message("errors.jsonl.not_utf8", line=number)) from None
    try:
        request = json.loads(text)
    except json.JSONDecodeError:
        raise UserError(message("errors.jsonl_not_json", line=number)) from None
    except RecursionError:  # what the json module raises for nesting deeper than the stack
        raise UserError(message("errors.jsonl.too_deep", line=number)) from None
    if not isinstance(request, dict) or not isinstance(request.get("question"), str):
        raise UserError(message("errors.jsonl_no_question", line=number))
    if _SURROGATE.search(request["question"]):
        raise UserError(message("errors.jsonl.bad_characters", line=number))
    return request


def _history(request: dict, number: int) -> list[dict | str]:
    """The request's last HISTORY_TURNS turns, each a {"role", "content"} dict or a string."""
    history = request.get("history") or []
    if not isinstance(history, list):
        raise UserError(message("errors.jsonl.bad_history", line=number))
    turns = history[-HISTORY_TURNS:]
    if not all(isinstance(t, str) or isinstance(t, dict) and isinstance(t.get("content") or "", str)
               for t in turns):
        raise UserError(message("errors.jsonl.bad_history", line=number))
    if _SURROGATE.search(json.dumps(turns, ensure_ascii=False)):
        raise UserError(message("errors.jsonl.bad_characters", line=number))
    return turns


def answer_jsonl(assistant: Assistant, stream: IO[bytes], sink: IO[str], districts: list[str]) -> int:
    """One JSON line out per non-blank line in (bytes, UTF-8); a bad line gets an "error" line and
    the rest go on. Returns the number of error lines."""
    failures = 0
    for number, raw in _lines(stream):
        if raw is not None and not raw.strip():
            continue
        request: dict = {}
        record: dict
        try:
            request = _request(raw, number)
            answer = assistant.ask(request["question"], _history(request, number), districts)
            answer.id = request.get("id")
            record = answer.to_dict()
        except UserError as exc:
            failures += 1
            record = {"id": request.get("id"), "question": request.get("question"), "error": str(exc)}
        sink.write(json_text(record) + "\n")
        sink.flush()
    return failures
