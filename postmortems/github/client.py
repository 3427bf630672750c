"""Typed calls to the GitHub REST API through PyGithub (the only module that imports it).

Every call returns plain dataclasses and raises only our own errors, so callers decide
what to retry without knowing PyGithub:

- `GitHubRateLimited(retry_after)`: primary or secondary rate limit, or 429;
- `GitHubTransientError(retry_after)`: 5xx, timeouts, connection errors;
- `GitHubPermanentError(status)`: 401, 404, 422 and other refusals — retrying will not help;
  also a repository name or sha that breaks GitHub's rules, refused before any request
  (`names.py`: such a value could point the path, and our token, at another endpoint).
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

from .names import is_full_name, is_sha, sha_or_blank

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
    head_sha: str = ""


@dataclass(frozen=True)
class DeploymentInfo:
    """A deployment as the REST API lists it (SPEC §10 backfill)."""

    id: int
    sha: str
    environment: str
    created_at: datetime | None


@dataclass(frozen=True)
class DeploymentStatusInfo:
    id: int
    state: str
    created_at: datetime | None
    log_url: str
    target_url: str


@dataclass(frozen=True)
class CheckRunInfo:
    id: int
    head_sha: str
    name: str
    status: str
    conclusion: str
    completed_at: datetime | None
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


def _checked_full_name(full_name: str) -> str:
    if not is_full_name(full_name):
        raise GitHubPermanentError(f"Not a GitHub repository name: {full_name[:200]!r}; nothing was sent.")
    return full_name


def _checked_sha(sha: str) -> str:
    if not is_sha(sha):
        raise GitHubPermanentError(f"Not a commit sha (40 hex characters): {sha[:100]!r}; nothing was sent.")
    return sha


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

    def _repo(self, full_name: str):
        """The repository object for a checked `owner/name` (lazy: no request yet)."""
        return self._github.get_repo(_checked_full_name(full_name))

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
            comment = self._repo(full_name).get_issue(number).create_comment(body)
            return Comment(id=comment.id, html_url=comment.html_url or "")

        return self._call(call)

    def create_status(
        self, full_name: str, sha: str, *, state: str, context: str, target_url: str, description: str
    ) -> CommitStatus:
        """Set a commit status; GitHub keeps the latest per context."""

        def call() -> CommitStatus:
            status = (
                self._repo(full_name)
                .get_commit(_checked_sha(sha))
                .create_status(state=state, target_url=target_url, description=description[:140], context=context)
            )
            return CommitStatus(id=status.id, state=status.state, context=status.context, target_url=target_url)

        return self._call(call)

    def repository(self, full_name: str) -> RepositoryInfo:
        def call() -> RepositoryInfo:
            repo = self._repo(full_name)
            return RepositoryInfo(full_name=repo.full_name, id=repo.id, default_branch=repo.default_branch)

        return self._call(call)

    def closed_pulls_page(self, full_name: str, *, base: str, page: int) -> list[PullRequestInfo]:
        """One page of closed PRs into `base`, most recently updated first."""

        def call() -> list[PullRequestInfo]:
            pulls = self._repo(full_name).get_pulls(state="closed", base=base, sort="updated", direction="desc")
            return [_pull_info(pr) for pr in pulls.get_page(page)]

        return self._call(call)

    def deployments_page(self, full_name: str, *, environment: str | None, page: int) -> list[DeploymentInfo]:
        """One page of deployments (newest first), of one environment or of all when `environment` is None."""

        def call() -> list[DeploymentInfo]:
            repo = self._repo(full_name)
            listing = repo.get_deployments(environment=environment) if environment else repo.get_deployments()
            return [
                DeploymentInfo(
                    id=d.id, sha=sha_or_blank(d.sha or ""), environment=d.environment or "", created_at=d.created_at
                )
                for d in listing.get_page(page)
            ]

        return self._call(call)

    def deployment_statuses(self, full_name: str, deployment_id: int) -> list[DeploymentStatusInfo]:
        """A deployment's statuses (one request: GitHub keeps few per deployment)."""

        def call() -> list[DeploymentStatusInfo]:
            deployment = self._repo(full_name).get_deployment(int(deployment_id))
            return [
                DeploymentStatusInfo(
                    id=st.id,
                    state=st.state or "",
                    created_at=st.updated_at or st.created_at,
                    log_url=st.log_url or "",
                    target_url=st.target_url or "",
                )
                for st in deployment.get_statuses().get_page(0)
            ]

        return self._call(call)

    def check_runs(self, full_name: str, sha: str) -> list[CheckRunInfo]:
        """The check runs on one commit (its first page: the runs of one commit fit in it)."""

        def call() -> list[CheckRunInfo]:
            runs = self._repo(full_name).get_commit(_checked_sha(sha)).get_check_runs()
            return [
                CheckRunInfo(
                    id=run.id,
                    head_sha=sha_or_blank(run.head_sha or ""),
                    name=run.name or "",
                    status=run.status or "",
                    conclusion=run.conclusion or "",
                    completed_at=run.completed_at,
                    html_url=run.html_url or "",
                )
                for run in runs.get_page(0)
            ]

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
                for item in self._repo(full_name).get_hook_deliveries(hook_id)
            ]

        return self._call(call)

    def redeliver(self, full_name: str, hook_id: int, delivery_id: int) -> None:
        """Ask GitHub to send a hook delivery again (PyGithub has no method for it yet)."""
        url = f"/repos/{_checked_full_name(full_name)}/hooks/{int(hook_id)}/deliveries/{int(delivery_id)}/attempts"
        self._call(lambda: self._github.requester.requestJsonAndCheck("POST", url))

    def rate_limit_reset_in(self) -> float:
        """Seconds until the core rate limit resets (0 when requests remain)."""

        def call() -> float:
            core = self._github.get_rate_limit().resources.core
            if core.remaining > 0:
                return 0.0
            return max(0.0, core.reset.timestamp() - time.time())

        return self._call(call)


def _pull_info(pr) -> PullRequestInfo:
    head_repo = pr.head.repo
    return PullRequestInfo(
        number=pr.number,
        title=pr.title or "",
        author_login=pr.user.login if pr.user else "",
        merged_at=pr.merged_at,
        updated_at=pr.updated_at,
        merge_commit_sha=sha_or_blank(pr.merge_commit_sha or ""),
        base_branch=pr.base.ref,
        head_branch=pr.head.ref or "",
        head_repository=head_repo.full_name if head_repo else "",
        labels=tuple(label.name for label in pr.labels),
        html_url=pr.html_url or "",
        head_sha=sha_or_blank(pr.head.sha or ""),
    )
