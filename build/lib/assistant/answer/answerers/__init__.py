"""Answerers, chosen by name in settings: one file each (extractive: offline, copies the figure
clause verbatim; llm: an OpenAI-compatible model behind a grounding guard), all behind the
`Answerer` protocol of base.py; `make_answerer` is the registry."""

from __future__ import annotations

from collections.abc import Callable

from assistant.answer.answerers.base import Answerer
from assistant.config import Settings
from assistant.errors import UserError
from assistant.lang.zh.messages import message

Idf = Callable[[str], float]


def _extractive(settings: Settings, idf: Idf) -> Answerer:
    from assistant.answer.answerers.extractive import ExtractiveAnswerer

    return ExtractiveAnswerer(idf)


def _llm(settings: Settings, idf: Idf) -> Answerer:
    from assistant.answer.answerers.llm import LLMAnswerer  # its client is imported only when chosen

    return LLMAnswerer(settings, idf)


ANSWERERS: dict[str, Callable[[Settings, Idf], Answerer]] = {"extractive": _extractive, "llm": _llm}


def make_answerer(settings: Settings, idf: Idf) -> Answerer:
    """The answerer `settings.answerer` names; "extractive" needs nothing beyond the index,
    "llm" an OpenAI-compatible endpoint."""
    factory = ANSWERERS.get(settings.answerer)
    if factory is None:
        raise UserError(message("errors.unknown_answerer", name=settings.answerer,
                                known=", ".join(ANSWERERS)))
    return factory(settings, idf)


__all__ = ["ANSWERERS", "Answerer", "make_answerer"]
