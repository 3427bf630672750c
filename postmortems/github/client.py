"""Typed calls to the GitHub REST API through PyGithub; with `app_auth`, `errors` and `api_types`,
the only code that imports it.

Every call returns plain dataclasses (`api_types`) and raises only our own errors
(`errors`); a repository name or sha that breaks GitHub's rules is refused before any
request (`names.py`: such a value could point the path, and our token, at another endpoint).

Two ways to authenticate (SPEC §13), chosen from the environment alone by `client_for`:
the token (`GITHUB_TOKEN`) or the GitHub App (`app_auth`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from django.conf import settings
from github import Auth, Github

from ..models import Repository
from .api_types import (
    CheckRunInfo,
    Comment,
    CommitStatus,
    DeploymentInfo,
    DeploymentStatusInfo,
    HookDeliveryInfo,
    PullRequestHead,
    PullRequestInfo,
    RepositoryInfo,
    delivery_info,
    pull_info,
)
from .app_auth import (
    InstallationTokenAuth,
    app_configured,
    app_hook_deliveries,
    app_redeliver,
    github_configured,
    installation_of,
    repository_installation,
    sign_in_api_url,
    user_is_org_member,
)
from .errors import (
    GitHubError,
    GitHubInstallationLost,
    GitHubPermanentError,
    GitHubRateLimited,
    GitHubTransientError,
    github_call,
    translate,
)
from .issue_data import IssueInfo, TimelineEntry, issue_info, timeline_entry
from .names import is_full_name, is_sha, sha_or_blank

# Importers name these through this module; they live in the modules above.
__all__ = [
    "CheckRunInfo",
    "Comment",
    "CommitStatus",
    "DeploymentInfo",
    "DeploymentStatusInfo",
    "GitHubClient",
    "GitHubError",
    "GitHubInstallationLost",
    "GitHubPermanentError",
    "GitHubRateLimited",
    "GitHubTransientError",
    "HookDeliveryInfo",
    "IssueInfo",
    "PullRequestHead",
    "PullRequestInfo",
    "RepositoryInfo",
    "TimelineEntry",
    "app_configured",
    "app_hook_deliveries",
    "app_redeliver",
    "client_for",
    "github_configured",
    "sign_in_api_url",
    "translate",
    "user_is_org_member",
]

T = TypeVar("T")


def _checked_full_name(full_name: str) -> str:
    if not is_full_name(full_name):
        raise GitHubPermanentError(f"Not a GitHub repository name: {full_name[:200]!r}; nothing was sent.")
    return full_name


def _checked_sha(sha: str) -> str:
    if not is_sha(sha):
        raise GitHubPermanentError(f"Not a commit sha (40 hex characters): {sha[:100]!r}; nothing was sent.")
    return sha


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
        return github_call(fn)

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
            return [pull_info(pr) for pr in pulls.get_page(page)]

        return self._call(call)

    def open_pull_heads(self, full_name: str, *, base: str) -> list[PullRequestHead]:
        """Every open PR into `base` (all pages), with its head commit."""

        def call() -> list[PullRequestHead]:
            pulls = self._repo(full_name).get_pulls(state="open", base=base)
            return [PullRequestHead(number=pr.number, head_sha=pr.head.sha) for pr in pulls]

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
            return [delivery_info(item) for item in self._repo(full_name).get_hook_deliveries(hook_id)]

        return self._call(call)

    def redeliver(self, full_name: str, hook_id: int, delivery_id: int) -> None:
        """Ask GitHub to send a hook delivery again (PyGithub has no method for it yet)."""
        url = f"/repos/{_checked_full_name(full_name)}/hooks/{int(hook_id)}/deliveries/{int(delivery_id)}/attempts"
        self._call(lambda: self._github.requester.requestJsonAndCheck("POST", url))

    def org_hook_deliveries(self, org: str, hook_id: int) -> list[HookDeliveryInfo]:
        """Every delivery GitHub still lists for an organisation hook, newest first."""
        return self._call(
            lambda: [delivery_info(item) for item in self._github.get_organization(org).get_hook_deliveries(hook_id)]
        )

    def org_redeliver(self, org: str, hook_id: int, delivery_id: int) -> None:
        url = f"/orgs/{org}/hooks/{int(hook_id)}/deliveries/{int(delivery_id)}/attempts"
        self._call(lambda: self._github.requester.requestJsonAndCheck("POST", url))

    def rate_limit_left(self) -> tuple[int, int] | None:
        """(requests left, limit) as GitHub's last answer gave them; None before any answer said.

        Read from the X-RateLimit-* headers PyGithub keeps, never asked of GitHub (that would
        cost nothing against the limit, but it is still a request per look).
        """
        remaining, limit = self._github.requester.rate_limiting
        return (remaining, limit) if limit >= 0 else None

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
            auth=InstallationTokenAuth(lambda: installation_of(lambda app: app.get_org_installation(owner), owner))
        )
    raise ValueError("client_for needs a repository or an owner when the GitHub App is configured.")
