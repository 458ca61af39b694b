"""The Assistant: one object the CLI, the web UI and the eval harness all ask."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator, Sequence
from functools import cached_property

from assistant.answer.answerers import make_answerer
from assistant.answer.answerers.extractive import ExtractiveAnswerer, about, topic_terms
from assistant.answer.compare import add_comparison
from assistant.answer.examples import Examples, make_examples
from assistant.answer.merge import merge_answers
from assistant.answer.question import NOT_FOUND, Intent, QuestionReader, names_entity
from assistant.config import Settings
from assistant.controls import printable
from assistant.errors import UserError
from assistant.index.embedders import Embedder, make_embedder
from assistant.index.reports import ensure_index
from assistant.index.store import StoredIndex, current_build
from assistant.ingest.corpus import load_corpus
from assistant.lang.zh import lexicon
from assistant.lang.zh.messages import listing, message
from assistant.lang.zh.text import CJK_CHAR, STATED_YEAR
from assistant.retrieve.hybrid import HybridRetriever, ScoredChunk
from assistant.types import Answer, Citation, to_citation

HISTORY_TURNS = 20  # earlier turns a follow-up is read against (CLI, web and --jsonl alike)
SCOUT_K = 40  # passages searched corpus-wide to find which districts a question concerns
MAX_DISTRICTS = 10  # districts answered for when the question names none


def _naming(intent: Intent, hits: list[ScoredChunk]) -> list[ScoredChunk]:
    """The passages that name every thing the question names after a place (西湖大学): the
    others are about the place, not it."""
    return [h for h in hits if all(names_entity(e, h.chunk.text, h.chunk.district) for e in intent.entities)]


def _period_phrase(year: int | None, period: str | None) -> str:
    """"2023年目标", "2022年", "目标": how an abstention names a year and period."""
    return lexicon.phrase("answer.asked_period", year=lexicon.phrase("year", year=year) if year else "",
                          period=lexicon.period_label("answer", period or ""))


class Assistant:
    """Answers questions about the indexed reports with cited, verbatim figures."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or make_embedder(settings.embedder)
        self.index = StoredIndex(settings, self.embedder)
        stated = {int(year) for chunk in self.index.chunks for year in STATED_YEAR.findall(chunk.text)}
        self.reader = QuestionReader(self._report_records(), stated)
        self.retriever = HybridRetriever(index=self.index, embedder=self.embedder,
                                         top_k=settings.top_k, keyword_weight=settings.keyword_weight)
        self.answerer = make_answerer(settings, self.index.keyword.idf)
        self.offline = ExtractiveAnswerer(self.index.keyword.idf)  # explains abstentions, never asks an LLM

    @classmethod
    def open(cls, settings: Settings, progress: Callable[[int, int], None] | None = None,
             on_build: Callable[[str], None] | None = None, on_wait: Callable[[], None] | None = None,
             embedder: Embedder | None = None) -> Assistant:
        """An Assistant over the index in settings, building it first when there is none yet or it
        is behind the library (`on_build` is told which: "first" or "stale")."""
        embedder = embedder or make_embedder(settings.embedder)
        ensure_index(settings, embedder, progress, on_build, on_wait)
        return cls(settings, embedder)

    def is_latest(self) -> bool:
        """Whether this Assistant answers from the newest build (another process may have published one)."""
        try:
            return current_build(self.settings) == self.index.folder
        except UserError:
            return True  # an unreadable pointer: keep answering from the build held

    def _report_records(self) -> list[dict]:
        """District names and aliases of the indexed reports, from the manifest when readable."""
        try:
            reports = {r.id: r for r in load_corpus(self.settings)}
        except UserError:
            reports = {}
        records = []
        for entry in self.index.info.reports:
            report = reports.get(entry["id"])
            records.append({"district": entry["district"], "years": entry["years"],
                            "aliases": report.aliases if report else (), "city": report.city if report else "",
                            "actual_year": report.actual_year if report else None,
                            "target_year": report.target_year if report else None})
        return records

    @cached_property
    def examples(self) -> Examples:
        """Example questions about this index's reports, for the hints of the CLI and the web page."""
        return make_examples(self.index.chunks)

    def check_question(self, question: str) -> str:
        """The question stripped, or a UserError with one sentence saying what is wrong with it."""
        question = printable(question or "").strip()
        if not question:
            raise UserError(message("errors.empty_question"))
        if len(question) > self.settings.max_question_chars:
            raise UserError(message("errors.question_too_long", length=len(question),
                                    limit=self.settings.max_question_chars))
        return question

    def ask(self, question: str, history: Sequence[dict | str] = (), districts: Sequence[str] = (), *,
            year: int | None = None, period: str | None = None) -> Answer:
        """Answer `question` (a follow-up resolved against `history`), optionally within `districts`,
        and of `year` and `period` ("target" or "actual") where the question does not say."""
        started = time.perf_counter()
        question = self.check_question(question)
        intent = self._read(question, history, year, period)
        answer = self._answer(question, intent, districts)
        answer.latency_ms = (time.perf_counter() - started) * 1000
        return answer

    def standalone_question(self, question: str, history: Sequence[dict | str]) -> str:
        """The question a follow-up stands for: rewritten by the answerer when it can (the LLM, which
        falls back to the rules itself), else read by the rules."""
        if not history:
            return self.reader.resolve(question, [])
        history = list(history)[-HISTORY_TURNS:]  # a follow-up reads the latest turns; bounds a huge history
        return self.answerer.rewrite_question(history, question, fallback=self.reader.resolve)

    def retrieve(self, question: str, history: Sequence[dict | str] = (), k: int = 10) -> list[Citation]:
        """The passages the question's search ranks highest (all districts it means, merged)."""
        intent = self.reader.read(self.standalone_question(self.check_question(question), history))
        hits = self.retriever.search(intent.search_text, intent.districts, intent.period, k=k, year=intent.year)
        return [to_citation(i + 1, h.chunk, h.score) for i, h in enumerate(hits)]

    def _read(self, question: str, history: Sequence[dict | str], year: int | None, period: str | None) -> Intent:
        """The question read against its history, with the filters filling what it leaves open."""
        intent = self.reader.read(self.standalone_question(question, history))
        return dataclasses.replace(intent, year=intent.year or year, period=intent.period or period)

    def stream(self, question: str, history: Sequence[dict | str] = (), districts: Sequence[str] = (), *,
               year: int | None = None, period: str | None = None) -> Iterator[str | Answer]:
        """Text pieces of the answer as they become ready, then the finished Answer.

        The LLM answerer yields the model's text sentence by sentence once the grounding guard has
        checked each; the final Answer is authoritative and may replace it (the whole reply is judged at its end).
        """
        started = time.perf_counter()
        question = self.check_question(question)
        intent = self._read(question, history, year, period)
        if self._out_of_scope(intent) or intent.years:
            answer = self._answer(question, intent, districts)
            yield answer.answer
        else:
            hits, retrieve_ms = self._hits(intent, districts)
            answered = time.perf_counter()
            for piece in self.answerer.stream(question, intent, hits, named=bool(intent.districts)):
                if isinstance(piece, Answer):
                    answer = piece
                else:
                    yield piece
            self._complete(answer, intent, hits, retrieve_ms, answered)
        answer.latency_ms = (time.perf_counter() - started) * 1000
        yield answer

    def _answer(self, question: str, intent: Intent, only: Sequence[str]) -> Answer:
        refusal = self._out_of_scope(intent)
        if refusal:
            return Answer(question, refusal, True, standalone_question=intent.question)
        if intent.years:  # several years asked: one answer per year, joined
            asked = self._per_year(intent)
            retrieved = [self._hits(one, only) for one in asked]
            answered = time.perf_counter()
            answer = merge_answers(question, [self.answerer.answer(question, one, hits, named=bool(one.districts))
                                              for one, (hits, _) in zip(asked, retrieved, strict=True)])
            return self._complete(answer, intent, retrieved[0][0], sum(ms for _, ms in retrieved), answered)
        hits, retrieve_ms = self._hits(intent, only)
        answered = time.perf_counter()
        answer = self.answerer.answer(question, intent, hits, named=bool(intent.districts))
        return self._complete(answer, intent, hits, retrieve_ms, answered)

    @staticmethod
    def _per_year(intent: Intent) -> list[Intent]:
        """A question over several years asked as one question per year."""
        return [dataclasses.replace(intent, year=year, period=period, years=()) for year, period in intent.years]

    def passages(self, question: str, history: Sequence[dict | str] = ()) -> list[tuple[Intent, dict[str, list]]]:
        """What the answerer is given for the question: each (intent, passages per place) it
        answers, one per year asked; none when the question is refused before (used to fit the
        answerer's calibration on exactly the choices it makes)."""
        intent = self.reader.read(self.standalone_question(self.check_question(question), history))
        if self._out_of_scope(intent):
            return []
        return [(one, self._hits(one, ())[0]) for one in (self._per_year(intent) if intent.years else [intent])]

    def _hits(self, intent: Intent, only: Sequence[str]) -> tuple[dict[str, list], float]:
        """Retrieved passages per district the question means (within `only`), and the time taken."""
        started = time.perf_counter()
        if intent.districts:
            wanted = [d for d in intent.districts if not only or d in only]
        else:
            # No district named: the districts whose passages rank near the top, not every one indexed.
            found = _naming(intent, self.retriever.search(intent.search_text, list(only), intent.period, k=SCOUT_K,
                                                          year=intent.year, report_year=intent.report_year))
            wanted = list(dict.fromkeys(h.chunk.district for h in found))[:MAX_DISTRICTS]
        hits = {d: _naming(intent, self.retriever.search(intent.search_text, [d], intent.period,
                                                         year=intent.year_of(d), report_year=intent.report_year))
                for d in wanted}
        return hits, (time.perf_counter() - started) * 1000

    def _complete(self, answer: Answer, intent: Intent, hits: dict[str, list], retrieve_ms: float,
                  answered: float) -> Answer:
        """Nearest passages for an abstention, the year assumed for 今年 and such, the table of an
        answer over several places (and its comparison sentence), and the timings."""
        asked = answer.standalone_question or answer.question
        word, year = self.reader.relative_year(asked)
        each = self.reader.relative_place_years(asked)
        if word and each and not answer.abstained:
            years = listing(lexicon.phrase("place_year", place=place, year=y) for place, y in each)
            answer.notes.insert(0, message("answer.assumed_years", word=word, years=years))
        elif word and year and not answer.abstained:
            answer.notes.insert(0, message("answer.assumed_year", word=word, year=year))
        if intent.unknown_district and intent.districts and intent.unknown_district not in intent.leading:
            # "深圳和广州…": say what is missing, not only what is there (not of 郑州 in "河南…郑州…")
            answer.notes.insert(0, message("answer.unknown_district", not_found=NOT_FOUND,
                                           district=intent.unknown_district, covered=listing(self._districts())))
        if answer.abstained and not answer.citations:
            self._explain_abstention(answer, intent, hits)
        add_comparison(answer, self.reader.topic_of(answer.standalone_question or answer.question))
        answer.timings.update(retrieve_ms=retrieve_ms, answer_ms=(time.perf_counter() - answered) * 1000)
        return answer

    def _explain_abstention(self, answer: Answer, intent: Intent, hits: dict[str, list]) -> None:
        """Say why nothing was found: when the topic is answered for another year or period than
        the one asked, name those (never their figures) and show those passages; otherwise show
        the nearest passages only if they are about the topic (an LLM may abstain where the
        offline answerer would not: its passages are then the nearest)."""
        if intent.year or intent.period:
            wider = dataclasses.replace(intent, year=None, period=None)
            found = {d: _naming(intent, self.retriever.search(wider.search_text, [d], None,
                                                              report_year=intent.report_year)) for d in hits}
            other = self.offline.answer(answer.question, wider, found, named=bool(intent.districts))
            if not other.abstained:  # an answer always cites
                if all(intent.year and c.year != intent.year or intent.period and c.period != intent.period
                       for c in other.citations):
                    given = listing(dict.fromkeys(_period_phrase(c.year, c.period) for c in other.citations))
                    answer.answer = lexicon.phrase("answer.other_periods", not_found=NOT_FOUND, topic=intent.topic,
                                                   asked=_period_phrase(intent.year, intent.period), given=given)
                answer.nearest = [dataclasses.replace(c, n=i + 1) for i, c in enumerate(other.citations)]
                return
        terms = topic_terms(intent)
        nearest = [h[0] for h in hits.values() if h and about(h[0].chunk.text, terms)]
        answer.nearest = [to_citation(i + 1, h.chunk, h.score) for i, h in enumerate(nearest)]
        topic = intent.topic or intent.question
        if answer.nearest and answer.answer == lexicon.phrase("answer.topic_not_found", not_found=NOT_FOUND,
                                                              topic=topic):
            answer.answer = lexicon.phrase("answer.topic_unsure", not_found=NOT_FOUND, topic=topic)

    def _districts(self) -> list[str]:
        return list(dict.fromkeys(r["district"] for r in self.index.info.reports))

    def _out_of_scope(self, intent: Intent) -> str | None:
        """A sentence when no indexed report can answer: a foreign district or an uncovered year."""
        if not CJK_CHAR.search(intent.question):
            return message("answer.not_chinese", example=self.examples.questions[0])
        if intent.wider_place and not intent.districts:
            return message("answer.wider_place", not_found=NOT_FOUND, place=intent.wider_place,
                           covered=listing(self.reader.covered_under(intent.wider_place) or self._districts()))
        if intent.unknown_district and not intent.districts:
            return message("answer.unknown_district", not_found=NOT_FOUND, district=intent.unknown_district,
                           covered=listing(self._districts()))
        asked = (intent.year, intent.report_year, *(y for _, y in intent.place_years), *(y for y, _ in intent.years))
        for year in asked:
            if year and year not in self.reader.askable_years:
                covered = listing(message("answer.year", year=y) for y in self.reader.years)
                return message("answer.uncovered_year", not_found=NOT_FOUND, year=year, covered=covered)
        return None


