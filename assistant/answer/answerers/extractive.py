"""The offline answerer: picks the clauses that state the asked figure, verbatim, one per district."""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant.answer.answerers.base import ImmediateAnswerer
from assistant.answer.calibration import FEATURES, Calibration, load_calibration
from assistant.answer.grounding import ungrounded_figures
from assistant.answer.question import ALTERNATIVES, NOT_FOUND, SPELLING_SEPARATORS, Intent, names_entity, segment
from assistant.index.keyword import UNSEEN_TOKEN, tokenize
from assistant.index.split import Chunk
from assistant.lang.zh import lexicon
from assistant.lang.zh.numbers import NumericValue, extract_figures
from assistant.lang.zh.text import (
    BRACKETS_CLOSE,
    BRACKETS_OPEN,
    CITATION_MARKER,
    CJK_CHAR,
    CLAUSE,
    CLAUSE_END,
    ENUMERATION,
    FULL_STOP,
    QUOTE_LEAD,
)
from assistant.retrieve.hybrid import ScoredChunk
from assistant.types import Answer, Citation, Figure, to_citation

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Quote:
    """A verbatim span of a chunk chosen as the answer for one district."""

    hit: ScoredChunk
    start: int  # offsets in the report
    end: int
    confidence: float  # calibrated: how likely this quote states what was asked
    features: tuple[float, ...] = ()

    @property
    def text(self) -> str:
        chunk = self.hit.chunk
        return chunk.text[self.start - chunk.start:self.end - chunk.start]

    @property
    def said(self) -> str:
        """The quote as the answer states it: a report's own footnote marks ("领跑者”[3]") are no
        citations of the answer's, so they are left out there (the citation keeps them)."""
        return CITATION_MARKER.sub("", self.text)


LEAD_CHARS = 20  # a sentence this short that states no figure is a theme line, not an answer
LEAD_FOLLOW_CLAUSES = 4  # clauses of the sentence after a theme line quoted with it


def _clauses(text: str) -> list[tuple[int, int]]:
    """Clause spans inside `text`, split at the ASCII , ; : and 。 these reports use."""
    spans = []
    for m in CLAUSE.finditer(text):
        start, end = m.start(), m.end()
        while end > start and text[end - 1] in CLAUSE_END:
            end -= 1
        if text[start:end].strip():
            spans.append((start, end))
    return spans


def topic_terms(intent: Intent) -> list[str]:
    """The words that say what the question is about, in the reports' wording; a word followed by
    another in brackets ("完工(竣工)"), or a glossary value of two spellings ("A|B"), is one term
    that either fills."""
    text = intent.key_text or intent.topic
    # A glossary value "一般公共预算收入|财政总收入" stays one term; the rest is split into words.
    words = _bracketed([w for piece in text.split(" ") for w in ([piece] if ALTERNATIVES in piece else segment(piece))])
    asking = lexicon.asking_words()
    words = [_without_asking_tail(w, asking) for w in words]
    return [w for w in dict.fromkeys(words) if w not in asking and not w.isdigit() and not lexicon.asks_measure(w)
            and (len(w) > 1 if CJK_CHAR.match(w) else w.isalnum() or ALTERNATIVES in w)]


def _without_asking_tail(word: str, asking: frozenset[str]) -> str:
    """A word less an asking word it ends with ("投资总额" → 投资: 总额 asks the measure)."""
    if ALTERNATIVES in word:
        return word
    word = word.removesuffix(next((p for p in lexicon.tail_particles() if word.endswith(p)), "\0"))  # 建了 → 建
    tail = next((a for a in asking if len(a) > 1 and word.endswith(a) and len(word) - len(a) > 1), "")
    return word[:-len(tail)] if tail else word


def _bracketed(words: list[str]) -> list[str]:
    """`words` with each "X ( Y )" run made one term "X|Y"."""
    out: list[str] = []
    for word in (w for w in words if w.strip()):
        if len(out) >= 3 and word in BRACKETS_CLOSE and out[-2] in BRACKETS_OPEN:
            out[-3:] = [out[-3] + ALTERNATIVES + out[-1]]
        else:
            out.append(word)
    return out


# A question word no indexed passage has, other than a noun, is the asker's own wording (老是,
# 卖出去): no clause can have it, so it counts only this share of its rarity against a clause's
# coverage. Chosen on the dev items of the three gold sets from 1, 0.5, 0.2, 0.1 and 0; not 0, so a
# question made only of such words still has something to cover. An unseen noun (月球) keeps its
# weight: it is more often a topic the reports lack, and a wrong figure is worse than none.
UNSEEN_WEIGHT = 0.1


def _word_weight(word: str, idf: Callable[[str], float]) -> float:
    """A word's rarity: the mean idf of its character bigrams, most of it dropped when no passage
    has any of them."""
    tokens = tokenize(word) or [word]
    rarity = sum(idf(t) for t in tokens) / len(tokens)
    unseen = all(idf(t) >= idf(UNSEEN_TOKEN) for t in tokens)
    return rarity * UNSEEN_WEIGHT if unseen and not _is_noun(word) else rarity


@lru_cache(maxsize=4096)
def _is_noun(word: str) -> bool:
    """Whether jieba tags the word as a noun: an unseen noun (月球) is a topic the reports lack, not
    the asker's wording for one they have."""
    return all(w.flag.startswith("n") for w in lexicon.jieba().posseg.cut(word))


def _presence(word: str, text: str) -> float:
    """1 when the word (or a spelling the glossary gives it) occurs; 0.9 when all its sub-words
    occur apart ("引进人才" in "引进各类人才"), less when only some do (PART_SHARE); else half the
    share of its bigrams."""
    if ALTERNATIVES in word:  # the asker's own words count only whole: 经济增长 is no partial match for 经济…增长
        spellings = word.split(ALTERNATIVES)
        return 1.0 if any(_occurs(w, text) for w in spellings) else \
            max((_presence(w, text) for w in spellings if w not in lexicon.synonyms()), default=0.0)
    if any(_occurs(same, text) for same in lexicon.same_as(word)):
        return 1.0
    parts = _sub_words(word)
    if parts:
        if _other_numbered(word, text):
            return 0.0
        text = _without_holders(word, text)  # 海洋生产总值 has 生产 and 总值 but is no 生产总值
        share = sum(_part_occurs(p, text) for p in parts) / len(parts)
        return 0.9 if share == 1 else PART_SHARE * share
    tokens = [t for t in tokenize(word) if len(t) > 1]
    return 0.5 * sum(_occurs(t, text) for t in tokens) / len(tokens) if tokens else 0.0


def _occurs(word: str, text: str) -> bool:
    """Whether `word` is in `text` as itself: not inside a word that holds it but means another
    thing (出口 in 进出口, 生产总值增长 in 海洋生产总值增长), nor right after a per-unit word it
    lacks (生产总值 in 人均生产总值), nor as the whole a share is taken of ("占地区生产总值比重",
    "与地区生产总值之比")."""
    if word not in text:  # most words of most clauses: no need to look closer
        return False
    text = _without_holders(word, text)
    before, after = _not_before(word), lexicon.share_words()[1]
    return any(not text.endswith(before, 0, m.start()) and not text.startswith(after, m.end())
               for m in re.finditer(re.escape(word), text))


@lru_cache(maxsize=4096)
def _not_before(word: str) -> tuple[str, ...]:
    """Words that, right before `word`, make it another quantity or a share's whole: the per-unit
    words it lacks and 占, 与."""
    return tuple(w for w in lexicon.per_unit_words() if w not in word) + lexicon.share_words()[0]


def _part_occurs(part: str, text: str) -> bool:
    """Whether a sub-word occurs, as itself or in a spelling the glossary gives it (上市公司's 公司
    as 企业 in "上市企业")."""
    means = lexicon.synonyms().get(part, "")
    return _occurs(part, text) or any(_occurs(s, text) for s in SPELLING_SEPARATORS.split(means) if s)


def _without_holders(word: str, text: str) -> str:
    for holder in _holders(word):
        text = text.replace(holder, " ")
    return text


@lru_cache(maxsize=4096)
def _holders(word: str) -> tuple[str, ...]:
    """Words that hold `word` but mean another thing: the lexicon's holders of any word inside it,
    written around it (海洋生产总值 holds 生产总值, so 海洋生产总值增长 holds 生产总值增长)."""
    return tuple(word.replace(inner, holder) for inner, holders in lexicon.words_holding_table().items()
                 if inner in word for holder in holders if holder not in word)


# A word of which only some sub-words occur ("固定资产投资" in "制造业投资") mostly names another,
# broader or sibling, quantity: it counts this share of its sub-words found, against 0.9 when all
# occur apart ("引进人才" in "引进各类人才"). 0.3 and 0.9 score the dev items of all four gold sets
# alike; 0.3 left out wrong figures in a user trial over the outside reports (制造业投资 for
# 固定资产投资, 技能人才 for 高技能人才, 居民 for 城镇居民 income).
PART_SHARE = 0.3
# How much a clause's words beyond the question count against it when choosing among the clauses
# the calibration would answer with (never in its confidence). 0.1 moved three dev trial items from
# a sub-category to the figure asked (对“一带一路”国家进出口 → 进出口总额) and one the other way.
BEYOND_PENALTY = 0.1
# A clause whose subject is at least this much words the question does not say, and that lacks every
# spelling of a glossary term asked (GDP), counts another indicator (研发经费投入年均增长 for GDP年均增长).
OTHER_SUBJECT = 0.5
CONTENT_TAGS = ("vn", "j", "l", "i")  # besides nouns: the words a subject says what it counts with

_NUMERAL = re.compile(rf"\d|[{lexicon.numeral_chars()}]")


def _other_numbered(word: str, text: str) -> bool:
    """Whether `text` lacks the numbered or per-unit part of `word` but has the rest: another thing
    of the same name (第一产业 for 第二产业, 16号线 for 15号线, 生产总值 for 人均生产总值), not a
    partial match."""
    if ALTERNATIVES in word:
        spellings = word.split(ALTERNATIVES)
        return not any(_occurs(w, text) for w in spellings) and any(_other_numbered(w, text) for w in spellings)
    parts = _sub_words(word)
    missing = [p for p in parts if p not in text]
    both = [part for word, parts_named in lexicon.contrast_both().items() if word in text for part in parts_named]
    return any(_NUMERAL.search(p) or p in lexicon.per_unit_words() or (p in _contrast_words() and p not in both)
               for p in missing) and len(missing) < len(parts)


@lru_cache(maxsize=1)
def _contrast_words() -> frozenset[str]:
    """Words naming one of exclusive parts (城镇, 农村): a clause without it gives the whole or the
    other part (居民 for 城镇居民)."""
    return frozenset(w for pair in lexicon.contrasts() for w in pair)


@lru_cache(maxsize=4096)  # a question's few words are looked up in every candidate clause
def _sub_words(word: str) -> tuple[str, ...]:
    """The shorter words inside `word` ("引进人才" → 引进, 人才)."""
    return tuple(p for p in lexicon.jieba().cut_for_search(word) if len(p) > 1 and p != word)


def about(text: str, terms: Sequence[str]) -> bool:
    """Whether a passage is about a topic: it has at least half of the topic's words."""
    return not terms or sum(_presence(t, text) >= 0.9 for t in terms) * 2 >= len(terms)


def _coverage(text: str, terms: Sequence[str], weights: dict[str, float]) -> float:
    total = sum(weights[t] for t in terms)
    return sum(weights[t] * _presence(t, text) for t in terms) / total if total else 0.0


def _span_for(clauses: list[tuple[int, int]], best: int, text: str, numeric: bool) -> tuple[int, int]:
    """Grow the best clause until it states a figure, then over clauses that continue it;
    never past the end of a sentence or line."""
    last = best

    def joined_to_next(i: int) -> bool:
        gap = text[clauses[i][1]:clauses[i + 1][0]] if i + 1 < len(clauses) else FULL_STOP
        return FULL_STOP not in gap and "\n" not in gap

    if numeric:
        while not extract_figures(text[clauses[best][0]:clauses[last][1]]) and last - best < 2 \
                and joined_to_next(last):
            last += 1
        while joined_to_next(last) and text[clauses[last + 1][0]:].startswith(lexicon.continuation_words()):
            last += 1
    return clauses[best][0], clauses[last][1]


def _past_lead(text: str, start: int, end: int) -> int:
    """Where a quote of `text[start:end]` should end: a lead sentence ("加快教育事业优质发展。") only
    names a theme, so the sentence after it in the same paragraph is quoted with it."""
    clauses = _clauses(text)
    i = next((k for k, (s, e) in enumerate(clauses) if s == start and e == end), None)
    if i is None or not _lead_sentence(clauses, i, text) or i + 1 == len(clauses) \
            or "\n" in text[end:clauses[i + 1][0]]:
        return end
    last = i + 1
    while last + 1 < len(clauses) and last - i < LEAD_FOLLOW_CLAUSES \
            and not any(c in text[clauses[last][1]:clauses[last + 1][0]] for c in FULL_STOP + "\n"):
        last += 1
    return clauses[last][1]


def _lead_sentence(clauses: list[tuple[int, int]], i: int, text: str) -> bool:
    """Whether clause `i` is a whole short sentence without figures: a theme, not its content."""
    start, end = clauses[i]
    before = text[:start].rstrip()
    return (not before or before[-1] in FULL_STOP + "\n") and text[end:end + 1] in FULL_STOP \
        and end - start <= LEAD_CHARS and not extract_figures(text[start:end])


def _answer_start(clauses: list[tuple[int, int]], first: int, span: tuple[int, int], text: str,
                  numeric: bool) -> int:
    """Where the quoted answer starts: at the clause that states the figure, not the figure-less
    clauses that led to it (they count for the topic, and stay in the cited passage), and past
    list marks like "——"."""
    start = span[0]
    if numeric:
        start = next((s for s, e in clauses[first:] if s >= span[0] and e <= span[1] and extract_figures(text[s:e])),
                     span[0])
    while start < span[1] and text[start] in QUOTE_LEAD:
        start += 1
    return start


@dataclass(frozen=True)
class Candidate:
    """A clause span of a retrieved passage that could answer, with what speaks for it."""

    hit: ScoredChunk
    start: int  # offsets in the chunk text
    end: int
    features: tuple[float, ...]  # in calibration.FEATURES order
    beyond: float = 0.0  # share of the figure's subject words the question does not say


def candidates(hits: Sequence[ScoredChunk], intent: Intent, weight: Callable[[str], float]) -> list[Candidate]:
    """Every clause span of `hits` that could answer `intent` (one stating a figure, unless the
    question asks for names), with its features: keyword coverage of the topic, the passage's
    retrieval score and rank, whether its figure is of the kind asked (几条 wants 条, a total in
    元 is no growth rate), whether its year and period are the ones asked, and its length."""
    terms = topic_terms(intent)
    weights = {t: _word_weight(t, weight) for t in terms}
    # A subject of its own carries the topic only with a word of it other than a change or plan
    # word: "社会消费品零售总额增长" carries no 固定资产投资增长.
    topical = [t for t in terms if t not in lexicon.generic_words()]
    numeric = not lexicon.text_question().search(intent.question)
    plans = lexicon.plan_periods(intent.question)
    found = []
    for rank, hit in enumerate(hits):
        text, chunk = hit.chunk.text, hit.chunk
        clauses = _clauses(text)
        for i, (start, _) in enumerate(clauses):
            span = _span_for(clauses, i, text, numeric)
            quote_text = text[span[0]:span[1]]
            stated = extract_figures(quote_text)
            if numeric and not stated:
                continue
            sentence = _sentence_around(text, start)
            answer_start = _answer_start(clauses, i, span, text, numeric)
            # The words before the figure, when its clause is not the one the candidate starts at.
            lead = text[answer_start:span[0] + stated[0].start] if numeric and answer_start >= clauses[i][1] else ""
            if lead and _own_subject(lead):
                # The figure has a subject of its own ("…品牌，力争综合产值达870亿元"): it is weighed
                # as the candidate of its own clause, not with the words of the clauses before.
                continue
            agreement = [lexicon.kinds_agree(intent.asked_kind, lexicon.figure_kind(f.unit), quote_text[:f.start])
                         for f in stated]
            # A clause continues the words before it in its sentence ("地区生产总值…，增长6%"), never
            # those after it: they belong to the next figure ("…904.92亿元；固定资产投资…增长8.1%").
            # Unless the words before its figure name a subject of their own ("…增长6%；居民消费价格
            # 指数控制在103左右" answers no GDP question): then its own words must carry the topic.
            before = text[text.rfind(FULL_STOP, 0, start) + 1:start]
            subject = quote_text[:stated[0].start] if numeric else ""
            borrows = not (_own_subject(subject) and not _coverage(subject, topical, weights))
            coverage = max(_coverage(quote_text, terms, weights),
                           0.8 * _coverage(before + quote_text + chunk.section, terms, weights) if borrows else 0.0)
            subject_end = _asked_figure_end(stated, agreement, intent.asked_kind, len(quote_text)) if numeric \
                else len(quote_text)
            if intent.year and chunk.year != intent.year and lexicon.phrase("year", year=intent.year) \
                    not in text[text.rfind(FULL_STOP, 0, start) + 1:span[0] + subject_end]:
                continue  # another year's passage answers only where the year asked leads to the figure
            if not all(p in chunk.section or p in sentence for p in plans):
                continue  # a plan period asked ("十四五") is the passage's own, not one year's figure
            if not all(names_entity(e, quote_text[:subject_end], chunk.district) for e in intent.entities):
                continue  # a figure of the place, not of the thing named after it (西湖大学)
            if not all(e in before + quote_text[:subject_end] for e in intent.leading):
                continue  # a figure of the sentence about the thing the question opens with
            if any(_listed(e, before + quote_text[:subject_end]) for e in (*intent.entities, *intent.leading)):
                continue  # the figure of a list the thing asked is one item of ("深圳湾…、香蜜湖…等，完成…投资")
            if any(part in quote_text[:subject_end] for part in intent.excluded):
                continue  # a count with the part the question leaves out ("众创空间及孵化器3家")
            if _contrasted(intent.question, quote_text[:subject_end]):
                continue  # the other part of a whole (城镇登记失业率 for 城镇调查失业率)
            if any(_other_numbered(t, quote_text[:subject_end]) for t in terms):
                continue  # the figure of another numbered thing (第一产业 for 第二产业)
            if any(lexicon.ordinal().search(t) and not _presence(t, before + quote_text[:subject_end]) for t in terms):
                continue  # a numbered thing asked (第二产业, 18号线) that the figure's sentence never names
            if numeric and _level_for_increase(intent.question, before, quote_text, subject_end, stated):
                continue  # what there is, for what was added (高新技术企业1.3万家 for 新增多少家)
            own = _coverage(quote_text[:subject_end], terms, weights)
            kind = 1.0 if 1 in agreement else -1.0 if agreement and all(a < 0 for a in agreement) else 0.0
            year = 1.0 if intent.year is None or chunk.year == intent.year or str(intent.year) in sentence else 0.0
            period = 1.0 if intent.period is None or chunk.period == intent.period else 0.0
            features = (1.0, coverage, own, hit.score, 1 / (1 + rank + 0.1 * i), kind, year, period,
                        len(quote_text) / 100)
            beyond = _beyond(quote_text[:subject_end], intent.question, terms) if numeric else 0.0
            if beyond >= OTHER_SUBJECT and any(ALTERNATIVES in t and not _presence(t, before + quote_text)
                                               for t in topical):
                continue  # another indicator's figure: the one named (GDP) is missing, others said instead
            found.append(Candidate(hit, answer_start, span[1], features, beyond))
    return found


def _level_for_increase(question: str, before: str, quote_text: str, subject_end: int,
                        stated: Sequence[NumericValue]) -> bool:
    """Whether the question asks what was added and the figure is a level: its own clause has no
    verb ("高新技术企业1.3万家") and nothing in its sentence up to it says what was added."""
    asked, stated_words = lexicon.increase_words()
    if not any(w in question for w in asked):
        return False
    figure_start = next((f.start for f in stated if f.end == subject_end), stated[0].start)
    clause_start, clause_end = _clause_start(quote_text, figure_start), _clause_end(quote_text, subject_end)
    if any(flag.startswith("v") for _, flag in lexicon.tagged(quote_text[clause_start:clause_end])):
        return False
    return not any(w in before + quote_text[:clause_end] for w in stated_words)


def _clause_start(text: str, pos: int) -> int:
    """Where the clause holding position `pos` of `text` starts."""
    return max(text.rfind(mark, 0, pos) for mark in CLAUSE_END) + 1


def _clause_end(text: str, pos: int) -> int:
    """Where the clause holding position `pos` of `text` ends (at its mark, or the text's end)."""
    return min((i for i in (text.find(mark, pos) for mark in CLAUSE_END) if i >= 0), default=len(text))


def _listed(name: str, subject: str) -> bool:
    """Whether `name` is one item of a list (A、B、C) in a figure's subject that ends before the
    figure's own clause: the figure then counts the items together."""
    at = subject.rfind(name)
    if at < 0:
        return False
    clause_start, clause_end = _clause_start(subject, at), _clause_end(subject, at)
    return clause_end < len(subject) and ENUMERATION in subject[clause_start:clause_end]


def _contrasted(question: str, subject: str) -> bool:
    """Whether `subject` names the other of a pair of exclusive parts the question names one of
    (调查 asked, 登记 written), without the one asked."""
    return any(asked in question and other not in question and other in subject and asked not in subject
               for pair in lexicon.contrasts() for asked, other in (pair, pair[::-1]))


@lru_cache(maxsize=8192)  # asked of every candidate clause, often of the same words
def _own_subject(lead: str) -> bool:
    """Whether the words before a figure open with a thing of their own ("一般公共预算收入增长",
    "力争综合产值达") rather than continue the clause before it: a verb or preposition first
    ("增长6%", "新增停车位", "全年为市场主体减负"), after continuation words, numbers, times and
    scope words (全省, 年末)."""
    for word in lexicon.continuation_words():
        lead = lead.replace(word, " ")
    scope = lexicon.scope_words()
    for w in lexicon.jieba().posseg.cut(lead):
        if not w.word.strip() or w.flag in ("m", "t", "x", "w") or w.word in scope:
            continue
        return w.flag not in ("v", "p", "d", "c", "f", "u")
    return False


def _asked_figure_end(stated: Sequence[NumericValue], agreement: Sequence[int], asked: str | None,
                      default: int) -> int:
    """Where the quote's figure of the kind asked (else its first figure) ends: the words before it
    are its subject ("地区生产总值…增长6.0%"), those after belong to the next figure. A figure in the
    very measure asked comes before one in 个 that may stand for it ("片区1个、…河道7条" for 几条)."""
    agreeing = [f for f, a in zip(stated, agreement, strict=True) if a > 0]
    first = next((f for f in agreeing if lexicon.figure_kind(f.unit) == asked), agreeing[0] if agreeing else None)
    first = first or (stated[0] if stated else None)
    return first.end if first else default


def weighed(found: Sequence[Candidate], other_kind: bool = False) -> list[Candidate]:
    """The candidates that may answer: one whose figures are all of another kind than the one asked
    (a rate for a total in 元) never does, unless `other_kind` asks for exactly those."""
    kind = FEATURES.index("kind")
    return [c for c in found if (c.features[kind] < 0) == other_kind]


def results_first(found: Sequence[Candidate], intent: Intent, calibration: Calibration) -> list[Candidate]:
    """The candidates to choose from: where the question asks no period (no 目标 nor 实际, and a
    year the reports give both for, or none), the results, when one of them would be answered:
    "潜江新增就业多少人" asks what was done, not the plan."""
    if intent.period is not None:
        return list(found)
    done = [c for c in found if c.hit.chunk.period == "actual"]
    best = max((calibration.confidence(calibration.score(c.features)) for c in done), default=0.0)
    return done if best >= calibration.threshold else list(found)


def best_quote(found: Sequence[Candidate], calibration: Calibration) -> Quote | None:
    """The best-scoring of `found`, with its calibrated confidence; None when there is none.
    Abstaining below the threshold is the caller's choice."""
    if not found:
        return None
    # Of clauses with about the same evidence, the one that says least beyond the question: "进出口总额"
    # before "对共建“一带一路”国家进出口" for 外贸进出口. Only the choice: the confidence is its own.
    sure = [c for c in found if calibration.confidence(calibration.score(c.features)) >= calibration.threshold]
    best = max(sure or found, key=lambda c: calibration.score(c.features) - BEYOND_PENALTY * c.beyond)
    score = calibration.score(best.features)
    chunk = best.hit.chunk
    end = _past_lead(chunk.text, best.start, best.end)  # after scoring: the theme line won on its own words
    return Quote(best.hit, chunk.start + best.start, chunk.start + end, calibration.confidence(score),
                 best.features)


def _beyond(subject: str, question: str, terms: Sequence[str]) -> float:
    """The share of the content words of a figure's subject that neither the question nor its terms
    (in their glossary spellings) name: what the figure counts beyond what was asked."""
    spellings = {w for t in terms for w in t.split(ALTERNATIVES)}
    ignored = {*lexicon.asking_words(), *lexicon.scope_words(), *lexicon.generic_words(),
               *lexicon.figure_words().qualifiers_before}
    words = [w for w, flag in lexicon.tagged(subject) if len(w) > 1 and (flag.startswith("n") or flag in CONTENT_TAGS)
             and w not in ignored]
    # A term's whole (总产值 of 产值) says it; a kind of it (外资企业 of 企业) says more.
    said = [w for w in words if w in question or any(w in s or w.removeprefix(p) == s
                                                    for s in spellings for p in lexicon.whole_prefixes())]
    return 1 - len(said) / len(words) if words else 0.0


def _sentence_around(text: str, pos: int) -> str:
    """The sentence of `text` that contains position `pos` (context for a short clause)."""
    start = text.rfind(FULL_STOP, 0, pos) + 1
    end = text.find(FULL_STOP, pos)
    return text[start:end if end >= 0 else len(text)]


def _figures(quote: Quote, n: int) -> list[Figure]:
    """The figures of a quote as written ("3.8" + "万人"), each backed by citation n."""
    return [Figure.written(figure, n) for figure in extract_figures(quote.said)]


def _label(chunk: Chunk) -> str:
    """"（2023年目标）": the year and period a quote's passage is about."""
    period = lexicon.period_label("answer", "actual" if chunk.period == "actual" else "target")
    return lexicon.phrase("answer.label", year=chunk.year, period=period) if chunk.year else ""


def compose_answer(question: str, intent: Intent, found: dict[str, Quote | None],
                   named: bool) -> Answer:
    """Answer text from verbatim quotes, one "district（year period）：quote[n]" part per district.

    Districts the question named but the reports lack are said so; the figures are checked
    against their cited passages before the answer leaves.
    """
    parts: list[str] = []
    citations: list[Citation] = []
    figures: list[Figure] = []
    for district, quote in found.items():
        if quote is None:
            if named:
                parts.append(lexicon.phrase("answer.district_not_found", district=district,
                                            not_found=NOT_FOUND))
            continue
        n = len(citations) + 1
        chunk = quote.hit.chunk
        parts.append(lexicon.phrase("answer.part", district=district, label=_label(chunk), quote=quote.said, n=n))
        citations.append(to_citation(n, chunk, quote.hit.score, quote.text, quote.start, quote.end))
        figures.extend(_figures(quote, n))
    if not citations:
        return Answer(question, lexicon.phrase("answer.topic_not_found", not_found=NOT_FOUND,
                                               topic=intent.topic or intent.question), True,
                      standalone_question=intent.question, districts=list(found))
    text = lexicon.phrase("answer.part_separator").join(parts) + lexicon.phrase("answer.end")
    unchecked = ungrounded_figures(text, citations)
    if unchecked:  # cannot happen with verbatim quotes; if it ever does, no figure leaves unchecked
        log.error("extractive answer states figures its passages lack: %s", text)
        return Answer(question, lexicon.phrase("answer.unverified_figure", not_found=NOT_FOUND,
                                               figure=unchecked[0].text), True,
                      standalone_question=intent.question, districts=list(found))
    return Answer(question, text, False, citations, figures, standalone_question=intent.question,
                  districts=[d for d, q in found.items() if q],
                  confidence=round(min(q.confidence for q in found.values() if q), 3))


def _related_answer(question: str, intent: Intent, quote: Quote) -> Answer:
    """An abstention that shows what the report does give (a rate for a total), cited."""
    chunk = quote.hit.chunk
    text = lexicon.phrase("answer.only_related", not_found=NOT_FOUND, district=chunk.district, label=_label(chunk),
                          quote=quote.said)
    citation = to_citation(1, chunk, quote.hit.score, quote.text, quote.start, quote.end)
    return Answer(question, text, True, [citation], _figures(quote, 1), standalone_question=intent.question,
                  districts=[chunk.district])


class ExtractiveAnswerer(ImmediateAnswerer):
    """The offline default: verbatim clauses, one per district, or an abstention."""

    name = "extractive"

    def __init__(self, idf: Callable[[str], float]) -> None:
        self._idf = idf

    def candidates(self, intent: Intent, hits: dict[str, list[ScoredChunk]]) -> dict[str, list[Candidate]]:
        """Each place's candidate clauses, read for the year asked of that place (what calibration
        fits on, so it weighs exactly the choices made here)."""
        return {d: candidates(h, dataclasses.replace(intent, year=intent.year_of(d)), self._idf)
                for d, h in hits.items()}

    def answer(self, question: str, intent: Intent, hits: dict[str, list[ScoredChunk]],
               named: bool) -> Answer:
        """Pick the best quote per district from its hits and compose the cited answer; a quote
        below the calibrated threshold is no answer."""
        calibration = load_calibration()
        found_by_place = self.candidates(intent, hits)
        best = {d: best_quote(results_first(weighed(found), intent, calibration), calibration)
                for d, found in found_by_place.items()}
        found = {d: q if q and q.confidence >= calibration.threshold else None for d, q in best.items()}
        if not any(found.values()) and intent.asked_kind:
            others = (best_quote(weighed(found, other_kind=True), calibration) for found in found_by_place.values())
            related = next((q for q in others if q and q.confidence >= calibration.threshold), None)
            if related is not None:
                return _related_answer(question, intent, related)
        return compose_answer(question, intent, found, named)
