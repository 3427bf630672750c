"""A tiny GitHub REST stand-in: stdlib http.server in a thread, serving the recorded examples.

Routes answer with files from `../shared/fixtures/github/rest/` (with `https://api.github.com`
rewritten to this server's URL, as the fixtures README explains), with scripted errors,
or from state kept the way GitHub keeps it (`IssueComments`); every request is recorded
so tests can assert what PyGithub sent. A reply can also be lost after the request was
handled — the connection closed unanswered, or the answer sent after the client gave up.

Every answer carries GitHub's X-RateLimit-* headers from a `RateLimit` budget (5,000 an hour
by default, as for a token); a test can shrink the budget so it runs out and resets seconds
later, as GitHub's does an hour later.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
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
    at: float = 0.0  # when it arrived (time.time())
    status: int = 0  # what the fake answered


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:  # a form post (the OAuth token exchange)
        return None


# A route answers with a fixed Reply or computes one from the request.
Answer = Reply | Callable[[Received], Reply]


class RateLimit:
    """GitHub's primary rate limit: `limit` requests per window, the window starting at its first request.

    Each request spends one; once none are left GitHub answers 403 "API rate limit exceeded"
    with X-RateLimit-Remaining: 0 until the reset (an epoch second, as GitHub sends it).
    With `cooldown`, the window instead ends that many seconds after the budget ran out, so a
    test meets GitHub's hour-long wait in seconds however fast or slow its requests come.
    `refusals` keeps (when, reset) of each refused request.
    """

    def __init__(self, limit: int = 5000, window: float = 3600.0, *, cooldown: float | None = None) -> None:
        self.limit, self.window, self.cooldown = limit, window, cooldown
        self.used = 0
        self.reset_at = 0
        self.refusals: list[tuple[float, int]] = []
        self._ran_out = False
        self._lock = threading.Lock()

    def spend(self) -> Reply | None:
        """Count one request; the refusal when the budget is spent, else None."""
        with self._lock:
            now = time.time()
            if now >= self.reset_at:  # a new window
                self.used, self.reset_at, self._ran_out = 0, int(now + self.window + 0.999), False
            if self.used < self.limit:
                self.used += 1
                return None
            if self.cooldown is not None and not self._ran_out:
                self.reset_at = int(now + self.cooldown + 0.999)
            self._ran_out = True
            self.refusals.append((now, self.reset_at))
            return Reply(
                403,
                {
                    "message": "API rate limit exceeded for installation ID 1.",
                    "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
                },
            )

    def headers(self) -> dict[str, str]:
        with self._lock:
            return {
                "X-RateLimit-Limit": str(self.limit),
                "X-RateLimit-Remaining": str(max(0, self.limit - self.used)),
                "X-RateLimit-Reset": str(self.reset_at),
                "X-RateLimit-Used": str(self.used),
                "X-RateLimit-Resource": "core",
            }


class FakeGitHub:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        # Consulted before the routes: each takes the request and answers it or returns None.
        self.interceptors: list[Callable[[Received], Reply | None]] = []
        self.rate_limit = RateLimit()
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

    def serve_issue_comments(self) -> IssueComments:
        """Keep PR and issue comments as GitHub does (create, then list them); returns the store."""
        comments = IssueComments(self)
        self.route("POST", IssueComments.PATH, comments.create)
        self.route("GET", IssueComments.PATH, comments.list)
        return comments

    def serve_issues(self) -> FakeIssues:
        """Serve issues from a small in-memory tracker: create, list, get, update, timeline."""
        issues = FakeIssues(self)
        self.route("POST", r"/repos/[^/]+/[^/]+/issues", issues.create)
        self.route("GET", r"/repos/[^/]+/[^/]+/issues", issues.list)
        self.route("GET", r"/repos/[^/]+/[^/]+/issues/\d+", issues.get)
        self.route("PATCH", r"/repos/[^/]+/[^/]+/issues/\d+", issues.update)
        self.route("GET", r"/repos/[^/]+/[^/]+/issues/\d+/timeline", issues.timeline)
        return issues

    def _reply_for(self, received: Received) -> Reply:
        for interceptor in list(self.interceptors):
            reply = interceptor(received)
            if reply is not None:
                return reply
        with self._lock:
            for route_method, regex, replies in self._routes:
                if route_method == received.method and regex.match(received.path):
                    reply = replies.pop(0) if len(replies) > 1 else replies[0]
                    break
            else:
                return Reply(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
        # Computed answers run outside the lock: they may add routes or read the store.
        return reply(received) if callable(reply) else reply

    def _headers_for(self, reply: Reply) -> dict[str, str]:
        """The reply's headers, after the budget's rate-limit headers unless the reply scripts its own."""
        own = {name.lower() for name in reply.headers}
        budget = {name: value for name, value in self.rate_limit.headers().items() if name.lower() not in own}
        return budget | reply.headers

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
                    at=time.time(),
                )
                fake.requests.append(request)
                reply = fake.rate_limit.spend() or fake._reply_for(request)
                request.status = reply.status
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
                    for name, value in fake._headers_for(reply).items():
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


class FakeIssues:
    """The issues of the fake GitHub, kept in memory, built from the recorded `issues.create` example.

    `updated_at` comes from a clock that moves one minute per change, so tests can order
    deliveries. `lose_next_create()` makes GitHub create the issue but lose the answer.
    """

    def __init__(self, fake: FakeGitHub) -> None:
        self.fake = fake
        self.issues: dict[tuple[str, int], dict] = {}
        self.timelines: dict[tuple[str, int], list[dict]] = {}
        self.clock = datetime.now(UTC).replace(microsecond=0)
        self._lose_creates = 0
        self._next_id = 9_000_000

    def lose_next_create(self) -> None:
        self._lose_creates += 1

    def tick(self) -> str:
        self.clock += timedelta(minutes=1)
        return self.clock.strftime("%Y-%m-%dT%H:%M:%SZ")

    def in_repo(self, full_name: str) -> list[dict]:
        return [issue for (repo, _), issue in sorted(self.issues.items()) if repo == full_name]

    def _user(self, login: str) -> dict:
        user = copy.deepcopy(self.fake.fixture("issues.create.201.json")["user"])
        user.update(login=login, html_url=f"https://github.com/{login}")
        return user

    @staticmethod
    def _where(received: Received) -> tuple[str, int | None]:
        match = re.match(r"/repos/([^/]+/[^/]+)/issues(?:/(\d+))?", received.path)
        return match.group(1), int(match.group(2)) if match.group(2) else None

    def create(self, received: Received) -> Reply:
        repo, _ = self._where(received)
        data = received.json or {}
        number = len(self.in_repo(repo)) + 1
        self._next_id += 1
        issue = copy.deepcopy(self.fake.fixture("issues.create.201.json"))
        issue.update(
            id=self._next_id,
            number=number,
            title=data["title"],
            body=data.get("body", ""),
            labels=[{"name": name, "color": "ededed"} for name in data.get("labels", [])],
            assignees=[self._user(login) for login in data.get("assignees", [])],
            state="open",
            state_reason=None,
            closed_at=None,
            closed_by=None,
            pull_request=None,
            url=f"{self.fake.base_url}/repos/{repo}/issues/{number}",
            html_url=f"https://github.com/{repo}/issues/{number}",
            repository_url=f"{self.fake.base_url}/repos/{repo}",
            updated_at=self.tick(),
        )
        issue["assignee"] = issue["assignees"][0] if issue["assignees"] else None
        issue.pop("pull_request")
        self.issues[(repo, number)] = issue
        lost = self._lose_creates > 0
        self._lose_creates -= lost
        return Reply(201, issue, drop=lost)

    def list(self, received: Received) -> Reply:
        repo, _ = self._where(received)
        query = {k: v[0] for k, v in parse_qs(urlsplit(received.path).query).items()}
        wanted = set(filter(None, query.get("labels", "").split(",")))
        state = query.get("state", "open")
        found = [
            issue
            for issue in reversed(self.in_repo(repo))
            if wanted <= {label["name"] for label in issue["labels"]}
            and (state == "all" or issue["state"] == state)
            and issue["updated_at"] >= query.get("since", "")
        ]
        return Reply(200, found)

    def get(self, received: Received) -> Reply:
        issue = self.issues.get(self._where(received))
        return Reply(200, issue) if issue else Reply(404, {"message": "Not Found"})

    def update(self, received: Received) -> Reply:
        issue = self.issues.get(self._where(received))
        if issue is None:
            return Reply(404, {"message": "Not Found"})
        data = received.json or {}
        if "state" in data:
            issue["state"] = data["state"]
            issue["state_reason"] = data.get("state_reason") or ("completed" if data["state"] == "closed" else None)
        if "assignees" in data:
            issue["assignees"] = [self._user(login) for login in data["assignees"]]
            issue["assignee"] = issue["assignees"][0] if issue["assignees"] else None
        issue["updated_at"] = self.tick()
        return Reply(200, issue)

    def timeline(self, received: Received) -> Reply:
        repo, number = self._where(received)
        return Reply(200, self.timelines.get((repo, number), []))

    def close_by_pull_request(self, full_name: str, number: int, pull_number: int) -> str:
        """Close an issue the way a merged "Fixes #N" pull request does; returns the PR's URL."""
        pr_url = f"https://github.com/{full_name}/pull/{pull_number}"
        sha = f"{pull_number:040x}"
        self.timelines[(full_name, number)] = [
            {
                "event": "cross-referenced",
                "created_at": self.tick(),
                "source": {
                    "type": "issue",
                    "issue": {
                        "number": pull_number,
                        "html_url": pr_url,
                        "pull_request": {"html_url": pr_url, "merged_at": self.clock.isoformat()},
                    },
                },
            },
            {
                "event": "closed",
                "created_at": self.tick(),
                "commit_id": sha,
                "commit_url": f"{self.fake.base_url}/repos/{full_name}/commits/{sha}",
            },
        ]
        return pr_url
