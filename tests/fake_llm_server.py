"""A local OpenAI-compatible chat-completions server that replays scripted replies, for tests.

It speaks the real protocol over HTTP on 127.0.0.1 (JSON replies, and `stream: true` as SSE
chunks ending in `data: [DONE]`), so the LangChain client is exercised exactly as against a real
endpoint. Each test scripts the reply for its own model name.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KEEP_ALIVE = 0.3
_PASSAGE = re.compile(r"^\[(\d+)\][^\n]*\n(.*?)(?=\n\[\d+\]|\Z)", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Reply:
    """What the server answers for one model name.

    `content` is the assistant message, or a function of the request's JSON that builds it
    (to cite passages by the numbers the prompt gave them). `body` replaces the whole response
    body with raw text, for malformed replies.
    """

    content: str | Callable[[dict], str] = ""
    status: int = 200
    delay: float = 0.0  # seconds to wait before answering
    body: str | None = None
    # "silent": read the request, never answer; "headers": send headers, then stall; "trickle": send
    # headers, then an SSE comment every KEEP_ALIVE seconds (each read succeeds, no reply ever comes)
    hang: str | None = None


@dataclass
class FakeLLMServer:
    """A threaded HTTP server on a free loopback port; `url` is the base URL to configure."""

    scripts: dict[str, Reply] = field(default_factory=dict)
    requests: list[dict] = field(default_factory=list)
    _stopping: threading.Event = field(default_factory=threading.Event)

    def start(self) -> FakeLLMServer:
        """Start serving in a daemon thread."""
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; replies still sleeping give up at once."""
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def script(self, model: str, reply: Reply) -> None:
        """Answer requests for `model` with `reply` from now on."""
        self.scripts[model] = reply

    def requests_for(self, model: str) -> list[dict]:
        """The JSON bodies received for `model`, oldest first."""
        return [r for r in self.requests if r.get("model") == model]


def passages_in(request: dict) -> dict[int, str]:
    """The numbered passages of an answer prompt: {n: text} as the model would read them."""
    prompt = "\n".join(str(m.get("content", "")) for m in request.get("messages", []))
    return {int(m.group(1)): m.group(2) for m in _PASSAGE.finditer(prompt)}


def number_of(request: dict, phrase: str) -> int:
    """The number the prompt gave to the first passage containing `phrase`."""
    return next(n for n, text in sorted(passages_in(request).items()) if phrase in text)


def _handler_for(server: FakeLLMServer) -> type[BaseHTTPRequestHandler]:
    class Handler(_ChatHandler):
        fake = server

    return Handler


class _ChatHandler(BaseHTTPRequestHandler):
    fake: FakeLLMServer

    def log_message(self, format: str, *args: object) -> None:  # quiet test output
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        request = json.loads(self.rfile.read(length) or b"{}")
        self.fake.requests.append(request)
        reply = self.fake.scripts.get(request.get("model", ""))
        if reply is None or not self.path.endswith("/chat/completions"):
            return self._send(404, "application/json", _error("no such model"))
        if reply.delay and self.fake._stopping.wait(reply.delay):
            return
        try:
            if reply.hang:
                self._hang(reply.hang)
            else:
                self._answer(request, reply)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)

    def _answer(self, request: dict, reply: Reply) -> None:
        stream = bool(request.get("stream"))
        kind = "text/event-stream" if stream else "application/json"
        if reply.status != 200:
            self._send(reply.status, "application/json", _error("scripted failure"),
                       {"retry-after-ms": "10"})
        elif reply.body is not None:
            self._send(200, kind, reply.body)
        else:
            content = reply.content(request) if callable(reply.content) else reply.content
            if stream:
                self._send(200, kind, "".join(_sse_chunks(request["model"], content)))
            else:
                self._send(200, kind, json.dumps(_completion(request["model"], content)))

    def _hang(self, how: str) -> None:
        """A server that accepted the request and stalls until stopped (after its headers, if asked)."""
        if how != "silent":
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            if how == "headers":
                self.send_header("Content-Length", "100000")  # a body that never comes
            self.end_headers()
            self.wfile.flush()
        while not self.fake._stopping.wait(KEEP_ALIVE if how == "trickle" else None):
            self.wfile.write(b": keep-alive\n\n")
            self.wfile.flush()

    def _send(self, status: int, kind: str, body: str, headers: dict[str, str] | None = None) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def _error(message: str) -> str:
    return json.dumps({"error": {"message": message, "type": "server_error", "code": None}})


def _completion(model: str, content: str) -> dict:
    """A non-streaming chat.completion object."""
    return {"id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


def _sse_chunks(model: str, content: str, size: int = 6):
    """`data:` lines of chat.completion.chunk objects, a few characters each, then [DONE]."""
    pieces = [{"role": "assistant", "content": ""}]
    pieces += [{"content": content[i:i + size]} for i in range(0, len(content), size)]
    for i, delta in enumerate(pieces + [{}]):
        chunk = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()),
                 "model": model,
                 "choices": [{"index": 0, "delta": delta,
                              "finish_reason": "stop" if i == len(pieces) else None}]}
        yield f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"
    yield "data: [DONE]\n\n"
