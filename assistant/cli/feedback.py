"""`assistant feedback export`: the 👍/👎 given in the web page as gold-file candidates to review."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from assistant.config import Settings
from assistant.evaluation.feedback import REVIEW_FIELD, feedback_file, gold_candidates, read_feedback
from assistant.lang.zh.messages import message


def register(commands: argparse._SubParsersAction) -> None:
    """Add the feedback command and its export action."""
    feedback = commands.add_parser("feedback", help=message("cli.help.feedback.command"))
    actions = feedback.add_subparsers(dest="action", required=True)
    export = actions.add_parser("export", help=message("cli.help.feedback.export"))
    export.add_argument("--out", metavar="FILE", help=message("cli.help.feedback.out"))
    export.set_defaults(run=run_export)


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    """Write one gold line per question given feedback on, to --out or standard output; the count
    and what to do next go to standard error, so the lines can be piped."""
    candidates = gold_candidates(read_feedback(settings))
    lines = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in candidates)
    if args.out:
        Path(args.out).write_text(lines, encoding="utf-8")
    else:
        sys.stdout.write(lines)
    waiting = sum(REVIEW_FIELD in c for c in candidates)
    print(message("cli.feedback.exported", count=len(candidates), waiting=waiting,
                  source=feedback_file(settings), out=args.out or "-"), file=sys.stderr)
    return 0
