"""The `assistant` command: parse arguments, call the library, print. Each group has its own module."""

from __future__ import annotations

import argparse
import os
import sys

from assistant.config import Settings, load_settings
from assistant.controls import printable
from assistant.errors import UserError
from assistant.lang.zh.messages import message


def _offline_environment() -> None:
    """No model hub, telemetry or analytics calls from any library we load."""
    for name, value in (("HF_HUB_OFFLINE", "1"), ("ANONYMIZED_TELEMETRY", "False"),
                        ("GRADIO_ANALYTICS_ENABLED", "False"), ("TOKENIZERS_PARALLELISM", "false")):
        os.environ.setdefault(name, value)


def build_parser() -> argparse.ArgumentParser:
    from assistant.cli import ask as cli_ask
    from assistant.cli import eval as cli_eval
    from assistant.cli import feedback as cli_feedback
    from assistant.cli import index as cli_index
    from assistant.cli import library as cli_library

    parser = argparse.ArgumentParser(prog="assistant", description=message("cli.description"))
    parser.add_argument("--index-dir", help=message("cli.help.index_dir"))
    parser.add_argument("--seeds-dir", help=message("cli.help.seeds_dir"))
    parser.add_argument("--answerer", choices=["extractive", "llm"], help=message("cli.help.answerer"))
    commands = parser.add_subparsers(dest="command", required=True)
    for module in (cli_index, cli_library, cli_ask, cli_eval, cli_feedback):
        module.register(commands)
    web = commands.add_parser("web", help=message("cli.help.web"))
    web.add_argument("--host", help=message("cli.help.host"))
    web.add_argument("--port", type=int, help=message("cli.help.port"))
    web.add_argument("--auth", help=message("cli.help.auth"))
    web.set_defaults(run=_run_web)
    return parser


def _run_web(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.web.app import serve

    overrides = {"web_host": args.host, "web_port": args.port, "web_auth": args.auth}
    serve(settings.replace(**{k: v for k, v in overrides.items() if v}))
    return 0


def _apply_flags(settings: Settings, args: argparse.Namespace) -> Settings:
    from pathlib import Path

    changes = {}
    if args.index_dir:
        changes["index_dir"] = Path(args.index_dir)
    if args.seeds_dir:
        changes["seeds_dir"] = Path(args.seeds_dir)
    if args.answerer:
        changes["answerer"] = args.answerer
    return settings.replace(**changes)


def main(argv: list[str] | None = None) -> int:
    """Entry point: one clear sentence and a non-zero exit for anything the user can fix."""
    _offline_environment()
    args = build_parser().parse_args(argv)
    try:
        settings = _apply_flags(load_settings(), args)
        return args.run(args, settings)
    except UserError as exc:
        print(message("cli.error", reason=printable(exc)), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(message("cli.interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
