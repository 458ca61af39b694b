"""Answers over several places as a table, and "which is more" said in one sentence from it.

The table is built from a finished Answer, whichever answerer wrote it: each cited passage's place,
year and period, and the one figure of that passage that answers the question (its qualifier and
unit copied from the passage). A question that asks which is larger ("哪个更多", "对比") gets one
more sentence ordering the places by those figures, marked with the passages that state them; when
the figures cannot be ordered safely (other units, a range, an approximate figure), the sentence
says so instead of guessing. Either sentence must pass the grounding check, or none is added.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from decimal import Decimal

from assistant.answer.grounding import ungrounded_figures
from assistant.lang.zh import lexicon
from assistant.lang.zh.messages import listing, message
from assistant.lang.zh.numbers import NumericValue, extract_figures, parse_quantity, same_quantity
from assistant.types import Answer, Citation, Figure

log = logging.getLogger(__name__)
MAX_TOPIC_CHARS = 16  # a longer leftover of the question is no name for the quantity compared
_WORDS = lexicon.figure_words()


def add_comparison(answer: Answer, topic: str = "") -> Answer:
    """Fill `answer.table` (two places or more) and, for a "which is more" question, append the
    sentence that compares the table's figures. `topic` is the question without places and years
    (QuestionReader.topic_of), from which the compared quantity is named."""
    answer.table = [] if answer.abstained else comparison_table(answer)
    question = answer.standalone_question or answer.question
    if len(answer.table) < 2 or not asks_comparison(question):
        return answer
    sentence = comparison_sentence(answer.table, quantity_name(topic))
    text = answer.answer + sentence
    if ungrounded_figures(text, answer.citations):  # a figure in the quantity's name, say
        sentence = comparison_sentence(answer.table, "")
        text = answer.answer + sentence
    if ungrounded_figures(text, answer.citations):
        log.error("comparison sentence states figures its passages lack: %s", sentence)
        return answer
    answer.answer = text
    return answer


def asks_comparison(question: str) -> bool:
    """True when the question asks which place's figure is larger ("哪个更多", "谁更高", "对比",
    "哪个区的托位多")."""
    if any(cue in question for cue in lexicon.comparison_cues()):
        return True
    ending = lexicon.filler().sub("", question.strip())
    return any(word in question for word in lexicon.comparison_which_words()) \
        and ending.endswith(tuple(lexicon.comparison_topic_endings())) \
        and not lexicon.asking_count().search(ending[-3:])


def quantity_name(topic: str) -> str:
    """The quantity a comparison question compares, from its topic ("和哪个区新增停车位更多" ->
    "新增停车位"); "" when what is left is no short name."""
    name = lexicon.comparison_topic_words().sub("", topic)
    name = name.strip(lexicon.comparison_topic_openings() + lexicon.topic_trim())
    name = name.rstrip(lexicon.comparison_topic_endings() + lexicon.topic_trim())
    return name if 0 < len(name) <= MAX_TOPIC_CHARS else ""


def comparison_table(answer: Answer) -> list[dict]:
    """One row per place with a cited figure, in the answer's order; [] under two places.

    A row is {"place", "figure", "value", "unit", "qualifier", "period", "year", "citation"}:
    `figure` as the passage writes it (qualifier included), `value` and `unit` as written,
    `period` "actual" or "target" (or ""), `citation` the marker [n] of the passage."""
    question = answer.standalone_question or answer.question
    rows: list[dict] = []
    for citation in answer.citations:
        if not citation.district or any(row["place"] == citation.district for row in rows):
            continue
        figure = answering_figure([f for f in answer.figures if f.citation == citation.n], citation, question)
        if figure is None:
            continue
        rows.append({"place": citation.district, "figure": _as_written(figure, citation),
                     "value": figure.value, "unit": figure.unit, "qualifier": figure.qualifier,
                     "period": citation.period, "year": citation.year or None, "citation": citation.n})
    return rows if len(rows) >= 2 else []


def answering_figure(figures: Sequence[Figure], citation: Citation, question: str) -> Figure | None:
    """Of the figures a passage backs, the one the question asks for: one of the kind asked (a rate
    for 增速, not the level before it), then the one whose unit is the measure asked ("多少个" asks
    个), then the one whose words before it share most with the question ("新增托位不少于300个"
    over "婴幼儿成长驿站4家" for 托位), then the first."""
    if len(figures) <= 1:
        return figures[0] if figures else None
    measure = lexicon.asking_count().search(question)
    asked_unit = measure.group(0)[len(measure.group(1)):] if measure else ""  # "多少个" -> "个"
    text = citation.quote or citation.text
    stated = extract_figures(text)
    pairs = set(zip(question, question[1:], strict=False))

    kind = lexicon.asked_kind(question)

    def key(item: tuple[int, Figure]) -> tuple[int, int, float, int]:
        index, figure = item
        found = _find(figure, stated) or _quantity(figure)
        unit = found.unit if found is not None else figure.unit
        asked = int(bool(asked_unit) and unit == asked_unit)
        if found is None or found not in stated:
            return (lexicon.kinds_agree(kind, lexicon.figure_kind(unit)), asked, 0.0, -index)
        agrees = lexicon.kinds_agree(kind, lexicon.figure_kind(unit), text[:found.start])
        at = stated.index(found)
        label = text[stated[at - 1].end if at else 0:found.start]  # the words since the figure before
        label = next((label[:-len(q)] for q in _WORDS.qualifiers_before if label.endswith(q)), label)
        # Words the question shares with the label, the nearer the figure the more they count:
        # the thing counted is named right before its figure ("普惠托位240个").
        shared = sum(1 / (1 + (len(label) - i - 2) / 2) for i, pair in enumerate(zip(label, label[1:], strict=False))
                     if pair in pairs)
        return (agrees, asked, shared, -index)

    return max(enumerate(figures), key=key)[1]


def _quantity(figure: Figure) -> NumericValue | None:
    try:
        return parse_quantity(figure.value, figure.unit)
    except ValueError:
        return None


def _find(figure: Figure, stated: Sequence[NumericValue]) -> NumericValue | None:
    """The figure as the passage states it (same number and unit as written)."""
    quantity = _quantity(figure)
    written = figure.value + figure.unit
    same = [s for s in stated if quantity is not None and same_quantity(s, quantity)]
    return next((s for s in same if s.text.replace(" ", "") == written), same[0] if same else None)


def _as_written(figure: Figure, citation: Citation) -> str:
    """The figure with the qualifier words around it, copied from the passage ("不少于3700个",
    "5.5%以上"); number and unit alone when the passage cannot be read back."""
    text = citation.quote or citation.text
    found = _find(figure, extract_figures(text))
    if found is None:
        return figure.value + figure.unit
    before = next((q for q in _WORDS.qualifiers_before if text.endswith(q, 0, found.start)), "")
    after = next((q for q in _WORDS.qualifiers_after if text.startswith(q, found.end)), "")
    return text[found.start - len(before):found.end + len(after)]


def comparison_sentence(rows: Sequence[dict], topic: str) -> str:
    """One sentence ordering the rows' figures, largest first, with the rows' markers; or one that
    says why they cannot be ordered. Every figure in it is a row's figure, copied."""
    subject = message("table.subject", topic=topic) if topic else ""
    quantities = [_row_quantity(row) for row in rows]
    reason = _unsafe(rows, quantities)
    if reason:
        return message("table.not_comparable", subject=subject, places=listing(r["place"] for r in rows),
                       reason=reason)
    ordered = sorted(zip(rows, quantities, strict=True), key=lambda pair: _value(pair[1]), reverse=True)
    relative = any(q is not None and q.unit in _WORDS.relative_units for q in quantities)
    markers = "".join(f"[{row['citation']}]" for row, _ in ordered)
    if len(rows) == 2:
        (first, a), (second, b) = ordered
        if _value(a) == _value(b):
            return message("table.same", subject=subject, first=first["place"], first_figure=first["figure"],
                           second=second["place"], second_figure=second["figure"], markers=markers)
        return message("table.pair", subject=subject, larger=first["place"], larger_figure=first["figure"],
                       than=message("table.higher" if relative else "table.more"), smaller=second["place"],
                       smaller_figure=second["figure"], markers=markers)
    ranked = listing(message("table.ranked", place=row["place"], figure=row["figure"]) for row, _ in ordered)
    return message("table.ranking", subject=subject, order=message("table.highest" if relative else "table.most"),
                   ranked=ranked, markers=markers)


def _row_quantity(row: dict) -> NumericValue | None:
    try:
        return parse_quantity(row["value"], row["unit"])
    except ValueError:
        return None


def _unsafe(rows: Sequence[dict], quantities: Sequence[NumericValue | None]) -> str:
    """Why the rows' figures cannot be ordered in one sentence ("" when they can): other units
    (after scale: 3.8万人 and 5000人 compare), a range, an approximate figure, or a tie in number
    that the qualifiers would decide."""
    if any(q is None for q in quantities):
        return message("table.reason_unclear")
    units = list(dict.fromkeys(q.unit for q in quantities if q is not None))
    if len(units) > 1:
        return message("table.reason_units", units=listing(dict.fromkeys(r["unit"] for r in rows)))
    if any(q is not None and q.upper is not None for q in quantities):
        return message("table.reason_range")
    approximate = lexicon.approximate_qualifiers()
    if any(part in approximate for row in rows for part in (row["qualifier"] or "").split("…")):
        return message("table.reason_approximate")
    values = [q.value for q in quantities if q is not None]
    if len(set(values)) < len(values) and len({row["qualifier"] for row in rows}) > 1:
        return message("table.reason_unclear")
    return ""


def _value(quantity: NumericValue | None) -> Decimal:
    return quantity.value if quantity is not None else Decimal(0)


def table_headings() -> tuple[str, ...]:
    """The table's column headings, as the CLI and the web chat show them."""
    return tuple(message(f"table.{key}") for key in ("place", "figure", "period", "year", "source"))


def table_cells(row: dict) -> tuple[str, str, str, str, int]:
    """A row as shown: place, figure as written, 目标/实际, year, and the marker number of its source."""
    period = message(f"table.{row['period']}") if row["period"] in ("actual", "target") else ""
    year = message("table.year_value", year=row["year"]) if row["year"] else ""
    return row["place"], row["figure"], period, year, row["citation"]
