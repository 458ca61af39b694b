"""The Answer object every front end receives (CLI, web UI, eval), and its JSON form."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from assistant.lang.zh.numbers import NumericValue, written_parts


@dataclass(frozen=True)
class Citation:
    """A cited passage: `text` is exactly `report.text[start:end]`; `quote` is the part that answers."""

    n: int
    doc_id: str
    title: str
    district: str
    section: str
    text: str
    start: int
    end: int
    score: float
    year: int = 0
    period: str = ""
    quote: str = ""
    quote_start: int = 0  # offsets of `quote` in the report, like start/end
    quote_end: int = 0


@dataclass(frozen=True)
class Figure:
    """A figure stated in the answer, as written in the cited passage."""

    value: str  # the number as written ("3700", "3.8", "三千七百")
    unit: str  # the unit as written, scale included ("个", "万人", "%")
    qualifier: str | None  # 不少于, 确保, 力争…以上, …
    citation: int  # the marker [n] that backs it

    @classmethod
    def written(cls, figure: NumericValue, citation: int) -> Figure:
        """A parsed figure split back into number and unit as the text writes them ("3.8", "万人")."""
        value, unit = written_parts(figure.text)
        return cls(value, unit, figure.qualifier, citation)


@dataclass
class Answer:
    """One answer: the text with [n] markers, whether it abstained, and what backs each figure."""

    question: str
    answer: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    # One row per place when the answer states two places' figures or more (compare.comparison_table):
    # {"place", "figure", "value", "unit", "qualifier", "period", "year", "citation"}.
    table: list[dict] = field(default_factory=list)
    standalone_question: str = ""
    districts: list[str] = field(default_factory=list)
    nearest: list[Citation] = field(default_factory=list)  # shown when abstaining
    notes: list[str] = field(default_factory=list)  # e.g. why an LLM answer was replaced
    answerer: str = "extractive"
    llm_rejected: bool = False  # an LLM answer failed the grounding guard and was replaced
    confidence: float | None = None  # calibrated chance the stated figures answer the question
    latency_ms: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    id: str | None = None

    def to_dict(self) -> dict:
        """The public JSON contract of `assistant ask --json` (fields are only ever added)."""
        data = asdict(self)
        data["latency_ms"] = round(self.latency_ms, 1)
        data["timings"] = {k: round(v, 1) for k, v in self.timings.items()}
        return data


def to_citation(n: int, chunk, score: float, quote_text: str = "", quote_start: int = 0,
                quote_end: int = 0) -> Citation:
    """Citation [n] for a chunk (a `split.Chunk`), optionally marking the quoted span inside it."""
    return Citation(n=n, doc_id=chunk.doc_id, title=chunk.title, district=chunk.district,
                    section=chunk.section, text=chunk.text, start=chunk.start, end=chunk.end,
                    score=round(float(score), 4), year=chunk.year, period=chunk.period,
                    quote=quote_text, quote_start=quote_start, quote_end=quote_end)
