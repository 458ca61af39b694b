"""Find the figures a report or an answer states, and decide when two state the same amount.

The grounding guard relies on this: every figure in an answer must be stated by a cited
passage, so "3.8万人" has to match "38000人" while "5.0%" must never match "50".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache

from assistant.lang.zh import lexicon
from assistant.lang.zh.text import CJK_CHAR

# Scales, compound ones included: "3千万元" is 30,000,000 元, not 3000.
_SCALES = {"千": 10**3, "万": 10**4, "十万": 10**5, "百万": 10**6, "千万": 10**7, "亿": 10**8,
           "十亿": 10**9, "百亿": 10**10, "千亿": 10**11, "万亿": 10**12}
_CN_DIGITS = "零〇一二两三四五六七八九"
_CN_CHARS = _CN_DIGITS + "十百千万亿"

# Units, qualifiers and name suffixes: the words around figures (lexicon.toml, [figures]).
_WORDS = lexicon.figure_words()
_UNITS = _WORDS.units
_UNIT_BLOCKERS = _WORDS.unit_blockers
_UNIT_CANONICAL = _WORDS.unit_canonical
_RELATIVE_UNITS = _WORDS.relative_units
_QUALIFIERS_BEFORE = _WORDS.qualifiers_before
_QUALIFIERS_AFTER = _WORDS.qualifiers_after
_NAME_SUFFIXES = _WORDS.name_suffixes
_ORDINAL_PREFIXES = _WORDS.ordinal_prefixes


def _unit_pattern() -> str:
    """Alternation of all units, longest first so "人次" wins over "人"."""
    parts = []
    for unit in sorted(_UNITS, key=len, reverse=True):
        blocked = _UNIT_BLOCKERS.get(unit)
        parts.append(re.escape(unit) + (f"(?![{blocked}])" if blocked else ""))
    return "|".join(parts)


_UNIT = _unit_pattern()
_SCALE = "|".join(sorted(_SCALES, key=len, reverse=True))
# A scale character that starts a unit is the unit's ("5千瓦" is 5 千瓦, not 5000 瓦); "50万千瓦"
# is 万 times 50 千瓦.
_SCALED = (rf"(?!{'|'.join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True) if u[0] in _CN_CHARS)})"
           rf"(?:{_SCALE})")
_DIGITS = r"\d{1,3}(?:,\d{3}(?!\d))+(?:\.\d+)?|\d+(?:\.\d+)?"
_RANGE_SEP = "[-~～至到—–]"
# A single space may sit before the scale or unit, as in answers written "3.8 万人".
_ARABIC = (rf"(?<![\d.])(?P<a1>{_DIGITS})(?: ?(?P<s1>{_SCALED}))?(?:[%％](?={_RANGE_SEP}\d))?"
           rf"(?:{_RANGE_SEP}(?P<a2>{_DIGITS})(?P<s2>{_SCALED})?)?")
# A ratio such as a structure of three industries, "8.3∶41.4∶50.3" or "8.3:41.4:50.3": one figure,
# never three. The full-width colon separates a table's header from its value ("2022：5.3%"), so it
# makes a ratio only between three terms or more; a ratio carries no unit or scale.
_TERM = r"\d+(?:\.\d+)?"
_RATIO = (rf"(?<![\d.])(?P<ratio>{_TERM}(?:∶{_TERM})+|{_TERM}(?::{_TERM})+|{_TERM}(?:：{_TERM}){{2,}})"
          rf"(?![\d.%％]|{_SCALE}|{_UNIT})")
_RATIO_SIGN = re.compile("[:∶：]")
# Chinese numerals count only when a unit follows, which keeps out "一般", "三重压力" and such.
_CHINESE = (rf"(?<![{_CN_CHARS}])(?P<cn>[一二两三四五六七八九十][{_CN_CHARS}]*)"
            rf"(?=[余多]?(?:{_SCALE})?(?:{_UNIT}))")
_FIGURE = re.compile(rf"{_RATIO}|(?:{_ARABIC}|{_CHINESE})(?P<approx>[余多])?(?P<s3>{_SCALED})?"
                     rf"(?: ?(?P<unit>(?:{_UNIT})(?:/[千万]?(?:{_UNIT}))?))?")
_CODE_QUOTE = re.compile(r"[0-9A-Za-z+\-.到至]+")
_WRITTEN = re.compile(rf"^(?P<value>[\d.,]+(?:[:∶：][\d.]+)*|[{_CN_CHARS}]+)\s*(?P<unit>.*)$")
_TRAILING_QUALIFIER = re.compile(f"(?:{'|'.join(_QUALIFIERS_AFTER)})$")


@dataclass(frozen=True)
class NumericValue:
    """A figure found in text, normalised so equal quantities compare equal.

    `value` has the scale applied ("3.8万人" -> 38000) and `unit` is the base unit without
    the scale. For a range `value` is the lower and `upper` the upper bound. `text` spans
    the figure with its scale and unit (and an inner "余", as in "22万余册"), not the
    qualifier words around it.
    """

    value: Decimal
    unit: str
    text: str
    start: int
    end: int
    qualifier: str | None
    upper: Decimal | None = None
    terms: tuple[Decimal, ...] = ()  # the terms of a ratio ("8.3:41.4:50.3"); `value` is the first


def extract_figures(text: str) -> list[NumericValue]:
    """Every figure stated in `text`, in order of appearance.

    Years, ordinals, heading numbers and digits that are part of names or codes
    ("5050计划", "“1+5+20”", "18号线") are left out, since no answer states them as amounts.
    """
    return list(_figures(text))


@lru_cache(maxsize=8192)  # the answerer reads the same clauses for every candidate span and question
def _figures(text: str) -> tuple[NumericValue, ...]:
    return tuple(_build(m, text) for m in _FIGURE.finditer(text) if _is_figure(m, text))


def _chinese_number(numeral: str) -> Decimal | None:
    """Value of a Chinese numeral, read by cn2an: "三千七百" -> 3700, "两万" -> 20000, "一百五" -> 150,
    "二〇二三" -> 2023; None for a run of numeral characters that is no number ("十十")."""
    import cn2an  # slow to import (it builds its tables), so only when a Chinese numeral turns up

    try:
        return Decimal(str(cn2an.cn2an(numeral, "smart")))
    except ValueError:
        return None


def parse_quantity(value: str, unit: str) -> NumericValue:
    """Build a NumericValue from a gold-file pair such as ("3.8", "万人") or ("5.0", "%").

    Units outside the known list are kept verbatim, so gold files need not be limited to
    what the extractor recognises. Raises ValueError when `value` is not a number.
    """
    value = value.strip()
    source = value + unit.strip()
    m = _FIGURE.match(source)
    if m is None or m.end() < len(value):
        raise ValueError(f"not a number: {value!r}")
    unit_start = m.start("unit") if m.group("unit") else m.end()
    unit = _TRAILING_QUALIFIER.sub("", source[unit_start:])  # "%以上": 以上 is the qualifier
    return replace(_build(m, source), unit=_canonical_unit(unit), text=source, end=len(source))


def written_parts(figure_text: str) -> tuple[str, str]:
    """A figure's text split into its number and its unit as written: "3.8万人" -> ("3.8", "万人")."""
    match = _WRITTEN.match(figure_text)
    return (match["value"], match["unit"]) if match else (figure_text, "")


def same_quantity(a: NumericValue, b: NumericValue) -> bool:
    """True when a and b state the same amount of the same thing.

    Values compare after scaling (5.0 == 5). A bare number matches any counted unit
    ("3700" matches "3700个") but never "%" or "百分点", which only match themselves.
    Ranges match when both bounds match; a ratio matches only a ratio of the same terms.
    """
    if a.terms or b.terms:
        return a.terms == b.terms
    if a.value != b.value or a.upper != b.upper:
        return False
    if a.unit == b.unit:
        return True
    if a.unit in _RELATIVE_UNITS or b.unit in _RELATIVE_UNITS:
        return False
    return not a.unit or not b.unit


def figure_in_text(figure: NumericValue, text: str) -> bool:
    """True when `text` states `figure`, in its unit; the grounding guard's check for one figure.

    A number the text writes bare states a figure with a unit only when the text states that unit
    for it: not when a measure word the extractor does not know follows the number ("500公顷…"
    never grounds "500亩"), and only when the unit occurs in the text (a table's "（亩）", a list's
    "300、500亩"). "3.8万人" is still stated by "38000人", "5%" by "5.0%".
    """
    return any(same_quantity(figure, found) and _unit_stated(figure, found, text)
               for found in extract_figures(text))


def _unit_stated(figure: NumericValue, found: NumericValue, text: str) -> bool:
    """Whether `found` in `text` may stand for `figure`'s unit (always, unless `found` is bare and
    `figure` has a unit)."""
    if not figure.unit or found.unit or found.terms:
        return True
    if CJK_CHAR.match(text[found.end:found.end + 1]) and not text.startswith(_QUALIFIERS_AFTER, found.end):
        return False  # a measure word of its own follows the number
    return figure.unit in text


def _build(m: re.Match[str], text: str) -> NumericValue:
    """Turn a match of _FIGURE into a NumericValue with scale applied and qualifiers found."""
    if m.group("ratio"):
        terms = tuple(Decimal(t) for t in _RATIO_SIGN.split(m.group("ratio")))
        qualifier = _qualifier(text, m.start(), m.end(), None)
        return NumericValue(terms[0], "", m.group(), m.start(), m.end(), qualifier, terms=terms)
    s1, s2, s3 = m.group("s1", "s2", "s3")
    # A scale written once covers both ends of a range: "3-5万" is 30000 to 50000.
    lower_scale, upper_scale = s1 or s2 or s3, s2 or s1 or s3
    first = _chinese_number(m.group("cn")) if m.group("cn") else _arabic_number(m.group("a1"))
    if first is None:
        raise ValueError(f"not a number: {m.group()!r}")
    value = first * _SCALES.get(lower_scale, 1)
    if s1 and s3 and not m.group("a2"):  # "3千余万元": thousands of 万
        value *= _SCALES[s3]
    upper = None
    if m.group("a2"):
        upper = _arabic_number(m.group("a2")) * _SCALES.get(upper_scale, 1)
    unit = _canonical_unit(m.group("unit") or "")
    qualifier = _qualifier(text, m.start(), m.end(), m.group("approx"))
    return NumericValue(value, unit, m.group(), m.start(), m.end(), qualifier, upper)


def _arabic_number(digits: str) -> Decimal:
    """Arabic digits, possibly with thousands separators ("1,411")."""
    return Decimal(digits.replace(",", ""))


def _canonical_unit(unit: str) -> str:
    """Spell a unit one way: full-width % and "个百分点" become "%" and "百分点"; an alternative
    in brackets is dropped ("条(段)" is "条", as the extractor reads it)."""
    unit = re.sub(r"[(（][^)）]*[)）]$", "", unit) or unit
    return _UNIT_CANONICAL.get(unit, unit)


def _qualifier(text: str, start: int, end: int, approx: str | None) -> str | None:
    """The qualifier words right before and after a figure, joined as "力争…以上"."""
    before = next((q for q in _QUALIFIERS_BEFORE if text.endswith(q, 0, start)), "")
    after = (approx or "") + next((q for q in _QUALIFIERS_AFTER if text.startswith(q, end)), "")
    return "…".join(part for part in (before, after) if part) or None


def _is_figure(m: re.Match[str], text: str) -> bool:
    """False for matches that look numeric but state no amount."""
    before = text[m.start() - 1] if m.start() else ""
    after = text[m.end():m.end() + 1]
    if text.endswith(_ORDINAL_PREFIXES, 0, m.start()):
        return False
    if m.group("cn"):
        # A lone 一 or 二 before a measure word is an idiom or ordinal ("一批", "二次供水");
        # right after an opening quote it is a slogan ("“两个先行”").
        slogan = m.group("cn") in ("一", "二") or before == "“"
        return not slogan and not _is_year(m) and _chinese_number(m.group("cn")) is not None
    if (before.isascii() and before.isalpha()) or (after.isascii() and after.isalpha()):
        return False  # part of a code such as "S2" or "415X"
    if "+" in (before, after) or _in_code_quote(text, m.start(), m.end()):
        return False
    bare = not (m.group("unit") or m.group("s1") or m.group("s2") or m.group("s3"))
    if bare and (text.startswith(_NAME_SUFFIXES, m.end()) or _is_heading(m, text)):
        return False
    return not _is_year(m)


def _is_year(m: re.Match[str]) -> bool:
    """A four-digit whole number followed by 年 ("2023年", "二〇二三年", "2022-2023年")."""
    if m.group("unit") != "年" or m.group("approx") or m.group("s1") or m.group("s3"):
        return False
    numbers = [m.group("cn")] if m.group("cn") else [m.group("a1"), m.group("a2")]
    return all(n is None or (len(n) == 4 and all(ch.isdigit() or ch in _CN_DIGITS for ch in n))
               for n in numbers)


def _is_heading(m: re.Match[str], text: str) -> bool:
    """A list number: "8." at the start of a line or after "。", or "(1)"."""
    if "." in m.group() or "," in m.group():
        return False
    line_before = text[:m.start()].rstrip(" \t\u3000")
    if text.startswith((".", "、", "．"), m.end()):
        return not line_before or line_before[-1] in "\n。;；"
    in_parens = line_before.endswith(("(", "（")) and text.startswith((")", "）"), m.end())
    return in_parens and len(m.group()) <= 2


def _in_code_quote(text: str, start: int, end: int) -> bool:
    """True inside a short quoted code such as “152”, “1612+N” or “0到1”."""
    left = text.rfind("“", max(0, start - 12), start)
    right = text.find("”", end, end + 12)
    if left == -1 or right == -1:
        return False
    return _CODE_QUOTE.fullmatch(text[left + 1:right]) is not None
