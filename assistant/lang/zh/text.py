"""The written grammar of Chinese reports, defined once: character ranges, sentence and clause
punctuation, heading numbering, citation markers and years, as the loaders, splitter, question
reader and answerers all read them."""

from __future__ import annotations

import re

# Chinese ideographs (the unified block): what bigram tokens and Chinese words are made of.
CJK = "\u4e00-\u9fff"
# Chinese text in the wide sense: ideographs plus CJK and full-width punctuation.
CJK_TEXT = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
CJK_CHAR = re.compile(f"[{CJK}]")
CJK_RUN = re.compile(f"[{CJK}]+")

FULL_STOP = "。"
# Splits after every full stop, keeping it with its sentence.
AFTER_FULL_STOP = re.compile(f"(?<={FULL_STOP})")
# Where a sentence ends for display (the web UI's context view): full stops, ! ? ; and newlines.
SENTENCE_BREAK = re.compile(r"(?:[。！？；!?;]|\n)+\s*")
# Round brackets, half- and full-width: "完工(竣工)" gives a second word for the first.
BRACKETS_OPEN = "(（"
BRACKETS_CLOSE = ")）"
# Punctuation inside a sentence: a line with any is prose, not a heading.
SENTENCE_PUNCTUATION = "。，；：！？,;:!?"
# Characters after which a line of a PDF is a finished paragraph, not one wrapped mid-sentence.
PARAGRAPH_END = tuple("。！？；：!?;:」”)）")
# Clause punctuation, one normalisation for splitting and clause selection: the full-width forms
# (and the enumeration comma 、 and the ratio sign ∶) fold one-for-one to the ASCII sign they act
# as, so a folded text has the same length and every offset still points into the original.
PUNCTUATION_FOLD = str.maketrans({"，": ",", "、": ",", "；": ";", "：": ":", "∶": ":",
                                  "！": "!", "？": "?"})


def fold_punctuation(text: str) -> str:
    """`text` with full-width clause punctuation written as ASCII; same length, same offsets."""
    return text.translate(PUNCTUATION_FOLD)


# A clause as the reports punctuate it: split at , ; : (ASCII or full-width) and at 。 or a line
# end. A comma or colon between digits is no break: "1,411" and the ratio "8.3:41.4:50.3" (or
# "8.3∶41.4∶50.3") stay whole. The enumeration comma 、 is no clause end: it joins the items of
# one clause ("收储25宗约900亩、出让20宗约600亩"), and the answerer quotes them together.
CLAUSE_END = ",;:。，；："
_IN_NUMBER = r"(?<=\d)[,:：∶](?=\d)"
CLAUSE = re.compile(rf"(?:[^{CLAUSE_END}\n]|{_IN_NUMBER})+[{CLAUSE_END}]?")
# Where a sentence too long for one passage may be cut: after a semicolon, else after a comma
# (never one inside a number), in the folded text.
LONG_SENTENCE_CUTS = (re.compile(r"(?<=;)"), re.compile(r"(?<=(?<!\d),)|(?<=,)(?!\d)"))
# A table row as a saved text writes it: "表头：值；表头：值。".
HEADER_VALUE_SEPARATOR = "："
CELL_SEPARATOR = "；"
# Quotation marks a model may wrap a rewritten question in.
QUOTES = "\"'“”‘’「」"

# The enumeration comma: it separates the items of one clause.
ENUMERATION = "、"

# A name written in Chinese characters only (美国, not "Côte d'Ivoire" left untranslated).
CJK_NAME = re.compile(r"[\u4e00-\u9fff]{2,}")

# Heading numbering: "一、" (level 1), "(一)" / "（一）" (level 2), "1." / "1．" (an item).
_CN_ORDINAL = "[一二三四五六七八九十]+"
HEADING_LEVEL1 = re.compile(f"^{_CN_ORDINAL}、")
HEADING_LEVEL2 = re.compile(f"^[(（]{_CN_ORDINAL}[)）]")
HEADING_ITEM = re.compile(r"^\d+[.．]")
NUMBERED_HEADING = re.compile("|".join(p.pattern for p in (HEADING_LEVEL1, HEADING_LEVEL2, HEADING_ITEM)))
# A Word paragraph style that makes a heading, and its level ("Heading 2", "标题 2").
WORD_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)
# A top-level heading of a saved text: Markdown "# " or "一、".
TOP_HEADING = re.compile(f"^(# .+|{_CN_ORDINAL}、.+)$")
# A running page number ("- 3 -", "第3页", "第 3 页 共 10 页").
PAGE_NUMBER = re.compile(r"^[-—–\s第]*\d+[-—–\s页]*$|^第\s*\d+\s*页(\s*共\s*\d+\s*页)?$")

# Citation markers: "[1]" as answers carry them; and what models write instead ("[1, 2]", "【1】").
# Marks that open a list item ("——地区生产总值增长…"): never the start of a quoted answer.
QUOTE_LEAD = "—–-·•*● "
CITATION_MARKER = re.compile(r"\[(\d+)\]")
# A marker with the character before it and the punctuation after it ("个[1]；"): kept on one line,
# so a narrow screen never starts a line with a lone "。".
CITATION_RUN = re.compile(r"([^\s<>&;])?\[(\d+)\]([。，；：、！？）]*)")
LOOSE_CITATION_MARKERS = re.compile(r"[\[【]\s*(\d{1,3}(?:\s*[,，、]\s*\d{1,3})*)\s*[\]】]")
MARKER_NUMBER_SEPARATOR = re.compile(r"\s*[,，、]\s*")

# A year a question names ("2023年", "2023"), and a year a title or heading states ("2022年").
ASKED_YEAR = re.compile(r"((?:19|20)\d\d)\s*年")  # "2000个" is no year
# What opens a question right before its year ("前海2023年", "滨萧特别合作园的2022年"): its subject.
LEAD_NAME = re.compile(rf"^([{CJK}]{{2,8}}?)的?{ASKED_YEAR.pattern}")
YEAR_VALUE = re.compile(r"((?:19|20)\d\d)\s*年?")  # a form field holding only a year
STATED_YEAR = re.compile(r"((?:19|20)\d\d)\s*年")
# A district or county a report title names by position: after 市/省 or at the start, before the
# year, 人民政府 or a bracket ("宁波市鄞州区2024年…").
TITLE_DISTRICT = re.compile(rf"(?:^|市|省)([{CJK}]{{2,3}}?[区县])(?=\d|年|人民|政府|[（(]|$)")
# A label a model may put before its rewritten question ("改写后的问题：").
REWRITE_LABEL = re.compile(r"^(改写后的问题|问题)\s*[:：]\s*")

# Decoding a text file whose encoding is not stated. Big5 bytes read as GB18030 (and the reverse)
# decode without error but into garbage: kana, box drawing, private-use code points and rare
# ideographs instead of the common characters (and full-width punctuation) reports are written in.
# A character is "common" when it is a GB2312 character (simplified) or a Big5 frequent-use one
# (traditional: Big5 lead bytes A4–C6).
_BIG5_FREQUENT = range(0xA4, 0xC7)


_GB2312_IDEOGRAPHS = range(0xB0, 0xF8)  # GB2312 rows 16–87; rows below hold kana, Greek, box drawing


def _common_ideograph(char: str) -> bool:
    for encoding, rows in (("gb2312", _GB2312_IDEOGRAPHS), ("big5", _BIG5_FREQUENT)):
        try:
            if char.encode(encoding)[0] in rows:
                return True
        except UnicodeEncodeError:
            continue
    return False


def readable_share(text: str) -> float:
    """The share of `text`'s non-ASCII characters that real Chinese text is made of: common
    ideographs, CJK and full-width punctuation and digits, general punctuation. Decoded with the
    right encoding a report scores near 1; decoded with the wrong one, far lower. Text with no
    non-ASCII character at all scores 1."""
    import unicodedata

    counted = readable = 0
    for char in text:
        if char.isascii() or char.isspace():
            continue
        category = unicodedata.category(char)
        if category == "So":  # symbols (℃, ㎡, ①, box drawing): neither sign
            continue
        counted += 1
        readable += category[0] in "PN" or category in ("Sm", "Sc") or _common_ideograph(char)
    return readable / counted if counted else 1.0
