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
# Characters after which a line of a PDF is a finished paragraph, not one wrapped mid-sentence.
PARAGRAPH_END = tuple("。！？；：!?;:」”)）")
# A clause as the reports punctuate it: split at the ASCII , ; : and at 。 or a line end.
CLAUSE_END = ",;:。"
CLAUSE = re.compile(rf"[^{CLAUSE_END}\n]+[{CLAUSE_END}]?")
# A table row as a saved text writes it: "表头：值；表头：值。".
HEADER_VALUE_SEPARATOR = "："
CELL_SEPARATOR = "；"
# Quotation marks a model may wrap a rewritten question in.
QUOTES = "\"'“”‘’「」"

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
CITATION_MARKER = re.compile(r"\[(\d+)\]")
LOOSE_CITATION_MARKERS = re.compile(r"[\[【]\s*(\d{1,3}(?:\s*[,，、]\s*\d{1,3})*)\s*[\]】]")
MARKER_NUMBER_SEPARATOR = re.compile(r"\s*[,，、]\s*")

# A year a question names ("2023年", "2023"), and a year a title or heading states ("2022年").
ASKED_YEAR = re.compile(r"((?:19|20)\d\d)\s*年")  # "2000个" is no year
YEAR_VALUE = re.compile(r"((?:19|20)\d\d)\s*年?")  # a form field holding only a year
STATED_YEAR = re.compile(r"((?:19|20)\d\d)\s*年")
# A district or county a report title names by position: after 市/省 or at the start, before the
# year, 人民政府 or a bracket ("杭州市西湖区2024年…").
TITLE_DISTRICT = re.compile(rf"(?:^|市|省)([{CJK}]{{2,3}}?[区县])(?=\d|年|人民|政府|[（(]|$)")
# A label a model may put before its rewritten question ("改写后的问题：").
REWRITE_LABEL = re.compile(r"^(改写后的问题|问题)\s*[:：]\s*")
