"""Language packs: everything the assistant knows about the language its reports are written in.

Word lists, cue words, units, punctuation, regular expressions and the sentences shown to users
live here as data (TOML) with small readers beside them, one folder per language (`zh/`), so the
pipeline's code holds no words of its own and a second language could sit beside the first.
"""
