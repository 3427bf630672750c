"""A tiny GitHub REST stand-in: stdlib http.server in a thread, serving the recorded examples.

Routes answer with files from `../shared/fixtures/github/rest/` (with `https://api.github.com`
rewritten to this server's URL, as the fixtures README explains) or with scripted
errors, and every request is recorded so tests can assert what PyGithub sent.
"""

from __future__ import annotations

import json
import re
import threading
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


class FakeGitHub:
    def __init__(self) -> None:
        self.requests: list[Received] = []
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

    def serve_evidence(
        self,
        full_name: str,
        *,
        deployments: list | None = None,
        statuses: list | None = None,
        check_runs: dict[str, list] | None = None,
    ) -> None:
        """Deployments (one page, then an empty one), each deployment's statuses, and check runs per commit.

        The bodies default to the recorded examples (repos.list-deployments, repos.list-deployment-statuses,
        checks.list-for-ref); `check_runs` maps a sha to its runs (other commits have none).
        """
        repo = f"/repos/{full_name}"
        listed = self.fixture("repos.list-deployments.200.json") if deployments is None else deployments
        self.route("GET", rf"{repo}/deployments", Reply(200, listed), Reply(200, []))
        body = self.fixture("repos.list-deployment-statuses.200.json") if statuses is None else statuses
        self.route("GET", rf"{repo}/deployments/\d+/statuses", Reply(200, body))
        self.route("GET", rf"{repo}/commits/[0-9a-f]+/check-runs", Reply(200, {"total_count": 0, "check_runs": []}))
        for sha, runs in (check_runs or {}).items():
            self.route(
                "GET", rf"{repo}/commits/{sha}/check-runs", Reply(200, {"total_count": len(runs), "check_runs": runs})
            )

    def calls(self, method: str, pattern: str) -> list[Received]:
        regex = re.compile(pattern + r"(\?.*)?$")
        return [r for r in self.requests if r.method == method and regex.match(r.path)]

    def _reply_for(self, method: str, path: str) -> Reply:
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
                fake.requests.append(
                    Received(
                        method=self.command,
                        path=self.path,
                        headers={k.lower(): v for k, v in self.headers.items()},
                        json=json.loads(raw) if raw else None,
                    )
                )
                reply = fake._reply_for(self.command, self.path)
                data = b"" if reply.body is None else json.dumps(reply.body).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_DELETE = _handle

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

        return Handler
