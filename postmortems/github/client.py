"""Typed calls to the GitHub REST API through PyGithub (the only module that imports it).

Every call returns plain dataclasses and raises only our own errors, so callers decide
what to retry without knowing PyGithub:

- `GitHubRateLimited(retry_after)`: primary or secondary rate limit, or 429;
- `GitHubTransientError(retry_after)`: 5xx, timeouts, connection errors;
- `GitHubPermanentError(status)`: 401, 404, 422 and other refusals — retrying will not help;
  also a repository name or sha that breaks GitHub's rules, refused before any request
  (`names.py`: such a value could point the path, and our token, at another endpoint).
  `GitHubInstallationLost` when the GitHub App's installation is suspended or gone.

Two ways to authenticate (SPEC §13), chosen from the environment alone by `client_for`:
the token (`GITHUB_TOKEN`) or the GitHub App (`GITHUB_APP_ID` and its private key), whose
installation tokens are made through PyGithub's `AppAuth`/`GithubIntegration` and shared
by every process (`app_tokens`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import requests
from django.conf import settings
from github import Auth, Github, GithubException, GithubIntegration
from github.HookDelivery import HookDeliverySummary
from github.PaginatedList import PaginatedList

from ..choices import InstallationState
from ..models import Repository
from . import app_tokens
from .issue_data import IssueInfo, TimelineEntry, issue_info, timeline_entry
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


class GitHubInstallationLost(GitHubPermanentError):
    """The App's installation for this repository is suspended, uninstalled or refused: not retried."""


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
class PullRequestHead:
    """An open PR and the commit its checks and statuses are on."""

    number: int
    head_sha: str


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
    """A small, typed face of the GitHub API for one token (or one App installation: see `client_for`)."""

    def __init__(
        self,
        token: str | None = None,
        *,
        base_url: str | None = None,
        timeout: int = 30,
        auth: Auth.Auth | None = None,
    ) -> None:
        token = token if token is not None else settings.GITHUB_TOKEN
        # No PyGithub retries or throttling: Celery owns retries, so a worker never sleeps here.
        self._github = Github(
            auth=auth or (Auth.Token(token) if token else None),
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

    def find_comment(self, full_name: str, number: int, marker: str) -> Comment | None:
        """The first comment on a PR (or issue) whose body contains `marker`, reading every page; None if none.

        How a write whose answer was lost is recognised before it is made again.
        """

        def call() -> Comment | None:
            for comment in self._repo(full_name).get_issue(number).get_comments():
                if marker in (comment.body or ""):
                    return Comment(id=comment.id, html_url=comment.html_url or "")
            return None

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

    def open_pull_heads(self, full_name: str, *, base: str) -> list[PullRequestHead]:
        """Every open PR into `base` (all pages), with its head commit."""

        def call() -> list[PullRequestHead]:
            pulls = self._repo(full_name).get_pulls(state="open", base=base)
            return [PullRequestHead(number=pr.number, head_sha=pr.head.sha) for pr in pulls]

        return self._call(call)

    def hook_deliveries(self, full_name: str, hook_id: int) -> list[HookDeliveryInfo]:
        """Every delivery GitHub still lists for the hook, newest first."""

        def call() -> list[HookDeliveryInfo]:
            return [_delivery_info(item) for item in self._repo(full_name).get_hook_deliveries(hook_id)]

        return self._call(call)

    def redeliver(self, full_name: str, hook_id: int, delivery_id: int) -> None:
        """Ask GitHub to send a hook delivery again (PyGithub has no method for it yet)."""
        url = f"/repos/{_checked_full_name(full_name)}/hooks/{int(hook_id)}/deliveries/{int(delivery_id)}/attempts"
        self._call(lambda: self._github.requester.requestJsonAndCheck("POST", url))

    def org_hook_deliveries(self, org: str, hook_id: int) -> list[HookDeliveryInfo]:
        """Every delivery GitHub still lists for an organisation hook, newest first."""
        return self._call(
            lambda: [_delivery_info(item) for item in self._github.get_organization(org).get_hook_deliveries(hook_id)]
        )

    def org_redeliver(self, org: str, hook_id: int, delivery_id: int) -> None:
        url = f"/orgs/{org}/hooks/{int(hook_id)}/deliveries/{int(delivery_id)}/attempts"
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
            repo = self._repo(full_name)
            issue = repo.create_issue(title=title[:256], body=body, labels=labels, assignees=assignees)
            return issue_info(issue)

        return self._call(call)

    def find_issue_with_marker(self, full_name: str, *, label: str, marker: str, since: datetime) -> IssueInfo | None:
        """The issue carrying `label` whose body contains `marker`, updated since `since`; None if there is none.

        The list endpoint, not search: search is eventually consistent, and this check runs
        right after a create whose answer was lost.
        """

        def call() -> IssueInfo | None:
            issues = self._repo(full_name).get_issues(
                state="all", labels=[label], since=since, sort="created", direction="desc"
            )
            for issue in issues:
                # The list holds pull requests too; their html_url says so (no extra request to ask).
                if "/pull/" not in (issue.html_url or "") and marker in (issue.body or ""):
                    return issue_info(issue)
            return None

        return self._call(call)

    def get_issue(self, full_name: str, number: int) -> IssueInfo:
        return self._call(lambda: issue_info(self._repo(full_name).get_issue(int(number))))

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
            issue = self._repo(full_name).get_issue(int(number))
            issue.edit(**changes)
            return issue_info(issue)

        return self._call(call)

    def issue_timeline(self, full_name: str, number: int) -> list[TimelineEntry]:
        """The events of an issue's timeline that can name the change which closed it."""

        def call() -> list[TimelineEntry]:
            issue = self._repo(full_name).get_issue(int(number))
            return [timeline_entry(event.raw_data) for event in issue.get_timeline()]

        return self._call(call)


def _delivery_info(item) -> HookDeliveryInfo:
    return HookDeliveryInfo(
        id=item.id,
        guid=item.guid or "",
        delivered_at=item.delivered_at,
        status_code=item.status_code,
        status=item.status or "",
        event=item.event or "",
        action=item.action or "",
        redelivery=bool(item.redelivery),
    )


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
    )


# --- Which credentials: the token or the GitHub App (SPEC §13) -----------------------------


def app_configured() -> bool:
    """The GitHub App is configured (GITHUB_APP_ID and its key); it then wins over GITHUB_TOKEN."""
    return bool(settings.GITHUB_APP_ID and settings.GITHUB_APP_PRIVATE_KEY)


def github_configured() -> bool:
    """Whether we can call GitHub at all, with the token or as the App."""
    return bool(settings.GITHUB_TOKEN) or app_configured()


def app_integration(*, timeout: int = 30) -> GithubIntegration:
    """PyGithub's client for the App's own routes (`/app/...`), signed with a short-lived JWT."""
    return GithubIntegration(
        auth=Auth.AppAuth(str(settings.GITHUB_APP_ID), settings.GITHUB_APP_PRIVATE_KEY),
        base_url=settings.GITHUB_API_URL.rstrip("/"),
        timeout=timeout,
        retry=None,
        seconds_between_requests=None,
        seconds_between_writes=None,
        lazy=True,
        per_page=100,
    )


def _app_call(fn: Callable[[], T]) -> T:
    try:
        return fn()
    except GithubException as exc:
        raise translate(exc) from exc
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise GitHubTransientError(f"Could not reach GitHub: {exc}") from exc


def installation_token(installation_id: int) -> str:
    """A token of the installation with over five minutes left: the shared one, or a new one.

    GitHub refusing to make one (403 suspended, 404 uninstalled, 401) is recorded on the
    installation, shown on its repositories, and raises GitHubInstallationLost without
    asking GitHub again for a while (`app_tokens.RECHECK_AFTER`).
    """
    cached = app_tokens.cached_token(installation_id)
    if cached is not None:
        return cached.token
    refused = app_tokens.installation_refusal(installation_id)
    if refused is not None:
        raise GitHubInstallationLost(
            refused.state_message or f"The GitHub App installation {installation_id} is {refused.state}."
        )
    try:
        authorization = _app_call(lambda: app_integration().get_access_token(installation_id))
    except GitHubPermanentError as exc:
        state = InstallationState.SUSPENDED if exc.status == 403 else InstallationState.REVOKED
        message = f"GitHub refused a token for the App installation {installation_id}: {exc}"
        app_tokens.record_installation_state(installation_id, state=state, message=message)
        raise GitHubInstallationLost(message, status=exc.status) from exc
    app_tokens.record_installation_state(installation_id, state=InstallationState.ACTIVE, message="")
    token = app_tokens.InstallationToken(authorization.token, authorization.expires_at)
    app_tokens.store_token(installation_id, token)
    return token.token


class InstallationTokenAuth(Auth.Auth):
    """Authenticates each request with the installation's shared token, found (once) when first needed."""

    def __init__(self, find_installation: Callable[[], int]) -> None:
        self._find_installation = find_installation
        self._installation_id: int | None = None

    @property
    def token_type(self) -> str:
        return "token"

    @property
    def token(self) -> str:
        if self._installation_id is None:
            self._installation_id = self._find_installation()
        return installation_token(self._installation_id)


def _installation_of(find: Callable[[GithubIntegration], object], what: str) -> int:
    try:
        return _app_call(lambda: find(app_integration())).id
    except GitHubPermanentError as exc:
        raise GitHubPermanentError(f"The GitHub App is not installed on {what}: {exc}", status=exc.status) from exc


def repository_installation(repository: Repository) -> int:
    """The installation acting for the repository: the one its deliveries named, else asked of GitHub (and kept)."""
    if repository.installation_id is not None:
        return repository.installation_id
    owner, name = repository.full_name.split("/", 1)
    installation_id = _installation_of(lambda app: app.get_repo_installation(owner, name), repository.full_name)
    if repository.pk is not None:
        app_tokens.link_repository_installation(repository.pk, installation_id)
    repository.installation_id = installation_id
    return installation_id


def client_for(repository: Repository | None = None, *, owner: str | None = None) -> GitHubClient:
    """The one way to a client: as the App's installation for `repository` (or for the account
    `owner`, for its organisation hooks) when the App is configured, else with GITHUB_TOKEN.

    Switching from the token to the App is a matter of environment variables: installations
    are found from deliveries or asked of GitHub the first time.
    """
    if not app_configured():
        return GitHubClient()
    if repository is not None:
        return GitHubClient(auth=InstallationTokenAuth(lambda: repository_installation(repository)))
    if owner:
        return GitHubClient(
            auth=InstallationTokenAuth(lambda: _installation_of(lambda app: app.get_org_installation(owner), owner))
        )
    raise ValueError("client_for needs a repository or an owner when the GitHub App is configured.")


def app_hook_deliveries() -> list[HookDeliveryInfo]:
    """Every delivery GitHub still lists for the App's own webhook (authenticated as the App)."""

    def call() -> list[HookDeliveryInfo]:
        requester = app_integration().requester
        items = PaginatedList(HookDeliverySummary, requester, "/app/hook/deliveries", None)
        return [_delivery_info(item) for item in items]

    return _app_call(call)


def app_redeliver(delivery_id: int) -> None:
    """Ask GitHub to send one of the App's webhook deliveries again."""
    url = f"/app/hook/deliveries/{int(delivery_id)}/attempts"
    _app_call(lambda: app_integration().requester.requestJsonAndCheck("POST", url))


# --- Sign in with GitHub: questions asked with the person's own OAuth token ---------------


def sign_in_api_url() -> str:
    """The API that goes with GITHUB_URL, as allauth's GitHub provider reads it: api.github.com for
    github.com, else GITHUB_URL/api/v3 (GitHub Enterprise, and the fake GitHub of the tests)."""
    web = settings.GITHUB_URL.rstrip("/")
    return "https://api.github.com" if web == "https://github.com" else f"{web}/api/v3"


def user_is_org_member(user_token: str, org: str) -> bool:
    """Whether the person holding `user_token` is an active member of `org` (a pending invitation is not)."""
    github = Github(auth=Auth.Token(user_token), base_url=sign_in_api_url(), timeout=15, retry=None, lazy=True)
    try:
        membership = github.get_user().get_organization_membership(org)
    except GithubException as exc:
        if exc.status in (403, 404):  # not a member, or the org hides it from this token
            return False
        raise translate(exc) from exc
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise GitHubTransientError(f"Could not reach GitHub: {exc}") from exc
    return membership.state == "active"
