"""Typed calls to the GitHub REST API through PyGithub (the only module that imports it).

Every call returns plain dataclasses and raises only our own errors, so callers decide
what to retry without knowing PyGithub:

- `GitHubRateLimited(retry_after)`: primary or secondary rate limit, or 429;
- `GitHubTransientError(retry_after)`: 5xx, timeouts, connection errors;
- `GitHubPermanentError(status)`: 401, 404, 422 and other refusals — retrying will not help.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import requests
from django.conf import settings
from github import Auth, Github, GithubException

from .issue_data import IssueInfo, TimelineEntry, issue_info, timeline_entry, valid_full_name

T = TypeVar("T")

DEFAULT_RATE_LIMIT_WAIT = 60.0


class GitHubError(Exception):
    """Base of every error the client raises."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class GitHubTransientError(GitHubError):
    """Worth trying again later (5xx, network trouble); `retry_after` is a hint or None."""


class GitHubRateLimited(GitHubTransientError):
    """GitHub asked us to slow down; `retry_after` seconds until it is worth trying again."""


class GitHubPermanentError(GitHubError):
    """GitHub refused the request for good (bad token, no such PR, invalid input)."""


@dataclass(frozen=True)
class Comment:
    id: int
    html_url: str


@dataclass(frozen=True)
class CommitStatus:
    id: int
    state: str
    context: str
    target_url: str


@dataclass(frozen=True)
class RepositoryInfo:
    full_name: str
    id: int
    default_branch: str


@dataclass(frozen=True)
class PullRequestInfo:
    number: int
    title: str
    author_login: str
    merged_at: datetime | None
    updated_at: datetime | None
    merge_commit_sha: str
    base_branch: str
    head_branch: str
    head_repository: str
    labels: tuple[str, ...]
    html_url: str


@dataclass(frozen=True)
class HookDeliveryInfo:
    id: int
    guid: str
    delivered_at: datetime | None
    status_code: int | None
    status: str
    event: str
    action: str
    redelivery: bool


def _checked(full_name: str) -> str:
    if not valid_full_name(full_name):
        raise GitHubPermanentError(f"Not a repository name GitHub would accept: {full_name[:200]!r}")
    return full_name


def _header_float(headers: dict, name: str) -> float | None:
    try:
        return float(headers[name])
    except (KeyError, TypeError, ValueError):
        return None


def translate(exc: GithubException, *, now: float | None = None) -> GitHubError:
    """Map a PyGithub exception onto our three kinds of error."""
    headers = {str(k).lower(): v for k, v in (exc.headers or {}).items()}
    message = str((exc.data or {}).get("message") if isinstance(exc.data, dict) else exc.data or exc)
    status = exc.status
    retry_after = _header_float(headers, "retry-after")
    reset = _header_float(headers, "x-ratelimit-reset")
    if retry_after is None and reset is not None:
        retry_after = max(0.0, reset - (now if now is not None else time.time()))
    rate_limited = (
        status == 429
        or (status == 403 and headers.get("x-ratelimit-remaining") == "0")
        or (status == 403 and "rate limit" in message.lower())
    )
    if rate_limited:
        return GitHubRateLimited(
            f"GitHub rate limit ({status}): {message}",
            status=status,
            retry_after=DEFAULT_RATE_LIMIT_WAIT if retry_after is None else retry_after,
        )
    if status >= 500:
        return GitHubTransientError(f"GitHub error {status}: {message}", status=status, retry_after=retry_after)
    return GitHubPermanentError(f"GitHub refused the request ({status}): {message}", status=status)


class GitHubClient:
    """A small, typed face of the GitHub API for one token."""

    def __init__(self, token: str | None = None, *, base_url: str | None = None, timeout: int = 30) -> None:
        token = token if token is not None else settings.GITHUB_TOKEN
        # No PyGithub retries or throttling: Celery owns retries, so a worker never sleeps here.
        self._github = Github(
            auth=Auth.Token(token) if token else None,
            base_url=(base_url or settings.GITHUB_API_URL).rstrip("/"),
            timeout=timeout,
            retry=None,
            seconds_between_requests=None,
            seconds_between_writes=None,
            lazy=True,
            per_page=100,
        )

    def _call(self, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except GithubException as exc:
            raise translate(exc) from exc
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise GitHubTransientError(f"Could not reach GitHub: {exc}") from exc

    def create_comment(self, full_name: str, number: int, body: str) -> Comment:
        """Comment on a PR (PRs are issues for comments)."""

        def call() -> Comment:
            comment = self._github.get_repo(full_name).get_issue(number).create_comment(body)
            return Comment(id=comment.id, html_url=comment.html_url or "")

        return self._call(call)

    def create_status(
        self, full_name: str, sha: str, *, state: str, context: str, target_url: str, description: str
    ) -> CommitStatus:
        """Set a commit status; GitHub keeps the latest per context."""

        def call() -> CommitStatus:
            status = (
                self._github.get_repo(full_name)
                .get_commit(sha)
                .create_status(state=state, target_url=target_url, description=description[:140], context=context)
            )
            return CommitStatus(id=status.id, state=status.state, context=status.context, target_url=target_url)

        return self._call(call)

    def repository(self, full_name: str) -> RepositoryInfo:
        def call() -> RepositoryInfo:
            repo = self._github.get_repo(full_name)
            return RepositoryInfo(full_name=repo.full_name, id=repo.id, default_branch=repo.default_branch)

        return self._call(call)

    def closed_pulls_page(self, full_name: str, *, base: str, page: int) -> list[PullRequestInfo]:
        """One page of closed PRs into `base`, most recently updated first."""

        def call() -> list[PullRequestInfo]:
            pulls = self._github.get_repo(full_name).get_pulls(
                state="closed", base=base, sort="updated", direction="desc"
            )
            return [_pull_info(pr) for pr in pulls.get_page(page)]

        return self._call(call)

    def hook_deliveries(self, full_name: str, hook_id: int) -> list[HookDeliveryInfo]:
        """Every delivery GitHub still lists for the hook, newest first."""

        def call() -> list[HookDeliveryInfo]:
            return [
                HookDeliveryInfo(
                    id=item.id,
                    guid=item.guid or "",
                    delivered_at=item.delivered_at,
                    status_code=item.status_code,
                    status=item.status or "",
                    event=item.event or "",
                    action=item.action or "",
                    redelivery=bool(item.redelivery),
                )
                for item in self._github.get_repo(full_name).get_hook_deliveries(hook_id)
            ]

        return self._call(call)

    def redeliver(self, full_name: str, hook_id: int, delivery_id: int) -> None:
        """Ask GitHub to send a hook delivery again (PyGithub has no method for it yet)."""
        url = f"/repos/{full_name}/hooks/{int(hook_id)}/deliveries/{int(delivery_id)}/attempts"
        self._call(lambda: self._github.requester.requestJsonAndCheck("POST", url))

    def rate_limit_reset_in(self) -> float:
        """Seconds until the core rate limit resets (0 when requests remain)."""

        def call() -> float:
            core = self._github.get_rate_limit().resources.core
            if core.remaining > 0:
                return 0.0
            return max(0.0, core.reset.timestamp() - time.time())

        return self._call(call)

    # --- issues (prevention actions as GitHub issues, SPEC §11) ---------------------

    def create_issue(
        self, full_name: str, *, title: str, body: str, labels: list[str], assignees: list[str]
    ) -> IssueInfo:
        """Open an issue; GitHub creates labels it does not know yet."""

        def call() -> IssueInfo:
            repo = self._github.get_repo(_checked(full_name))
            issue = repo.create_issue(title=title[:256], body=body, labels=labels, assignees=assignees)
            return issue_info(issue)

        return self._call(call)

    def find_issue_with_marker(self, full_name: str, *, label: str, marker: str, since: datetime) -> IssueInfo | None:
        """The issue carrying `label` whose body contains `marker`, updated since `since`; None if there is none.

        The list endpoint, not search: search is eventually consistent, and this check runs
        right after a create whose answer was lost.
        """

        def call() -> IssueInfo | None:
            issues = self._github.get_repo(_checked(full_name)).get_issues(
                state="all", labels=[label], since=since, sort="created", direction="desc"
            )
            for issue in issues:
                # The list holds pull requests too; their html_url says so (no extra request to ask).
                if "/pull/" not in (issue.html_url or "") and marker in (issue.body or ""):
                    return issue_info(issue)
            return None

        return self._call(call)

    def get_issue(self, full_name: str, number: int) -> IssueInfo:
        return self._call(lambda: issue_info(self._github.get_repo(_checked(full_name)).get_issue(int(number))))

    def update_issue(
        self,
        full_name: str,
        number: int,
        *,
        state: str | None = None,
        state_reason: str | None = None,
        assignees: list[str] | None = None,
    ) -> IssueInfo:
        """Change an issue's state (with its reason) and/or its assignees; returns the issue as it is now."""
        changes: dict = {}
        if state is not None:
            changes["state"] = state
        if state_reason is not None:
            changes["state_reason"] = state_reason
        if assignees is not None:
            changes["assignees"] = assignees

        def call() -> IssueInfo:
            issue = self._github.get_repo(_checked(full_name)).get_issue(int(number))
            issue.edit(**changes)
            return issue_info(issue)

        return self._call(call)

    def issue_timeline(self, full_name: str, number: int) -> list[TimelineEntry]:
        """The events of an issue's timeline that can name the change which closed it."""

        def call() -> list[TimelineEntry]:
            issue = self._github.get_repo(_checked(full_name)).get_issue(int(number))
            return [timeline_entry(event.raw_data) for event in issue.get_timeline()]

        return self._call(call)


def _pull_info(pr) -> PullRequestInfo:
    head_repo = pr.head.repo
    return PullRequestInfo(
        number=pr.number,
        title=pr.title or "",
        author_login=pr.user.login if pr.user else "",
        merged_at=pr.merged_at,
        updated_at=pr.updated_at,
        merge_commit_sha=pr.merge_commit_sha or "",
        base_branch=pr.base.ref,
        head_branch=pr.head.ref or "",
        head_repository=head_repo.full_name if head_repo else "",
        labels=tuple(label.name for label in pr.labels),
        html_url=pr.html_url or "",
    )
