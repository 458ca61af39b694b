"""Answerer registry: the settings name picks the backend that turns retrieved passages into an Answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from .answer import Answer
from .errors import UserError
from .extractive import ExtractiveAnswerer
from .question import Intent
from .retrieve import ScoredChunk
from .settings import Settings


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
        from .llm import LLMAnswerer

        return LLMAnswerer(settings, idf)
    raise UserError(f"Unknown answerer {settings.answerer!r}; use 'extractive' or 'llm'.")
