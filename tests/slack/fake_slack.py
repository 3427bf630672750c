"""A local stand-in for Slack's incoming webhooks: records what was posted, answers as scripted."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class SlackReply:
    status: int = 200
    body: str = "ok"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (a slow Slack)


@dataclass
class Posted:
    path: str
    json: Any


class FakeSlack:
    def __init__(self) -> None:
        self.posted: list[Posted] = []
        self.replies: list[SlackReply] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def url(self, name: str = "T000/B000/abcdWXYZ") -> str:
        return f"{self.base_url}/services/{name}"

    def reply(self, *replies: SlackReply) -> None:
        """Answer the next posts with `replies` in turn; then 200 ok again."""
        self.replies = list(replies)

    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                fake.posted.append(Posted(self.path, json.loads(raw) if raw else None))
                reply = fake.replies.pop(0) if fake.replies else SlackReply()
                if reply.delay:
                    time.sleep(reply.delay)
                data = reply.body.encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up waiting

            def log_message(self, *args) -> None:
                pass

        return Handler
