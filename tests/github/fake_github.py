"""A tiny GitHub REST stand-in: stdlib http.server in a thread, serving the recorded examples.

Routes answer with files from `../shared/fixtures/github/rest/` (with `https://api.github.com`
rewritten to this server's URL, as the fixtures README explains), with scripted errors,
or from state kept the way GitHub keeps it (`IssueComments`); every request is recorded
so tests can assert what PyGithub sent. A reply can also be lost after the request was
handled — the connection closed unanswered, or the answer sent after the client gave up.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

REST_DIR = Path("/work/shared/fixtures/github/rest")


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    # The request is handled but the client never gets this answer: `drop` closes the
    # connection without one; `delay` seconds sends it only after that long.
    drop: bool = False
    delay: float = 0.0


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


# A route answers with a fixed Reply or computes one from the request.
Answer = Reply | Callable[[Received], Reply]


class FakeGitHub:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        # Consulted before the routes: each takes the request and answers it or returns None.
        self.interceptors: list[Callable[[Received], Reply | None]] = []
        self._routes: list[tuple[str, re.Pattern, list[Answer]]] = []
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

    def route(self, method: str, pattern: str, *replies: Answer) -> None:
        """Answer `method` on paths matching `pattern` with `replies` in turn; the last one repeats."""
        with self._lock:
            self._routes.insert(0, (method, re.compile(pattern + r"(\?.*)?$"), list(replies)))

    def calls(self, method: str, pattern: str) -> list[Received]:
        regex = re.compile(pattern + r"(\?.*)?$")
        return [r for r in self.requests if r.method == method and regex.match(r.path)]

    def serve_issue_comments(self) -> IssueComments:
        """Keep PR and issue comments as GitHub does (create, then list them); returns the store."""
        comments = IssueComments(self)
        self.route("POST", IssueComments.PATH, comments.create)
        self.route("GET", IssueComments.PATH, comments.list)
        return comments

    def _reply_for(self, request: Received) -> Reply:
        for interceptor in list(self.interceptors):
            reply = interceptor(request)
            if reply is not None:
                return reply
        with self._lock:
            for route_method, regex, replies in self._routes:
                if route_method == request.method and regex.match(request.path):
                    answer = replies.pop(0) if len(replies) > 1 else replies[0]
                    return answer(request) if callable(answer) else answer
        return Reply(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                request = Received(
                    method=self.command,
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    json=_json_or_none(raw),
                    body=raw,
                )
                fake.requests.append(request)
                reply = fake._reply_for(request)
                if reply.drop:
                    self.close_connection = True  # handled, never answered
                    return
                if reply.delay:
                    threading.Event().wait(reply.delay)  # the client's timeout runs out first
                if isinstance(reply.body, str):  # a page (the OAuth authorize screen)
                    data, content_type = reply.body.encode(), "text/html; charset=utf-8"
                else:
                    data = b"" if reply.body is None else json.dumps(reply.body).encode()
                    content_type = "application/json; charset=utf-8"
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client has gone (a late answer)
                    self.close_connection = True

            do_GET = do_POST = do_PATCH = do_DELETE = _handle

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

        return Handler


class IssueComments:
    """Comments on PRs and issues, kept as GitHub keeps them.

    `POST /repos/{owner}/{repo}/issues/{n}/comments` stores a comment (ids count up from
    the REST example's) and answers 201 with it; `GET` on the same path lists them
    oldest first, `per_page` at a time with a `Link: rel="next"` header. Answers queued in
    `lose` are used, first come first served, for the next POSTs instead of the 201:
    the comment is stored all the same, and the client never learns its id.
    """

    PATH = r"/repos/[^/]+/[^/]+/issues/\d+/comments"

    def __init__(self, fake: FakeGitHub) -> None:
        self._fake = fake
        self._template = fake.fixture("issues.create-comment.201.json")
        self._next_id = self._template["id"]
        self.by_issue: dict[str, list[dict]] = {}
        self.lose: list[Reply] = []

    def bodies(self, issue_path: str) -> list[str]:
        """The bodies stored on one issue, e.g. "/repos/o/r/issues/2"."""
        return [comment["body"] for comment in self.by_issue.get(issue_path, [])]

    def create(self, request: Received) -> Reply:
        issue_path = urlsplit(request.path).path.removesuffix("/comments")  # /repos/{owner}/{repo}/issues/{n}
        repo_path = issue_path.rsplit("/issues/", 1)[0]
        comment = copy.deepcopy(self._template)
        comment.update(
            id=self._next_id,
            body=request.json["body"],
            url=f"{self._fake.base_url}{repo_path}/issues/comments/{self._next_id}",
            html_url=f"https://github.com{issue_path.removeprefix('/repos')}#issuecomment-{self._next_id}",
            issue_url=f"{self._fake.base_url}{issue_path}",
        )
        self._next_id += 1
        self.by_issue.setdefault(issue_path, []).append(comment)
        if self.lose:
            lost = self.lose.pop(0)
            return Reply(201, comment, drop=lost.drop, delay=lost.delay)
        return Reply(201, comment)

    def list(self, request: Received) -> Reply:
        split = urlsplit(request.path)
        query = parse_qs(split.query)
        per_page, page = int(query.get("per_page", ["30"])[0]), int(query.get("page", ["1"])[0])
        comments = self.by_issue.get(split.path.removesuffix("/comments"), [])
        headers = {}
        if page * per_page < len(comments):
            headers["Link"] = f'<{self._fake.base_url}{split.path}?per_page={per_page}&page={page + 1}>; rel="next"'
        return Reply(200, comments[(page - 1) * per_page : page * per_page], headers)
