"""`assistant web`: the Gradio page (chat, evaluation, index), served offline on 127.0.0.1 by default.

The page asks the same `Assistant` the CLI does and shows its `Answer` objects; nothing here
answers anything itself. Every browser session keeps its own history in a `gr.State`.
"""

from __future__ import annotations

import ipaddress
import logging
import sys
from html import escape
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.answer.service import Assistant
from assistant.config import Settings
from assistant.errors import UserError
from assistant.lang.zh.messages import message
from assistant.web.chat import LiveAssistant, build_chat_tab
from assistant.web.eval import build_eval_tab
from assistant.web.index import build_index_tab
from assistant.web.theme import PAGE_CSS, PAGE_JS, make_theme

log = logging.getLogger(__name__)

TITLE = message("common.title")
HEADER = f'<div id="app-header"><h1>{escape(TITLE)}</h1><p>{escape(message("web.intro"))}</p></div>'


def build_app(settings: Settings, assistant: Assistant) -> gr.Blocks:
    """The page: 问答 (chat with sources), 评测 (run a gold file) and 索引 (what is indexed, rebuild, add)."""
    live = LiveAssistant(settings, assistant)
    with gr.Blocks(title=TITLE, analytics_enabled=False) as app:
        gr.HTML(HEADER)
        with gr.Tabs():
            with gr.Tab(message("web.tabs.chat"), id="chat"):
                build_chat_tab(app, live)
            with gr.Tab(message("web.tabs.eval"), id="eval"):
                build_eval_tab(app, live)
            with gr.Tab(message("web.tabs.index"), id="index"):
                build_index_tab(app, live)
    return app


def read_auth(value: str) -> tuple[str, str] | None:
    """The login from `web_auth`: "user:password", or the path of a file whose first line is that."""
    if not value:
        return None
    line = value
    path = Path(value).expanduser()
    if path.is_file():
        try:
            line = next((ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()), "")
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(message("errors.auth_unreadable", path=path, reason=exc)) from None
    user, sep, password = line.strip().partition(":")
    if not (sep and user and password):
        raise UserError(message("errors.auth_file_format", path=path) if path.is_file()
                        else message("errors.auth_format"))
    return user, password


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def launch_options(settings: Settings) -> dict[str, Any]:
    """Arguments for `Blocks.launch`: the address, login, look, and nothing that calls out."""
    return {"server_name": settings.web_host, "server_port": settings.web_port,
            "auth": read_auth(settings.web_auth), "auth_message": message("web.login"),
            "share": False, "ssr_mode": False, "pwa": False, "mcp_server": False, "enable_monitoring": False,
            "footer_links": [], "theme": make_theme(), "css": PAGE_CSS, "js": PAGE_JS,
            "allowed_paths": [str(settings.eval_dir.resolve())], "show_error": False}


def serve(settings: Settings, *, assistant: Assistant | None = None, block: bool = True) -> gr.Blocks:
    """Start the page on settings.web_host:web_port (building the index first if there is none).

    With `block=False` it returns once the server is up (tests); otherwise it serves until stopped.
    """
    options = launch_options(settings)
    if not _is_loopback(settings.web_host) and options["auth"] is None:
        log.warning("Serving on %s without a login; set ASSISTANT_WEB_AUTH=user:password to require one.",
                    settings.web_host)
    if assistant is None:
        assistant = Assistant.open(settings, progress=_print_progress)
        assistant.ask(assistant.examples.questions[0])  # load the models now, not on the first question
    app = build_app(settings, assistant)
    app.queue(default_concurrency_limit=1)
    try:
        app.launch(prevent_thread_lock=not block, quiet=not block, **options)
    except OSError as exc:
        raise UserError(message("errors.port_busy", host=settings.web_host, port=settings.web_port,
                                reason=exc)) from None
    return app


def _print_progress(done: int, total: int) -> None:
    print("\r" + message("web.indexing", done=done, total=total), end="\n" if done == total else "",
          file=sys.stderr)
