"""`assistant web`: the Gradio page (chat, evaluation, index), served offline on 127.0.0.1 by default.

The page asks the same `Assistant` the CLI does and shows its `Answer` objects; nothing here
answers anything itself. Every browser keeps its own conversation (see web/chat.py).

`PageGuard` sits in front of Gradio's routes: it makes Gradio's own words Chinese whatever the
browser's language, and with a login set (`web_auth`) it lets nothing but the login page through
before login, and slows down password guessing.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import sys
import threading
import time
from collections import defaultdict, deque
from html import escape
from pathlib import Path
from typing import Any

import gradio as gr
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
            with gr.Tab(message("web.tabs.chat"), id="chat") as chat_tab:
                build_chat_tab(app, live, chat_tab)
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


# Before Gradio's script reads the browser's language: report Chinese, so Gradio's own strings
# (upload boxes, login, errors) are Chinese; on the login page, say why a login is refused for
# a while (Gradio's form only knows "wrong password").
HEAD_SCRIPT = """<script>
for (const [name, value] of [['language', 'zh-CN'], ['languages', ['zh-CN', 'zh']]]) {
  Object.defineProperty(navigator, name, {get: () => value, configurable: true});
}
const reportQaFetch = window.fetch;
window.fetch = async (...args) => {
  const response = await reportQaFetch(...args);
  if (response.status === 429 && String(args[0]).includes('login')) {
    const note = document.createElement('p');
    note.id = 'login-locked'; note.role = 'alert'; note.textContent = (await response.clone().json()).detail;
    note.style.cssText = 'color:#b91c1c;text-align:center;margin:12px';
    document.getElementById('login-locked')?.remove();
    document.querySelector('form, .gradio-container')?.prepend(note);
  }
  return response;
};
// Gradio 6.31 removes its first loading indicator with the indicator's timer and logo animation
// still running: requestAnimationFrame loops that repaint forever, about 10 % of a core per open
// tab (20 tabs on two cores doubled the time to an answer). This app hides progress timers, so a
// status tracker's frame, and a loop that has asked for LOOP_FRAMES frames in a row (a logo
// spinning for 2 s), comes at most twice a second.
const reportQaFrame = window.requestAnimationFrame.bind(window);
const LOOP_FRAMES = 120;
const reportQaRuns = new WeakMap();  // callback -> [frames asked in a row, when last asked]
window.requestAnimationFrame = (callback) => {
  const [run, last] = reportQaRuns.get(callback) || [0, 0];
  const now = performance.now();
  reportQaRuns.set(callback, [now - last < 1000 ? run + 1 : 0, now]);
  const slow = run > LOOP_FRAMES || (new Error().stack || '').includes('statustracker');
  return slow ? setTimeout(() => reportQaFrame(callback), 500) : reportQaFrame(callback);
};
</script>"""
# What a browser may fetch before login: the page itself (reduced to the login form), the login
# call and the page's static files. Everything else (config, API description, files, queue) waits.
OPEN_PATHS = re.compile(r"/(login/?|gradio_api/login_check/?|gradio_api/startup-events|assets/.*|static/.*"
                        r"|favicon\.ico|manifest\.json|theme\.css|gradio_api/theme\.css|svelte/.*)?")
API_INFO = re.compile(rb"window\.gradio_api_info = .*?;</script>", re.DOTALL)
FAILURES_ALLOWED = 5  # wrong passwords from one client within FAILURE_WINDOW before it must wait
FAILURE_WINDOW = 60.0
LOCKED_FOR = 60.0


class PageGuard:
    """ASGI middleware around Gradio's app (see the module's docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.failures: dict[str, deque[float]] = defaultdict(deque)
        self.locked_until: dict[str, float] = {}
        self.lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        gradio = scope.get("app")
        if scope["type"] == "http" and path.rstrip("/") == "/login" and scope.get("method") == "POST":
            return await self._login(scope, receive, send)
        if getattr(gradio, "auth", None) and not self._logged_in(scope, gradio) and not OPEN_PATHS.fullmatch(path):
            return await self._refuse(scope, send, 401, message("web.login"))
        if scope["type"] == "http" and path == "/" and scope.get("method") == "GET":
            return await self._page(scope, receive, send, reduced=bool(getattr(gradio, "auth", None))
                                    and not self._logged_in(scope, gradio))
        await self.app(scope, receive, send)

    @staticmethod
    def _logged_in(scope: Scope, gradio: Any) -> bool:
        cookies = Request(scope).cookies
        token = cookies.get(f"access-token-{gradio.cookie_id}") or cookies.get(
            f"access-token-unsecure-{gradio.cookie_id}")
        return bool(token) and token in gradio.tokens

    async def _page(self, scope: Scope, receive: Receive, send: Send, *, reduced: bool) -> None:
        """The page with the Chinese-language script first in <head>; before login, without the
        API description Gradio writes into it."""
        start: dict = {}
        body = bytearray()

        async def keep(msg: Message) -> None:
            if msg["type"] == "http.response.start":
                start.update(msg)
            else:
                body.extend(msg.get("body", b""))
                if not msg.get("more_body"):
                    await self._send_page(send, start, bytes(body), reduced)

        await self.app(scope, receive, keep)

    @staticmethod
    async def _send_page(send: Send, start: dict, body: bytes, reduced: bool) -> None:
        if b"<head>" in body:
            body = body.replace(b'lang="en"', b'lang="zh-CN"', 1).replace(
                b"<head>", b"<head>" + HEAD_SCRIPT.encode("utf-8"), 1)
        if reduced:
            body = API_INFO.sub(b"window.gradio_api_info = null;</script>", body, count=1)
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _login(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Gradio's login, refused for LOCKED_FOR seconds to a client that failed too often."""
        client = (scope.get("client") or ("?", 0))[0]
        now = time.monotonic()
        with self.lock:
            wait = self.locked_until.get(client, 0) - now
        if wait > 0:
            return await self._refuse(scope, send, 429, message("web.login_locked", seconds=int(wait) + 1))
        status: list[int] = []

        async def watch(msg: Message) -> None:
            if msg["type"] == "http.response.start":
                status.append(msg["status"])
            await send(msg)

        await self.app(scope, receive, watch)
        with self.lock:
            failures = self.failures[client]
            if status and status[0] == 200:
                failures.clear()
                return
            failures.append(now)
            while failures and failures[0] < now - FAILURE_WINDOW:
                failures.popleft()
            if len(failures) >= FAILURES_ALLOWED:
                failures.clear()
                self.locked_until[client] = now + LOCKED_FOR
                log.warning("Login refused for %.0f s to %s after %d failures.", LOCKED_FOR, client,
                            FAILURES_ALLOWED)

    @staticmethod
    async def _refuse(scope: Scope, send: Send, status: int, sentence: str) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        body = json.dumps({"detail": sentence}, ensure_ascii=False).encode("utf-8")
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json; charset=utf-8"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


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
            "allowed_paths": [str(settings.eval_dir.resolve())], "show_error": False,
            "app_kwargs": {"middleware": [Middleware(PageGuard)]}}


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
        assistant.retrieve(assistant.examples.questions[0])  # load the models now (never asks an LLM)
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
