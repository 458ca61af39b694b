"""The Chinese language pack: lexicon (synonyms, cue words, units, asking words, each with its
source), text grammar (sentences, clauses, headings, CJK ranges), numerals and units, answer
phrasing and the message catalogue for the CLI and web UI. Loaded once, read everywhere.
"""
