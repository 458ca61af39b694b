"""HTML for the web chat: conversation bubbles and source cards, every piece of text escaped.

Nothing a user types or a report contains is ever inserted as markup: all text goes through
`html.escape`, and the only tags on the page are the ones built here. The page's script
(`web_theme.PAGE_JS`) reads the `data-*` attributes to open a source when a marker is clicked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from html import escape

from assistant.answer.compare import table_cells, table_headings
from assistant.answer.examples import Examples
from assistant.answer.question import NOT_FOUND
from assistant.lang.zh.messages import listing, message
from assistant.lang.zh.text import CITATION_RUN, SENTENCE_BREAK
from assistant.types import Answer, Citation, Figure

CONTEXT_SENTENCES = 2  # sentences shown on each side of a passage
CONTEXT_CHARS = 220  # at most this much text on each side
SHOWN_QUESTION_CHARS = 300  # a huge question is shown cut to this length


@dataclass
class Turn:
    """One exchange: the question and either its Answer or the sentence that explains an error;
    `scope` names the filters the answer was asked under, `feedback` the verdict the user gave."""

    question: str
    answer: Answer | None = None
    error: str = ""
    scope: list[str] = field(default_factory=list)
    feedback: str = ""

    def to_dict(self) -> dict:
        """The JSON form kept in the browser's storage."""
        return {"question": self.question, "answer": self.answer.to_dict() if self.answer else None,
                "error": self.error, "scope": list(self.scope), "feedback": self.feedback}

    @classmethod
    def from_dict(cls, data: dict) -> Turn:
        """A turn back from the browser's storage; fields this version does not know are dropped."""
        answer = data.get("answer")
        return cls(str(data.get("question", "")), answer_from_dict(answer) if isinstance(answer, dict) else None,
                   str(data.get("error", "")), [str(s) for s in data.get("scope") or ()],
                   str(data.get("feedback", "")))


def _known(kind: type, data: dict) -> dict:
    names = {f.name for f in fields(kind)}
    return {k: v for k, v in data.items() if k in names}


def answer_from_dict(data: dict) -> Answer:
    """An Answer from `Answer.to_dict()` (as stored in the browser)."""
    data = _known(Answer, data)
    for name in ("citations", "nearest"):
        data[name] = [Citation(**_known(Citation, c)) for c in data.get(name) or ()]
    data["figures"] = [Figure(**_known(Figure, f)) for f in data.get("figures") or ()]
    return Answer(**data)
# Below this calibrated confidence a stated answer is shown as doubtful: the user checks the quote.
# Answers above it were right 94 % of the time on the test splits; those between the abstention
# threshold and it, markedly less often (README, reliability table).
DOUBTFUL = 0.9


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
    """Every answered turn's sources, grouped by turn; only the latest group shows at first. A turn
    with nothing to show (an abstention without near passages) has no group. On a phone the panel
    is a drawer over the chat, so it starts with a way back to the answer."""
    groups = []
    numbered = [(i, t, t.answer) for i, t in enumerate(turns, 1)
                if t.answer is not None and (t.answer.citations or t.answer.nearest)]
    for position, (turn_no, turn, answer) in enumerate(numbered):
        cited = answer.citations or answer.nearest
        heading = message("web.chat.sources_heading", count=len(cited)) if answer.citations \
            else message("web.chat.nearest_heading")
        cards = "".join(source_card(turn_no, c, answer, reports.get(c.doc_id)) for c in cited)
        active = " active" if position == len(numbered) - 1 else ""
        asked = _shorten(turn.question, 60)
        groups.append(f'<section class="src-group{active}" data-turn="{turn_no}">'
                      f'<div class="src-question">{_text(message("web.chat.asked", question=asked))}</div>'
                      f'<h3 class="src-heading">{_text(heading)}</h3>{cards}</section>')
    back = f'<button class="back-to-answer" type="button">{_text(message("web.chat.back"))}</button>'
    if not groups:
        empty = _text(message("web.chat.sources_empty"))
        return f'<div class="sources">{back}<div class="src-empty">{empty}</div></div>'
    return f'<div class="sources">{back}' + "".join(groups) + "</div>"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _answer_html(turn_no: int, answer: Answer) -> str:
    """The answer text escaped, each [n] turned into a button that opens source n."""
    known = {c.n for c in answer.citations}

    def marker(match: re.Match) -> str:
        before, n, after = match.group(1) or "", int(match.group(2)), match.group(3)
        if n not in known:
            return match.group(0)
        return f'<span class="cite-run">{before}{_cite_button(turn_no, n)}{after}</span>'

    return CITATION_RUN.sub(marker, _text(answer.answer))


def _cite_button(turn_no: int, n: int) -> str:
    return f'<button class="cite" type="button" data-turn="{turn_no}" data-cite="{n}">[{n}]</button>'


def table_rows(answer: Answer) -> list[list[str]]:
    """The comparison table as text cells, headings first (for copying, CSV and Excel)."""
    return [list(table_headings())] + [[str(c) if i < 4 else f"[{c}]" for i, c in enumerate(table_cells(row))]
                                       for row in answer.table]


def comparison_table(turn_no: int, answer: Answer) -> str:
    """The answer's figures by place as an HTML table (place | figure | 目标/实际 | year | source),
    in a box that scrolls sideways on a narrow screen, with copy/CSV/Excel buttons; "" under two rows."""
    if len(answer.table) < 2:
        return ""
    head = "".join(f'<th scope="col">{_text(h)}</th>' for h in table_headings())
    body = []
    for row in answer.table:
        place, figure, period, year, n = table_cells(row)
        body.append(f'<tr><th scope="row">{_text(place)}</th><td class="fig">{_text(figure)}</td>'
                    f"<td>{_text(period)}</td><td>{_text(year)}</td><td>{_cite_button(turn_no, n)}</td></tr>")
    tsv = "\n".join("\t".join(cells) for cells in table_rows(answer))
    name = _text(message("web.chat.table_file", n=turn_no))
    tools = (f'<div class="table-tools" data-tsv="{_text(tsv)}" data-name="{name}">'
             f'<button class="copy-table" type="button" data-copied="{_text(message("web.chat.copied"))}">'
             f'{_text(message("web.chat.copy_table"))}</button>'
             f'<button class="table-csv" type="button">{_text(message("web.chat.csv"))}</button>'
             f'<button class="table-xlsx" type="button">{_text(message("web.chat.xlsx"))}</button></div>')
    return (f'<div class="cmp-wrap"><table class="cmp-table"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>{tools}')


def copy_text(answer: Answer) -> str:
    """What the copy button puts on the clipboard: the answer, then one line per source."""
    lines = [answer.answer]
    if len(answer.table) >= 2:  # tab-separated, so it pastes into a spreadsheet as a table
        lines.append("")
        lines += ["\t".join(cells) for cells in table_rows(answer)]
    if answer.citations:
        lines.append("")
        lines += [f"[{c.n}] {c.title} · {c.section}\n    “{c.quote or c.text}”" for c in answer.citations]
    return "\n".join(lines)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def turn_markdown(turn: Turn) -> str:
    """One exchange as Markdown: the question, the answer, its scope and table, then its sources."""
    lines = [f"## {message('web.chat.md_question', question=turn.question)}", ""]
    answer = turn.answer
    if answer is None:
        return "\n".join([*lines, turn.error, ""])
    lines += [answer.answer, ""]
    if turn.scope:
        lines += [message("web.chat.scope_used", scope=" · ".join(turn.scope)), ""]
    if len(answer.table) >= 2:
        rows = table_rows(answer)
        lines += ["| " + " | ".join(map(_md_cell, rows[0])) + " |", "|" + "---|" * len(rows[0])]
        lines += ["| " + " | ".join(map(_md_cell, cells)) + " |" for cells in rows[1:]] + [""]
    cited = answer.citations or answer.nearest
    if cited:
        heading = message("web.chat.md_sources") if answer.citations else message("web.chat.nearest_heading")
        lines += [f"### {heading}", ""]
        for c in cited:
            lines += [f"[{c.n}] {c.title} · {c.district} · {' › '.join(p.strip() for p in c.section.split('>'))}",
                      "", "> " + (c.quote or c.text).replace("\n", "\n> "), ""]
    return "\n".join(lines)


def conversation_markdown(turns: Sequence[Turn]) -> str:
    """The whole conversation as one Markdown document."""
    return f"# {message('web.chat.md_title')}\n\n" + "\n".join(turn_markdown(t) for t in turns)


def searched_text(answer: Answer) -> str:
    """The question that was searched for, with places written next to each other (甲区乙区…)
    separated as a list (甲区、乙区 …)."""
    text = answer.standalone_question
    places = sorted({d for d in answer.districts if d}, key=len, reverse=True)
    if len(places) < 2:
        return text
    run = re.compile("(?:" + "|".join(map(re.escape, places)) + "){2,}")
    split = re.compile("|".join(map(re.escape, places)))
    return run.sub(lambda m: listing(split.findall(m.group(0))) + " ", text)


# 👍 and 👎 drawn as lines (Feather icons, MIT), so they show without an emoji font.
_ICON = ('<svg viewBox="0 0 24 24" width="14" height="14" fill="none" stroke="currentColor" stroke-width="2" '
         'stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="{}"/></svg>')
_THUMB_UP = _ICON.format("M14 9V5a3 3 0 0 0-3-3l-4 9v11h11.28a2 2 0 0 0 2-1.7l1.38-9a2 2 0 0 0-2-2.3zM7 22H4"
                         "a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2h3")
_THUMB_DOWN = _ICON.format("M10 15v4a3 3 0 0 0 3 3l4-9V2H5.72a2 2 0 0 0-2 1.7l-1.38 9a2 2 0 0 0 2 2.3zm7-13h2.67"
                           "A2.31 2.31 0 0 1 22 4v7a2.31 2.31 0 0 1-2.33 2H17")


def _footer(turn_no: int, turn: Turn) -> str:
    """The discreet line under an answer (what was searched for, the filters, time taken, notes),
    then its actions: sources (on a phone), copy, export, and feedback."""
    answer = turn.answer
    assert answer is not None
    parts = []
    if answer.standalone_question and answer.standalone_question != turn.question:
        searched = message("web.chat.searched", question=searched_text(answer))
        parts.append(f'<span class="searched">{_text(searched)}</span>')
    if turn.scope:
        scope = message("web.chat.scope_used", scope=" · ".join(turn.scope))
        parts.append(f'<span class="scope">{_text(scope)}</span>')
    if answer.latency_ms >= 10 and not answer.abstained:
        parts.append(f"<span>{_text(message('web.chat.latency', seconds=answer.latency_ms / 1000))}</span>")
    parts += [f'<span class="note">{_text(note)}</span>' for note in answer.notes]
    actions = []
    cited = answer.citations or answer.nearest
    if cited:
        actions.append(f'<button class="open-sources" type="button" data-turn="{turn_no}">'
                       f'{_text(message("web.chat.open_sources", count=len(cited)))}</button>')
    actions.append(f'<button class="copy-answer" type="button" data-copy="{_text(copy_text(answer))}" '
                   f'data-copied="{_text(message("web.chat.copied"))}">{_text(message("web.chat.copy"))}</button>')
    actions.append(f'<button class="export-answer" type="button" '
                   f'title="{_text(message("web.chat.export_answer_title"))}"'
                   f' data-name="{_text(message("web.chat.answer_file", n=turn_no))}">'
                   f'{_text(message("web.chat.export_answer"))}</button>')
    for verdict, label in (("up", _THUMB_UP), ("down", _THUMB_DOWN), ("wrong_figure", "")):
        said = message(f"web.chat.feedback_{verdict}")
        chosen = " chosen" if turn.feedback == verdict else ""
        actions.append(f'<button class="fb{chosen}" type="button" data-turn="{turn_no}" data-verdict="{verdict}" '
                       f'title="{_text(said)}" aria-label="{_text(said)}">{label or _text(said)}</button>')
    if turn.feedback:
        said = message(f"web.chat.feedback_{turn.feedback}")
        actions.append(f'<span class="fb-saved">{_text(message("web.chat.feedback_saved", verdict=said))}</span>')
    return (f'<div class="foot"><div class="meta">{" · ".join(parts)}</div>'
            f'<div class="actions">{"".join(actions)}</div></div>')


def _bot_bubble(turn_no: int, turn: Turn) -> str:
    answer = turn.answer
    assert answer is not None
    body = f'<div class="body">{_answer_html(turn_no, answer)}</div>{comparison_table(turn_no, answer)}'
    if answer.abstained and answer.answer.startswith(NOT_FOUND):
        body = body.replace(NOT_FOUND, f'<strong class="not-found">{NOT_FOUND}</strong>', 1)
    md = f'data-md="{_text(turn_markdown(turn))}"'
    if not answer.abstained:
        doubt = ""
        if answer.confidence is not None and answer.confidence < DOUBTFUL:
            said = message("web.chat.doubtful", percent=round(answer.confidence * 100))
            doubt = f'<div class="doubtful">{_text(said)}</div>'
        return f'<div class="msg bot{" doubt" if doubt else ""}" data-turn="{turn_no}" {md}>{doubt}{body}' \
               f'{_footer(turn_no, turn)}</div>'
    badge = "" if answer.answer.startswith(NOT_FOUND) else \
        f'<div class="abstain-title">{_text(message("web.chat.not_found_badge", not_found=NOT_FOUND))}</div>'
    hint = f'<div class="hint">{_text(message("web.chat.nearest_hint"))}</div>' if answer.nearest else ""
    return (f'<div class="msg bot abstain" data-turn="{turn_no}" {md}>{badge}{body}{hint}'
            f'{_footer(turn_no, turn)}</div>')


def _user_bubble(question: str) -> str:
    return f'<div class="msg user"><div class="body">{_text(_shorten(question, SHOWN_QUESTION_CHARS))}</div></div>'


def conversation(turns: Sequence[Turn], pending: Turn | None = None, partial: str = "",
                 welcome: str = "") -> str:
    """The whole chat as HTML; `pending` is the turn being answered and `partial` its text so far.
    A finished conversation ends with a button that exports it all as Markdown."""
    bubbles = []
    for turn_no, turn in enumerate(turns, 1):
        if turn.question.strip():
            bubbles.append(_user_bubble(turn.question))
        if turn.answer is not None:
            bubbles.append(_bot_bubble(turn_no, turn))
        else:
            bubbles.append(f'<div class="msg bot error" role="alert" data-md="{_text(turn_markdown(turn))}">'
                           f'<div class="body">{_text(turn.error)}</div></div>')
    if pending is not None:
        bubbles += [_user_bubble(pending.question), _thinking(partial)]
    elif turns:
        bubbles.append(f'<div class="chat-tools"><button class="export-conversation" type="button" '
                       f'data-name="{_text(message("web.chat.conversation_file"))}" '
                       f'data-title="{_text(message("web.chat.md_title"))}">'
                       f'{_text(message("web.chat.export_conversation"))}</button></div>')
    if not bubbles:
        bubbles.append(f'<div class="welcome">{welcome}</div>')
    if pending is None:  # what the page shows of a question the moment it is sent (see chat.ECHO_JS)
        bubbles.append(f'<template class="pending-turn">{_user_bubble("")}{_thinking("")}</template>')
    return '<div class="chat" role="log" aria-live="polite">' + "".join(bubbles) + "</div>"


def _thinking(partial: str) -> str:
    text = _text(partial) if partial else f'<span class="thinking">{_text(message("web.chat.thinking"))}</span>'
    return f'<div class="msg bot streaming"><div class="body">{text}</div></div>'


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
