"""Prompts are files in prompts/, loaded by name, so wording changes never touch code."""

from __future__ import annotations

from pathlib import Path

from langchain_core.prompts import ChatPromptTemplate

PROMPTS_DIR = Path(__file__).resolve().parent
_SUFFIXES = (".txt", ".md")


def load_prompt(name: str, directory: Path = PROMPTS_DIR) -> str:
    """The text of prompts/<name>.txt (or .md), without surrounding blank lines.

    A missing prompt is an installation bug, not something a user can fix, so it raises
    FileNotFoundError naming the files looked for.
    """
    for suffix in _SUFFIXES:
        path = directory / f"{name}{suffix}"
        if path.is_file():
            return path.read_text(encoding="utf-8").strip()
    raise FileNotFoundError(f"Prompt {name!r} not found: expected {name}.txt or {name}.md in {directory}.")


def chat_prompt(name: str, directory: Path = PROMPTS_DIR) -> ChatPromptTemplate:
    """The chat prompt `name`: <name>_system as the system message, <name>_user as the user's.

    `{placeholders}` in the files are filled by `format_messages(**values)`.
    """
    return ChatPromptTemplate.from_messages([("system", load_prompt(f"{name}_system", directory)),
                                             ("human", load_prompt(f"{name}_user", directory))])
