"""Text from users and reports made safe: a question, a report title or a passage may hold escape
sequences that would retitle, recolour or rewrite the user's terminal, so every such string passes
through `printable` before the CLI prints it (as rich `Text`, never read as markup, so a report's
`[bold]` or `:x:` shows as written); questions pass through it on the way in, so "[31m" is never
searched for."""

from __future__ import annotations

import re

# ESC sequences whole (CSI "ESC [ … final", OSC "ESC ] … BEL/ST", DCS/SOS/PM/APC "ESC P … ST",
# two-character ones like "ESC c"), and the 8-bit CSI; dropping only the ESC would leave "[31m".
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]?|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|[ -/]*[0-~]?)"
    r"|\x9b[0-?]*[ -/]*[@-~]?")
# C0 controls but tab and newline (a carriage return rewrites the line), DEL, and C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: object) -> str:
    """`text` as a string without escape sequences or control characters (tab and newline kept)."""
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", str(text)))
