"""What the GitHub client returns: plain frozen dataclasses, read from PyGithub's objects here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .names import sha_or_blank


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
class PullRequestHead:
    """An open PR and the commit its checks and statuses are on."""

    number: int
    head_sha: str


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


def delivery_info(item) -> HookDeliveryInfo:
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


def pull_info(pr) -> PullRequestInfo:
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
