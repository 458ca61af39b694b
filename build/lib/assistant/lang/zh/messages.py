"""The message catalogue: every sentence the CLI and the web UI show, kept as data in messages.toml
so the code holds no user-facing words and one wording serves both front ends."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from functools import cache
from importlib.resources import files


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    """{"errors": {"no_index": "…"}} → {"errors.no_index": "…"}."""
    flat: dict[str, str] = {}
    for name, value in table.items():
        key = f"{prefix}{name}"
        flat.update(_flatten(value, key + ".") if isinstance(value, dict) else {key: value})
    return flat


@cache
def _catalogue() -> dict[str, str]:
    """messages.toml, read once, keyed by dotted name."""
    return _flatten(tomllib.loads(files(__package__).joinpath("messages.toml").read_text(encoding="utf-8")))


def message(key: str, **fields: object) -> str:
    """The message `key` with its {placeholders} filled from `fields`; an unknown key or a missing
    field is a bug in the caller and raises KeyError."""
    return _catalogue()[key].format(**fields)


def listing(items: Iterable[object]) -> str:
    """Items joined as a Chinese enumeration (2022、2023), as every list in a sentence is written."""
    return message("common.list_separator").join(map(str, items))
