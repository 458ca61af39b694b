"""The LLM answerer: an OpenAI-compatible chat model writes the answer from numbered passages,
and the grounding guard keeps it only when every figure is stated by a passage it cites."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence

from langchain_core.language_models import BaseChatModel
from pydantic import SecretStr

from assistant.answer.answerers.extractive import ExtractiveAnswerer
from assistant.answer.guard import CheckedAnswer, check_answer, format_passages, numbered_passages
from assistant.answer.prompts import chat_prompt
from assistant.answer.question import NOT_FOUND, Intent
from assistant.config import Settings
from assistant.errors import UserError
from assistant.lang.zh import lexicon
from assistant.lang.zh.messages import message
from assistant.lang.zh.text import CITATION_MARKER, QUOTES, REWRITE_LABEL
from assistant.retrieve.hybrid import ScoredChunk
from assistant.types import Answer

logger = logging.getLogger(__name__)

UNAVAILABLE_NOTE = lexicon.phrase("llm.unavailable")
UNCITED_NOTE = lexicon.phrase("llm.uncited")


def make_chat_model(settings: Settings) -> BaseChatModel:
    """LangChain's ChatOpenAI for the endpoint in settings (timeout and bounded retries included).

    Imported only here, so the core never needs langchain-openai; a missing endpoint or package
    is a UserError saying what to set or install.
    """
    if not settings.llm_base_url or not settings.llm_model:
        raise UserError(message("errors.llm_no_endpoint"))
    try:
        from langchain_openai import ChatOpenAI
    except ImportError:
        raise UserError(message("errors.llm_not_installed")) from None
    return ChatOpenAI(base_url=settings.llm_base_url, model=settings.llm_model,
                      api_key=SecretStr(settings.llm_api_key or "unused"),  # local servers take any key
                      timeout=settings.llm_timeout, max_retries=settings.llm_retries, temperature=0)


def _client_errors() -> tuple[type[Exception], ...]:
    """What a failed call to the endpoint raises: API errors (connection, timeout, HTTP status),
    and ValueError/TypeError from replies that are not chat completions (bad JSON, no choices)."""
    import openai

    return (openai.APIError, ValueError, TypeError)


class LLMAnswerer:
    """Answers with an LLM over the retrieved passages, falling back to the offline answerer
    whenever the endpoint fails or the answer states a figure its cited passages do not."""

    name = "llm"

    def __init__(self, settings: Settings, idf: Callable[[str], float]) -> None:
        self._chat = make_chat_model(settings)
        self._max_question_chars = settings.max_question_chars
        self._errors = _client_errors()
        self._offline = ExtractiveAnswerer(idf)
        self._answer_prompt = chat_prompt("answer")
        self._rewrite_prompt = chat_prompt("rewrite")

    def answer(self, question: str, intent: Intent, hits: dict[str, list[ScoredChunk]],
               named: bool) -> Answer:
        """The guarded LLM answer, or the offline one with a note saying why."""
        passages = numbered_passages(hits)
        if not passages:
            return self._offline.answer(question, intent, hits, named)
        started = time.perf_counter()
        try:
            reply = self._chat.invoke(self._messages(intent, passages)).text
        except self._errors as exc:
            return self._unavailable(question, intent, hits, named, exc)
        return self._finish(question, intent, hits, named, passages, reply, started)

    def stream(self, question: str, intent: Intent, hits: dict[str, list[ScoredChunk]],
               named: bool) -> Iterator[str | Answer]:
        """Text deltas as the model writes them, then the guarded Answer.

        The guard can only judge the whole reply, so the final Answer may differ from the
        streamed text (a rejection or an unreachable endpoint): front ends show the Answer.
        """
        passages = numbered_passages(hits)
        if not passages:
            yield self._offline.answer(question, intent, hits, named)
            return
        started = time.perf_counter()
        pieces: list[str] = []
        try:
            for chunk in self._chat.stream(self._messages(intent, passages)):
                if chunk.text:
                    pieces.append(chunk.text)
                    yield chunk.text
        except self._errors as exc:
            yield self._unavailable(question, intent, hits, named, exc)
            return
        yield self._finish(question, intent, hits, named, passages, "".join(pieces), started)

    def rewrite_question(self, history: Sequence[str | dict], question: str,
                         fallback: Callable[[str, list[str]], str]) -> str:
        """The standalone question a follow-up stands for, written by the model from the history.

        `fallback(question, user_turns)` (the rule-based reading) answers instead when the endpoint
        fails or the rewrite is not one plausible question.
        """
        turns = _history_lines(history)
        if not turns:
            return question
        user_turns = [text for role, text in turns if role == "user"]
        history_text = "\n".join(lexicon.phrase("llm.turn", role=lexicon.phrase(f"llm.role.{role}"),
                                                 text=text) for role, text in turns)
        try:
            reply = self._chat.invoke(self._rewrite_prompt.format_messages(
                history=history_text, question=question)).text
        except self._errors as exc:
            logger.warning("LLM question rewriting failed, using the rule-based reading: %s", exc)
            return fallback(question, user_turns)
        rewritten = _one_question(reply)
        if not rewritten or len(rewritten) > self._max_question_chars:
            logger.warning("LLM question rewrite unusable (%r), using the rule-based reading", reply[:200])
            return fallback(question, user_turns)
        return rewritten

    def _messages(self, intent: Intent, passages: Sequence[ScoredChunk]) -> list:
        return self._answer_prompt.format_messages(passages=format_passages(passages),
                                                   question=intent.question)

    def _finish(self, question: str, intent: Intent, hits: dict[str, list[ScoredChunk]], named: bool,
                passages: Sequence[ScoredChunk], reply: str, started: float) -> Answer:
        """The reply as a cited Answer if it passes the guard, else the offline answer with a note."""
        if not reply.strip():
            return self._unavailable(question, intent, hits, named, ValueError("empty reply"))
        checked = check_answer(reply, passages)
        if checked.dropped:
            logger.info("LLM cited passages that were not given, markers removed: %s", checked.dropped)
        if checked.ungrounded:
            return self._rejected(question, intent, hits, named, checked)
        abstained = checked.text.startswith(NOT_FOUND) and not checked.citations
        if not checked.citations and not abstained:
            logger.warning("LLM answer rejected, it cites no passage: %r", checked.text[:200])
            return self._replace(question, intent, hits, named, UNCITED_NOTE, rejected=True)
        districts = list(dict.fromkeys(c.district for c in checked.citations)) or list(hits)
        answer = Answer(question, checked.text, abstained, checked.citations, checked.figures,
                        standalone_question=intent.question, districts=districts, answerer=self.name)
        answer.timings["llm_ms"] = (time.perf_counter() - started) * 1000
        return answer

    def _rejected(self, question: str, intent: Intent, hits: dict[str, list[ScoredChunk]], named: bool,
                  checked: CheckedAnswer) -> Answer:
        figures = lexicon.phrase("list_separator").join(
            dict.fromkeys(lexicon.phrase("quoted", text=f.text) for f in checked.ungrounded))
        logger.warning("LLM answer rejected by the grounding guard, figures %s not stated by the passages "
                       "they cite: %r", figures, checked.text[:300])
        note = lexicon.phrase("llm.rejected", figures=figures)
        return self._replace(question, intent, hits, named, note, rejected=True)

    def _unavailable(self, question: str, intent: Intent, hits: dict[str, list[ScoredChunk]], named: bool,
                     exc: Exception) -> Answer:
        logger.warning("LLM endpoint failed, answering offline: %s: %s", type(exc).__name__, exc)
        return self._replace(question, intent, hits, named, UNAVAILABLE_NOTE, rejected=False)

    def _replace(self, question: str, intent: Intent, hits: dict[str, list[ScoredChunk]], named: bool,
                 note: str, rejected: bool) -> Answer:
        """The offline answer in place of the model's, with a visible note saying why."""
        answer = self._offline.answer(question, intent, hits, named)
        answer.notes.append(note)
        answer.llm_rejected = rejected
        return answer


def _history_lines(history: Sequence[str | dict]) -> list[tuple[str, str]]:
    """(role, text) for each turn, role "user" or "assistant": plain strings are user turns;
    answers lose their [n] markers."""
    lines = []
    for turn in history:
        role, text = ("user", turn) if isinstance(turn, str) else (turn.get("role", "user"),
                                                                    str(turn.get("content") or ""))
        text = CITATION_MARKER.sub("", text).strip()
        if text and role in ("user", "assistant"):
            lines.append((role, text))
    return lines


def _one_question(reply: str) -> str:
    """The rewritten question from a reply: its first non-empty line, without labels or quotes."""
    line = next((line.strip() for line in reply.strip().splitlines() if line.strip()), "")
    line = REWRITE_LABEL.sub("", line)
    return line.strip(QUOTES + " ")
