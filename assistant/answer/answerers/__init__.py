"""Answerer registry: the settings name picks the backend that turns retrieved passages into an Answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from assistant.types import Answer
from assistant.errors import UserError
from assistant.answer.answerers.extractive import ExtractiveAnswerer
from assistant.answer.question import Intent
from assistant.retrieve.hybrid import ScoredChunk
from assistant.config import Settings


class Answerer(Protocol):
    """Turns the retrieved passages of each district into a cited Answer."""

    name: str

    def answer(self, question: str, intent: Intent, hits: dict[str, list[ScoredChunk]],
               named: bool) -> Answer: ...


def make_answerer(settings: Settings, idf: Callable[[str], float]) -> Answerer:
    """The answerer `settings.answerer` names; "extractive" needs nothing beyond the index,
    "llm" an OpenAI-compatible endpoint (its client is imported only when chosen)."""
    if settings.answerer == "extractive":
        return ExtractiveAnswerer(idf)
    if settings.answerer == "llm":
        from assistant.answer.answerers.llm import LLMAnswerer

        return LLMAnswerer(settings, idf)
    raise UserError(f"Unknown answerer {settings.answerer!r}; use 'extractive' or 'llm'.")
