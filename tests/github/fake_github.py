"""A tiny GitHub REST stand-in: stdlib http.server in a thread, serving the recorded examples.

Routes answer with files from `../shared/fixtures/github/rest/` (with `https://api.github.com`
rewritten to this server's URL, as the fixtures README explains) or with scripted
errors, and every request is recorded so tests can assert what PyGithub sent.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REST_DIR = Path("/work/shared/fixtures/github/rest")


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    json: Any
    body: bytes = b""


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:  # a form post (the OAuth token exchange)
        return None


class FakeGitHub:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        # Consulted before the routes: each takes the request and answers it or returns None.
        self.interceptors: list[Callable[[Received], Reply | None]] = []
        self._routes: list[tuple[str, re.Pattern, list[Reply]]] = []
        self._lock = threading.Lock()
        handler = self._handler_class()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def start(self) -> FakeGitHub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fixture(self, name: str) -> Any:
        text = (REST_DIR / name).read_text().replace("https://api.github.com", self.base_url)
        return json.loads(text)

    def route(self, method: str, pattern: str, *replies: Reply) -> None:
        """Answer `method` on paths matching `pattern` with `replies` in turn; the last one repeats."""
        with self._lock:
            self._routes.insert(0, (method, re.compile(pattern + r"(\?.*)?$"), list(replies)))

    def calls(self, method: str, pattern: str) -> list[Received]:
        regex = re.compile(pattern + r"(\?.*)?$")
        return [r for r in self.requests if r.method == method and regex.match(r.path)]

    def _reply_for(self, method: str, path: str, received: Received | None = None) -> Reply:
        for interceptor in list(self.interceptors):
            reply = interceptor(received) if received is not None else None
            if reply is not None:
                return reply
        with self._lock:
            for route_method, regex, replies in self._routes:
                if route_method == method and regex.match(path):
                    return replies.pop(0) if len(replies) > 1 else replies[0]
        return Reply(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                received = Received(
                    method=self.command,
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    json=_json_or_none(raw),
                    body=raw,
                )
                fake.requests.append(received)
                reply = fake._reply_for(self.command, self.path, received)
                if isinstance(reply.body, str):  # a page (the OAuth authorize screen)
                    data, content_type = reply.body.encode(), "text/html; charset=utf-8"
                else:
                    data = b"" if reply.body is None else json.dumps(reply.body).encode()
                    content_type = "application/json; charset=utf-8"
                self.send_response(reply.status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_DELETE = _handle

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

        return Handler
