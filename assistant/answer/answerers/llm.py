"""The LLM answerer: an OpenAI-compatible chat model writes the answer from numbered passages,
and the grounding guard keeps it only when every figure is stated by a passage it cites.

Nothing the model writes reaches the user unchecked: a rewritten follow-up is kept only when it
adds nothing the user did not say, streamed text only sentence by sentence once grounded. And the
model gets `llm_timeout` per question (rewrite and answer together, retries included), so a
server that hangs costs at most that before the offline answer.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence

from langchain_core.language_models import BaseChatModel
from pydantic import SecretStr

from assistant.answer.answerers.extractive import ExtractiveAnswerer
from assistant.answer.guard import check_answer, format_passages, grounded_prefix, numbered_passages, rewrite_additions
from assistant.answer.prompts import chat_prompt
from assistant.answer.question import NOT_FOUND, Intent
from assistant.config import Settings
from assistant.errors import UserError
from assistant.lang.zh import lexicon
from assistant.lang.zh.messages import message
from assistant.lang.zh.numbers import NumericValue
from assistant.lang.zh.text import CITATION_MARKER, QUOTES, REWRITE_LABEL, SENTENCE_BREAK
from assistant.retrieve.hybrid import ScoredChunk
from assistant.types import Answer

logger = logging.getLogger(__name__)

UNAVAILABLE_NOTE = lexicon.phrase("llm.unavailable")
UNCITED_NOTE = lexicon.phrase("llm.uncited")
REJECTED_NOTE = message("llm.rejected")
RETRY_PAUSE = 0.5  # seconds before retrying a failed call, when the question's time allows


def make_chat_model(settings: Settings) -> BaseChatModel:
    """LangChain's ChatOpenAI for the endpoint in settings; the answerer times and retries each call
    itself, within the question's time, so the client neither waits longer nor retries.

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
                      timeout=settings.llm_timeout, max_retries=0, temperature=0)


def _client_errors() -> tuple[type[Exception], ...]:
    """What a failed call to the endpoint raises: API errors (connection, timeout, HTTP status),
    ValueError/TypeError from replies that are not chat completions (bad JSON, no choices), and
    TimeoutError when the question's time runs out."""
    import openai

    return (openai.APIError, ValueError, TypeError, TimeoutError)


def _retryable(exc: Exception) -> bool:
    """Worth another try: the endpoint was unreachable, timed out, busy or failed (as openai retries)."""
    import openai

    if isinstance(exc, openai.APIConnectionError):
        return True
    return isinstance(exc, openai.APIStatusError) and (exc.status_code in (408, 409, 429) or exc.status_code >= 500)


class LLMAnswerer:
    """Answers with an LLM over the retrieved passages, falling back to the offline answerer
    whenever the endpoint fails or the answer states a figure its cited passages do not."""

    name = "llm"
    instant = False

    def __init__(self, settings: Settings, idf: Callable[[str], float]) -> None:
        self._chat = make_chat_model(settings)
        self._timeout = settings.llm_timeout
        self._retries = settings.llm_retries
        self._rewrites = threading.local()  # (question, deadline) of the follow-up this thread rewrote last
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
            reply = "".join(self._reply(self._messages(intent, passages), self._deadline(question), stream=False))
        except self._errors as exc:
            return self._unavailable(question, intent, hits, named, exc)
        return self._finish(question, intent, hits, named, passages, reply, started)

    def stream(self, question: str, intent: Intent, hits: dict[str, list[ScoredChunk]],
               named: bool) -> Iterator[str | Answer]:
        """The model's text sentence by sentence, each once the guard finds its figures in the
        passages it cites, then the guarded Answer.

        Whether the whole reply is kept (it cites something, every figure is grounded) is known
        only at its end, so the final Answer may replace what was shown: front ends show the Answer.
        """
        passages = numbered_passages(hits)
        if not passages:
            yield self._offline.answer(question, intent, hits, named)
            return
        started = time.perf_counter()
        reply, shown = "", ""
        try:
            for delta in self._reply(self._messages(intent, passages), self._deadline(question), stream=True):
                reply += delta
                if SENTENCE_BREAK.search(delta):
                    checked = grounded_prefix(reply, passages)
                    if len(checked) > len(shown) and checked.startswith(shown):
                        yield checked[len(shown):]
                        shown = checked
        except self._errors as exc:
            yield self._unavailable(question, intent, hits, named, exc)
            return
        answer = self._finish(question, intent, hits, named, passages, reply, started)
        if answer.answerer == self.name and answer.answer.startswith(shown) and answer.answer != shown:
            yield answer.answer[len(shown):]
        yield answer

    def rewrite_question(self, history: Sequence[str | dict], question: str,
                         fallback: Callable[[str, list[str]], str]) -> str:
        """The standalone question a follow-up stands for, written by the model from the history.

        `fallback(question, user_turns)` (the rule-based reading) answers instead when the endpoint
        fails, the rewrite is not one plausible question, or it adds a figure, a place or a year the
        user never said (or drops one the question names): the question searched and shown is
        never one the model made up. The rewrite's time counts against the question's answer.
        """
        turns = _history_lines(history)
        if not turns:
            return question
        user_turns = [text for role, text in turns if role == "user"]
        history_text = "\n".join(lexicon.phrase("llm.turn", role=lexicon.phrase(f"llm.role.{role}"),
                                                 text=text) for role, text in turns)
        deadline = time.monotonic() + self._timeout
        self._rewrites.last = (question, deadline)
        prompt = self._rewrite_prompt.format_messages(history=history_text, question=question)
        try:
            reply = "".join(self._reply(prompt, deadline, stream=False))
        except self._errors as exc:
            logger.warning("LLM question rewriting failed, using the rule-based reading: %s", exc)
            return fallback(question, user_turns)
        rewritten = _one_question(reply)
        if not rewritten or len(rewritten) > self._max_question_chars:
            logger.warning("LLM question rewrite unusable (%r), using the rule-based reading", reply[:200])
            return fallback(question, user_turns)
        changed = rewrite_additions(rewritten, question, user_turns)
        if changed:
            logger.warning("LLM question rewrite %r changes what the user said (%s), using the rule-based "
                           "reading", rewritten, ", ".join(changed))
            return fallback(question, user_turns)
        return rewritten

    def _deadline(self, question: str) -> float:
        """When the model must have answered `question`: the deadline its rewrite started if this
        thread just rewrote it (one `llm_timeout` for both), else `llm_timeout` from now."""
        last, self._rewrites.last = getattr(self._rewrites, "last", None), None
        return last[1] if last and last[0] == question else time.monotonic() + self._timeout

    def _reply(self, messages: list, deadline: float, stream: bool) -> Iterator[str]:
        """The model's text as it arrives, retried on failure, given up with TimeoutError at `deadline`.

        The call runs in a daemon thread: a server that accepts and never answers, or stalls after
        its headers, holds that thread (until the client's own timeout), never the question.
        """
        pieces: queue.Queue[tuple[str, object]] = queue.Queue()
        stop = threading.Event()
        threading.Thread(target=self._call, args=(messages, deadline, stream, pieces, stop), daemon=True).start()
        try:
            while True:
                try:
                    kind, value = pieces.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    raise TimeoutError(f"no reply within {self._timeout:g} s") from None
                if kind == "done":
                    return
                if isinstance(value, Exception):
                    raise value
                yield str(value)
        finally:
            stop.set()  # the asker stopped listening: the call ends at its next piece

    def _call(self, messages: list, deadline: float, stream: bool, pieces: queue.Queue, stop: threading.Event
              ) -> None:
        """Ask the model (in `_reply`'s worker thread), retrying while time is left, and put
        ("text", piece) items, then ("done", None) or ("error", exception), on `pieces`."""
        sent = False
        for attempt in range(self._retries + 1):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or stop.is_set():
                break
            try:
                if not stream:
                    pieces.put(("text", self._chat.invoke(messages, timeout=remaining).text))
                else:
                    for chunk in self._chat.stream(messages, timeout=remaining):
                        if stop.is_set():
                            return
                        if chunk.text:
                            pieces.put(("text", chunk.text))
                            sent = True
                pieces.put(("done", None))
                return
            except Exception as exc:  # handed to the asking thread, which raises it: nothing is lost
                if sent or attempt == self._retries or not _retryable(exc):
                    pieces.put(("error", exc))
                    return
                stop.wait(min(RETRY_PAUSE, max(0.0, deadline - time.monotonic())))
        pieces.put(("error", TimeoutError(f"no reply within {self._timeout:g} s")))

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
            return self._rejected(question, intent, hits, named, checked.ungrounded)
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
                  ungrounded: Sequence[NumericValue]) -> Answer:
        """The offline answer with a note that does not repeat the rejected figures (they are
        what must not reach the user); the log names them."""
        logger.warning("LLM answer rejected by the grounding guard, figures %s not stated by the passages "
                       "they cite", ", ".join(dict.fromkeys(f.text for f in ungrounded)))
        return self._replace(question, intent, hits, named, REJECTED_NOTE, rejected=True)

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
    line = CITATION_MARKER.sub("", REWRITE_LABEL.sub("", line))
    return line.strip(QUOTES + " ")
