"""HTML for the web chat: conversation bubbles and source cards, every piece of text escaped.

Nothing a user types or a report contains is ever inserted as markup: all text goes through
`html.escape`, and the only tags on the page are the ones built here. The page's script
(`web_theme.PAGE_JS`) reads the `data-*` attributes to open a source when a marker is clicked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from assistant.answer.compare import table_cells, table_headings
from assistant.answer.examples import Examples
from assistant.answer.question import NOT_FOUND
from assistant.lang.zh.messages import message
from assistant.lang.zh.text import SENTENCE_BREAK
from assistant.types import Answer, Citation

_MARKER = re.compile(r"\[(\d+)\]")
CONTEXT_SENTENCES = 2  # sentences shown on each side of a passage
CONTEXT_CHARS = 220  # at most this much text on each side
SHOWN_QUESTION_CHARS = 300  # a huge question is shown cut to this length


@dataclass
class Turn:
    """One exchange: the question and either its Answer or the sentence that explains an error."""

    question: str
    answer: Answer | None = None
    error: str = ""
# Below this calibrated confidence a stated answer is shown as doubtful: the user checks the quote.
DOUBTFUL = 0.75


def history_of(turns: Sequence[Turn]) -> list[dict]:
    """The chat history the Assistant reads for follow-ups: answered turns only."""
    history: list[dict] = []
    for turn in turns:
        if turn.answer is not None:
            history += [{"role": "user", "content": turn.question},
                        {"role": "assistant", "content": turn.answer.answer}]
    return history


def _text(value: str) -> str:
    return escape(value, quote=True)


def _with_figures(text: str, figures: Sequence[str]) -> str:
    """`text` escaped, with each occurrence of a cited figure in bold."""
    wanted = sorted({f for f in figures if f}, key=len, reverse=True)
    if not wanted:
        return _text(text)
    parts = re.split("(" + "|".join(re.escape(f) for f in wanted) + ")", text)
    return "".join(f'<strong class="fig">{_text(p)}</strong>' if i % 2 else _text(p)
                   for i, p in enumerate(parts))


def marked_passage(citation: Citation, figures: Sequence[str]) -> str:
    """The cited passage escaped, its quote in <mark> and the figures in the quote in bold."""
    text = citation.text
    begin, end = citation.quote_start - citation.start, citation.quote_end - citation.start
    if not citation.quote or not 0 <= begin < end <= len(text):
        return _text(text)
    return (_text(text[:begin]) + '<mark class="quote">' + _with_figures(text[begin:end], figures)
            + "</mark>" + _text(text[end:]))


def surrounding(report_text: str, start: int, end: int) -> tuple[str, str]:
    """A few whole sentences before `start` and after `end` in the report (the passage's context)."""
    before_from = max(0, start - CONTEXT_CHARS)
    window = report_text[before_from:start]
    ends = [m.end() for m in SENTENCE_BREAK.finditer(window) if m.end() < len(window)]
    if len(ends) >= CONTEXT_SENTENCES:
        before_from += ends[-CONTEXT_SENTENCES]
    elif ends and before_from > 0:
        before_from += ends[0]
    after_to = min(len(report_text), end + CONTEXT_CHARS)
    ends = [m.start() + 1 for m in SENTENCE_BREAK.finditer(report_text, end, after_to) if m.start() > end]
    if len(ends) >= CONTEXT_SENTENCES:
        after_to = ends[CONTEXT_SENTENCES - 1]
    return report_text[before_from:start].lstrip(), report_text[end:after_to].rstrip()


def _figures_for(answer: Answer, n: int) -> list[str]:
    figures = [f for f in answer.figures if f.citation == n]
    return [f.value + f.unit for f in figures] + [f.value for f in figures]


def _period(citation: Citation) -> str:
    if not citation.year:
        return ""
    named = citation.period in ("actual", "target")
    return message(f"web.chat.period_{citation.period}" if named else "web.chat.period_year",
                   year=citation.year)


def source_card(turn_no: int, citation: Citation, answer: Answer, report_text: str | None) -> str:
    """One source card: title, district, section path, the passage; opened, the passage in context."""
    passage = marked_passage(citation, _figures_for(answer, citation.n))
    section = " › ".join(_text(part.strip()) for part in citation.section.split(">"))
    tags = "".join(f'<span class="tag">{_text(t)}</span>' for t in (citation.district, _period(citation)) if t)
    if report_text is None:
        context = f'<div class="ctx ctx-missing">{_text(message("web.chat.report_missing"))}</div>'
    elif report_text[citation.start:citation.end] != citation.text:
        context = f'<div class="ctx ctx-missing">{_text(message("web.chat.report_changed"))}</div>'
    else:
        before, after = surrounding(report_text, citation.start, citation.end)
        context = (f'<div class="ctx">{_text(before)}<span class="ctx-passage">{passage}</span>'
                   f'{_text(after)}</div>')
    return (f'<div class="src-card" id="src-{turn_no}-{citation.n}" data-turn="{turn_no}" '
            f'data-cite="{citation.n}"><div class="src-head"><span class="src-n">[{citation.n}]</span>'
            f'{tags}</div><div class="src-title">{_text(citation.title)}</div>'
            f'<div class="src-section">{section}</div><div class="src-text">{passage}</div>'
            '<details class="src-context"><summary>'
            f'<span class="when-closed">{_text(message("web.chat.show_context"))}</span>'
            f'<span class="when-open">{_text(message("web.chat.hide_context"))}</span>'
            f"</summary>{context}</details></div>")


def sources_panel(turns: Sequence[Turn], reports: Mapping[str, str]) -> str:
    """Every answered turn's sources, grouped by turn; only the latest group shows at first."""
    groups = []
    numbered = [(i, t, t.answer) for i, t in enumerate(turns, 1) if t.answer is not None]
    for position, (turn_no, turn, answer) in enumerate(numbered):
        cited = answer.citations or answer.nearest
        if answer.citations:
            heading = message("web.chat.sources_heading", count=len(cited))
        elif cited:
            heading = message("web.chat.nearest_heading")
        else:
            heading = message("web.chat.no_sources")
        cards = "".join(source_card(turn_no, c, answer, reports.get(c.doc_id)) for c in cited)
        active = " active" if position == len(numbered) - 1 else ""
        asked = _shorten(turn.question, 60)
        groups.append(f'<section class="src-group{active}" data-turn="{turn_no}">'
                      f'<div class="src-question">{_text(message("web.chat.asked", question=asked))}</div>'
                      f'<h3 class="src-heading">{_text(heading)}</h3>{cards}</section>')
    if not groups:
        empty = _text(message("web.chat.sources_empty"))
        return f'<div class="sources"><div class="src-empty">{empty}</div></div>'
    return '<div class="sources">' + "".join(groups) + "</div>"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _answer_html(turn_no: int, answer: Answer) -> str:
    """The answer text escaped, each [n] turned into a button that opens source n."""
    known = {c.n for c in answer.citations}

    def marker(match: re.Match) -> str:
        n = int(match.group(1))
        if n not in known:
            return match.group(0)
        return _cite_button(turn_no, n)

    return _MARKER.sub(marker, _text(answer.answer))


def _cite_button(turn_no: int, n: int) -> str:
    return f'<button class="cite" type="button" data-turn="{turn_no}" data-cite="{n}">[{n}]</button>'


def comparison_table(turn_no: int, answer: Answer) -> str:
    """The answer's figures by place as an HTML table (place | figure | 目标/实际 | year | source),
    in a box that scrolls sideways on a narrow screen; "" under two rows."""
    if len(answer.table) < 2:
        return ""
    head = "".join(f'<th scope="col">{_text(h)}</th>' for h in table_headings())
    body = []
    for row in answer.table:
        place, figure, period, year, n = table_cells(row)
        body.append(f'<tr><th scope="row">{_text(place)}</th><td class="fig">{_text(figure)}</td>'
                    f"<td>{_text(period)}</td><td>{_text(year)}</td><td>{_cite_button(turn_no, n)}</td></tr>")
    return (f'<div class="cmp-wrap"><table class="cmp-table"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def copy_text(answer: Answer) -> str:
    """What the copy button puts on the clipboard: the answer, then one line per source."""
    lines = [answer.answer]
    if len(answer.table) >= 2:  # tab-separated, so it pastes into a spreadsheet as a table
        lines.append("")
        lines.append("\t".join(table_headings()))
        lines += ["\t".join(str(cell) if i < 4 else f"[{cell}]" for i, cell in enumerate(table_cells(row)))
                  for row in answer.table]
    if answer.citations:
        lines.append("")
        lines += [f"[{c.n}] {c.title} · {c.section}\n    “{c.quote or c.text}”" for c in answer.citations]
    return "\n".join(lines)


def _footer(answer: Answer, question: str) -> str:
    """The discreet line under an answer: what was searched for, time taken, notes, and copy."""
    parts = []
    if answer.standalone_question and answer.standalone_question != question:
        searched = message("web.chat.searched", question=answer.standalone_question)
        parts.append(f'<span class="searched">{_text(searched)}</span>')
    if answer.latency_ms:
        parts.append(f"<span>{_text(message('web.chat.latency', seconds=answer.latency_ms / 1000))}</span>")
    parts += [f'<span class="note">{_text(note)}</span>' for note in answer.notes]
    copy = (f'<button class="copy-answer" type="button" data-copy="{_text(copy_text(answer))}" '
            f'data-copied="{_text(message("web.chat.copied"))}">{_text(message("web.chat.copy"))}</button>')
    return f'<div class="foot"><div class="meta">{" · ".join(parts)}</div>{copy}</div>'


def _bot_bubble(turn_no: int, turn: Turn) -> str:
    answer = turn.answer
    assert answer is not None
    body = f'<div class="body">{_answer_html(turn_no, answer)}</div>{comparison_table(turn_no, answer)}'
    if answer.abstained and answer.answer.startswith(NOT_FOUND):
        body = body.replace(NOT_FOUND, f'<strong class="not-found">{NOT_FOUND}</strong>', 1)
    if not answer.abstained:
        doubt = ""
        if answer.confidence is not None and answer.confidence < DOUBTFUL:
            said = message("web.chat.doubtful", percent=round(answer.confidence * 100))
            doubt = f'<div class="doubtful">{_text(said)}</div>'
        return f'<div class="msg bot{" doubt" if doubt else ""}" data-turn="{turn_no}">{doubt}{body}' \
               f'{_footer(answer, turn.question)}</div>'
    badge = "" if answer.answer.startswith(NOT_FOUND) else \
        f'<div class="abstain-title">{_text(message("web.chat.not_found_badge", not_found=NOT_FOUND))}</div>'
    hint = f'<div class="hint">{_text(message("web.chat.nearest_hint"))}</div>' if answer.nearest else ""
    return (f'<div class="msg bot abstain" data-turn="{turn_no}">{badge}{body}{hint}'
            f'{_footer(answer, turn.question)}</div>')


def _user_bubble(question: str) -> str:
    return f'<div class="msg user"><div class="body">{_text(_shorten(question, SHOWN_QUESTION_CHARS))}</div></div>'


def conversation(turns: Sequence[Turn], pending: Turn | None = None, partial: str = "",
                 welcome: str = "") -> str:
    """The whole chat as HTML; `pending` is the turn being answered and `partial` its text so far."""
    bubbles = []
    for turn_no, turn in enumerate(turns, 1):
        if turn.question.strip():
            bubbles.append(_user_bubble(turn.question))
        if turn.answer is not None:
            bubbles.append(_bot_bubble(turn_no, turn))
        else:
            bubbles.append(f'<div class="msg bot error" role="alert"><div class="body">{_text(turn.error)}'
                           "</div></div>")
    if pending is not None:
        bubbles.append(_user_bubble(pending.question))
        thinking = f'<span class="thinking">{_text(message("web.chat.thinking"))}</span>'
        text = _text(partial) if partial else thinking
        bubbles.append(f'<div class="msg bot streaming"><div class="body">{text}</div></div>')
    if not bubbles:
        bubbles.append(f'<div class="welcome">{welcome}</div>')
    return '<div class="chat" role="log" aria-live="polite">' + "".join(bubbles) + "</div>"


def welcome_text(reports: Sequence[dict], examples: Examples) -> str:
    """The placeholder shown before the first question: what the reports are and how to ask, with
    an example (and a follow-up to it) about these reports."""
    items = "".join(f"<li><span class=\"tag\">{_text(r['district'])}</span>{_text(r['title'])}</li>"
                    for r in reports)
    example = examples.questions[0]
    how = message("web.chat.welcome", example=example, follow_up=examples.follow_up) if examples.follow_up \
        else message("web.chat.welcome_plain", example=example)
    return (f'<div class="welcome-title">{_text(message("web.chat.welcome_title"))}</div><p>{_text(how)}</p>'
            f'<p class="welcome-sub">{_text(message("web.chat.welcome_reports"))}</p><ul>{items}</ul>')
