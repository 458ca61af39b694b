"""Structure-aware splitting: reports become chunks that keep their heading path and exact offsets."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass

from assistant.ingest.corpus import Report
from assistant.lang.zh.text import (
    AFTER_FULL_STOP,
    FULL_STOP,
    HEADING_ITEM,
    HEADING_LEVEL1,
    HEADING_LEVEL2,
    LONG_SENTENCE_CUTS,
    fold_punctuation,
)

_MARKDOWN = re.compile(r"^(#{1,6})\s+(\S.*)$")  # headings recovered from .md, .docx, .html and .pdf
_TOPIC_MAX = 16  # a paragraph's lead like "人才质量再攀高峰。" names its topic


@dataclass(frozen=True)
class Chunk:
    """A passage of a report: `text == report.text[start:end]` always holds."""

    id: str
    doc_id: str
    title: str
    district: str
    year: int
    period: str  # "actual" (results of `year`) or "target" (plans for `year`)
    section: str  # heading path, " > " between levels
    start: int
    end: int
    text: str

    @property
    def embed_text(self) -> str:
        """What is embedded and keyword-indexed: the heading context makes short passages findable."""
        return f"{self.title} > {self.section}\n{self.text}"

    def metadata(self) -> dict:
        """Flat metadata for the store (every value a str or int)."""
        return {k: v for k, v in asdict(self).items() if k not in ("id", "text")}


@dataclass
class _Paragraph:
    start: int
    end: int
    path: tuple[str, ...]
    topic: str


def _paragraphs(text: str) -> Iterator[_Paragraph]:
    """Non-empty lines with their offsets and the heading path in force; heading lines are skipped.
    Numbered headings (一、 （一） 1.) nest under the Markdown headings in force ("# 2023年工作回顾"
    over "（四）…"), so a passage keeps the part that gives its year and period."""
    marked: list[str] = []  # "#" headings
    numbered: list[str] = []  # numbered headings under them
    offset = 0
    for line in text.splitlines(keepends=True):
        start, stripped = offset + len(line) - len(line.lstrip()), line.strip()
        offset += len(line)
        if not stripped:
            continue
        heading = _MARKDOWN.match(stripped)
        if heading:
            marked, numbered = marked[:len(heading.group(1)) - 1] + [heading.group(2).strip()], []
            continue
        if HEADING_LEVEL1.match(stripped) and FULL_STOP not in stripped:
            numbered = [stripped]
            continue
        if HEADING_LEVEL2.match(stripped) and FULL_STOP not in stripped:
            numbered = [p for p in numbered if HEADING_LEVEL1.match(p)] + [stripped]
            continue
        lead = stripped.split(FULL_STOP, 1)[0]
        if HEADING_ITEM.match(stripped):
            numbered = [p for p in numbered if not HEADING_ITEM.match(p)] + [lead]
        topic = lead if len(lead) <= _TOPIC_MAX and lead != stripped and not HEADING_ITEM.match(lead) else ""
        yield _Paragraph(start, start + len(stripped), tuple(marked + numbered), topic)


def _units(text: str, start: int, end: int, limit: int) -> Iterator[tuple[int, int]]:
    """Sentence spans inside [start, end); a sentence longer than `limit` is cut after its
    semicolons (; or ；), and a piece still too long after its commas (, ， 、), never inside a
    number. Cuts are found in the folded text (lang/zh/text.py), whose offsets are the original's."""
    pos = start
    for sentence in AFTER_FULL_STOP.split(text[start:end]):
        if not sentence:
            continue
        yield from _cut(fold_punctuation(sentence), pos, limit, LONG_SENTENCE_CUTS)
        pos += len(sentence)


def _cut(folded: str, pos: int, limit: int, cuts: tuple[re.Pattern[str], ...]) -> Iterator[tuple[int, int]]:
    """Spans of `folded` (starting at offset `pos`), cut by the first of `cuts` while over `limit`."""
    if len(folded) <= limit or not cuts:
        yield pos, pos + len(folded)
        return
    for piece in cuts[0].split(folded):
        if piece:
            yield from _cut(piece, pos, limit, cuts[1:])
            pos += len(piece)


def _blocks(report: Report) -> Iterator[tuple[_Paragraph, list[_Paragraph]]]:
    """Runs of paragraphs that share a heading path and have no topic lead of their own."""
    run: list[_Paragraph] = []
    for para in _paragraphs(report.text):
        if run and (para.path != run[0].path or para.topic or run[0].topic):
            yield run[0], run
            run = []
        run.append(para)
    if run:
        yield run[0], run


def split_report(report: Report, chunk_chars: int = 400) -> list[Chunk]:
    """Chunks of at most ~`chunk_chars` characters, cut only at sentence ends, never across headings."""
    chunks: list[Chunk] = []
    for first, run in _blocks(report):
        units = [u for p in run for u in _units(report.text, p.start, p.end, chunk_chars)]
        path = list(first.path) + ([first.topic] if first.topic else [])
        year, period = report.period_of(first.path[0] if first.path else "")
        for start, end in _pack(units, chunk_chars):
            chunks.append(_make_chunk(report, " > ".join(path), year, period, start, end))
    return chunks


def _pack(units: list[tuple[int, int]], limit: int) -> Iterator[tuple[int, int]]:
    """Greedily join consecutive units while the joined span stays within `limit` characters."""
    current: tuple[int, int] | None = None
    for start, end in units:
        if current and end - current[0] <= limit:
            current = (current[0], end)
            continue
        if current:
            yield current
        current = (start, end)
    if current:
        yield current


def _make_chunk(report: Report, section: str, year: int | None, period: str,
                start: int, end: int) -> Chunk:
    text = report.text[start:end]
    # The id hashes exactly what is embedded, so an unchanged passage keeps its vector on rebuild.
    key = f"{report.id}\0{start}\0{report.short_title}\0{section}\0{text}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    return Chunk(digest, report.id, report.short_title, report.district, year or 0, period,
                 section, start, end, text)
