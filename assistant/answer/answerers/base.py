"""What every answerer is: it turns the retrieved passages of each place into a cited Answer, can
stream it, and can read a follow-up question against the conversation."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Protocol

from assistant.answer.question import Intent
from assistant.retrieve.hybrid import ScoredChunk
from assistant.types import Answer

STREAM_PIECE = 8  # characters per piece when an answer that is ready at once is streamed
Hits = dict[str, list[ScoredChunk]]
Resolve = Callable[[str, list[str]], str]  # (question, earlier user turns) -> standalone question


def history_questions(history: Iterable[dict | str]) -> list[str]:
    """The user turns of a chat history given as {"role", "content"} dicts or plain strings."""
    turns = []
    for turn in history:
        if isinstance(turn, str):
            turns.append(turn)
        elif isinstance(turn, dict) and turn.get("role", "user") == "user" and turn.get("content"):
            turns.append(str(turn["content"]))
    return turns


class Answerer(Protocol):
    """Turns the retrieved passages of each place into a cited Answer."""

    name: str
    instant: bool  # the answer is ready at once (nothing worth a stop button)

    def answer(self, question: str, intent: Intent, hits: Hits, named: bool) -> Answer: ...

    def stream(self, question: str, intent: Intent, hits: Hits, named: bool) -> Iterator[str | Answer]:
        """Text pieces as they become fit to show (checked, for an answerer that can be wrong), then
        the finished (authoritative) Answer."""
        ...

    def rewrite_question(self, history: Sequence[str | dict], question: str, fallback: Resolve) -> str:
        """The standalone question a follow-up stands for."""
        ...


class ImmediateAnswerer:
    """For answerers whose answer is ready at once: streaming is the answer cut into pieces, and a
    follow-up is read by the rule-based `fallback`."""

    instant = True

    def answer(self, question: str, intent: Intent, hits: Hits, named: bool) -> Answer:
        raise NotImplementedError

    def stream(self, question: str, intent: Intent, hits: Hits, named: bool) -> Iterator[str | Answer]:
        answer = self.answer(question, intent, hits, named)
        for start in range(0, len(answer.answer), STREAM_PIECE):
            yield answer.answer[start:start + STREAM_PIECE]
        yield answer

    def rewrite_question(self, history: Sequence[str | dict], question: str, fallback: Resolve) -> str:
        return fallback(question, history_questions(history))
