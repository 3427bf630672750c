"""Reading GitHub's payloads into typed, frozen events (SPEC §4). No writes here.

What an event means for our records is `services.deliveries`'s business.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.utils.dateparse import parse_datetime

from .client import PullRequestInfo
from .names import is_full_name, sha_or_blank


class BadPayload(ValueError):
    """The delivery is not what GitHub sends for its event; kept readable for the admin."""


@dataclass(frozen=True)
class PullRequestEvent:
    """The fields of a `pull_request` delivery that we act on."""

    action: str
    repository_full_name: str
    repository_id: int | None
    default_branch: str
    number: int
    title: str
    author_login: str
    merged: bool
    merged_at: datetime | None
    merge_commit_sha: str
    base_branch: str
    head_branch: str
    head_sha: str
    head_repository: str
    labels: tuple[str, ...]
    html_url: str

    @property
    def from_fork(self) -> bool:
        return bool(self.head_repository) and self.head_repository != self.repository_full_name


def _get(data: Any, path: str, kind: type | tuple[type, ...], *, required: bool = True) -> Any:
    value = data
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            if required:
                raise BadPayload(f"`{path}` is missing.")
            return None
        value = value[key]
    if value is None and not required:
        return None
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise BadPayload(f"`{path}` has the wrong type ({type(value).__name__}).")
    return storable(value) if isinstance(value, str) else value


def storable(text: str) -> str:
    """`text` as PostgreSQL can store it: JSON may carry U+0000, text columns cannot.

    (Lone surrogates, the other thing text columns refuse, never get this far: the intake refuses them.)
    """
    return text.replace("\x00", "")


def parse_pull_request(payload: Any) -> PullRequestEvent:
    """Read a `pull_request` payload, or raise BadPayload saying what is wrong."""
    if not isinstance(payload, dict):
        raise BadPayload("The payload is not a JSON object.")
    merged = _get(payload, "pull_request.merged", bool, required=False) or False
    merged_at_raw = _get(payload, "pull_request.merged_at", str, required=False)
    merged_at = parse_datetime(merged_at_raw) if merged_at_raw else None
    if merged_at_raw and merged_at is None:
        raise BadPayload("`pull_request.merged_at` is not a date and time.")
    if merged and merged_at is None:
        raise BadPayload("`pull_request.merged_at` is missing on a merged pull request.")
    labels = _get(payload, "pull_request.labels", list, required=False) or []
    head_repo = _get(payload, "pull_request.head.repo", dict, required=False) or {}
    user = _get(payload, "pull_request.user", dict, required=False) or {}
    full_name = _get(payload, "repository.full_name", str)
    if not is_full_name(full_name):  # it goes into GitHub API paths later
        raise BadPayload("`repository.full_name` is not a GitHub `owner/name`.")
    return PullRequestEvent(
        action=_get(payload, "action", str),
        repository_full_name=full_name,
        repository_id=_get(payload, "repository.id", int, required=False),
        default_branch=_get(payload, "repository.default_branch", str, required=False) or "main",
        number=_get(payload, "pull_request.number", int),
        title=_get(payload, "pull_request.title", str, required=False) or "",
        author_login=storable(str(user.get("login") or "")),
        merged=merged,
        merged_at=merged_at,
        # Anything but a full sha is dropped: it would be put in an API path.
        merge_commit_sha=sha_or_blank(_get(payload, "pull_request.merge_commit_sha", str, required=False) or ""),
        base_branch=_get(payload, "pull_request.base.ref", str),
        head_branch=_get(payload, "pull_request.head.ref", str, required=False) or "",
        head_sha=sha_or_blank(_get(payload, "pull_request.head.sha", str, required=False) or ""),
        head_repository=storable(str(head_repo.get("full_name") or "")),
        labels=tuple(storable(str(label.get("name", ""))) for label in labels if isinstance(label, dict)),
        html_url=_get(payload, "pull_request.html_url", str, required=False) or "",
    )


def payload_action(payload: Any) -> str:
    """The delivery's `action`, as the column can store it (shown in the admin and the API)."""
    action = payload.get("action") if isinstance(payload, dict) else None
    if not isinstance(action, str):
        return ""
    return storable(action)[:100]


def merged_pull_request_event(
    pull: PullRequestInfo, *, repository_full_name: str, repository_id: int | None, default_branch: str
) -> PullRequestEvent:
    """A merged PR read through the REST API (the backfill), as the event a `closed` delivery would give.

    The PR's labels and title are as they are now, not as they were at the merge.
    """
    return PullRequestEvent(
        action="closed",
        repository_full_name=repository_full_name,
        repository_id=repository_id,
        default_branch=default_branch,
        number=pull.number,
        title=pull.title,
        author_login=pull.author_login,
        merged=True,
        merged_at=pull.merged_at,
        merge_commit_sha=pull.merge_commit_sha,
        base_branch=pull.base_branch,
        head_branch=pull.head_branch,
        head_sha=pull.head_sha,
        head_repository=pull.head_repository,
        labels=tuple(pull.labels),
        html_url=pull.html_url,
    )


# --- Repositories and the App's installations (SPEC §13) --------------------------------


@dataclass(frozen=True)
class RepositoryRef:
    """Who a delivery is about: GitHub's id (the identity), its name now, and the App installation."""

    github_id: int | None
    full_name: str
    default_branch: str
    # GitHub's `repository.updated_at`: tells a late redelivery from news (see services.repositories).
    updated_at: datetime | None
    installation_id: int | None


@dataclass(frozen=True)
class InstalledRepository:
    github_id: int
    full_name: str


@dataclass(frozen=True)
class InstallationEvent:
    """An `installation` or `installation_repositories` delivery: which repositories came and went."""

    action: str
    installation_id: int
    account_login: str
    added: tuple[InstalledRepository, ...]
    removed: tuple[InstalledRepository, ...]


@dataclass(frozen=True)
class RepositoryEvent:
    """A `repository` delivery (renamed, transferred, edited, deleted...)."""

    action: str
    repository: RepositoryRef


def _timestamp(value: Any) -> datetime | None:
    """GitHub writes repository times as ISO text, or (in `push`) as epoch seconds."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=UTC)
    if isinstance(value, str):
        try:
            return parse_datetime(value)
        except ValueError:  # looks like a date but is none (month 13)
            return None
    return None


def parse_repository_ref(payload: Any) -> RepositoryRef | None:
    """The `repository` (and `installation`) of any delivery; None when it names no repository."""
    if not isinstance(payload, dict) or not isinstance(payload.get("repository"), dict):
        return None
    repo = payload["repository"]
    full_name = _get(payload, "repository.full_name", str)
    if full_name.count("/") != 1 or any(ch.isspace() for ch in full_name):
        raise BadPayload("`repository.full_name` is not owner/name.")
    return RepositoryRef(
        github_id=_get(payload, "repository.id", int, required=False),
        full_name=full_name,
        default_branch=_get(payload, "repository.default_branch", str, required=False) or "",
        updated_at=_timestamp(repo.get("updated_at")),
        installation_id=_get(payload, "installation.id", int, required=False),
    )


def _installed(payload: dict, key: str) -> tuple[InstalledRepository, ...]:
    items = _get(payload, key, list, required=False) or []
    found = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("id"), int) or isinstance(item.get("id"), bool):
            raise BadPayload(f"`{key}` holds an entry without a numeric `id`.")
        full_name = item.get("full_name")
        if not isinstance(full_name, str) or full_name.count("/") != 1:
            raise BadPayload(f"`{key}` holds an entry without an owner/name `full_name`.")
        found.append(InstalledRepository(github_id=item["id"], full_name=storable(full_name)))
    return tuple(found)


def parse_installation(payload: Any, *, event: str) -> InstallationEvent:
    """Read an `installation` or `installation_repositories` payload.

    `installation` lists the repositories it covers in `repositories`: added when it is
    created, removed when it is deleted; `installation_repositories` says both itself.
    """
    if not isinstance(payload, dict):
        raise BadPayload("The payload is not a JSON object.")
    action = _get(payload, "action", str)
    if event == "installation_repositories":
        added, removed = _installed(payload, "repositories_added"), _installed(payload, "repositories_removed")
    else:
        listed = _installed(payload, "repositories")
        added, removed = (listed, ()) if action != "deleted" else ((), listed)
    return InstallationEvent(
        action=action,
        installation_id=_get(payload, "installation.id", int),
        account_login=_get(payload, "installation.account.login", str, required=False) or "",
        added=added,
        removed=removed,
    )


def parse_repository_event(payload: Any) -> RepositoryEvent:
    ref = parse_repository_ref(payload)
    if ref is None:
        raise BadPayload("`repository` is missing.")
    return RepositoryEvent(action=_get(payload, "action", str), repository=ref)


@dataclass(frozen=True)
class IssuesEvent:
    """The fields of an `issues` delivery that can change a prevention action (SPEC §11).

    `updated_at` is the issue's own, as of this event: deliveries can arrive late, twice or
    out of order, and it tells which of two is the newer.
    """

    action: str
    repository_full_name: str
    issue_id: int
    number: int
    html_url: str
    state: str
    state_reason: str
    updated_at: datetime | None
    assignee_login: str
    sender_login: str
    changed_fields: tuple[str, ...]


def _time(payload: Any, path: str) -> datetime | None:
    raw = _get(payload, path, str, required=False)
    if not raw:
        return None
    parsed = parse_datetime(raw)
    if parsed is None:
        raise BadPayload(f"`{path}` is not a date and time.")
    return parsed


def parse_issues(payload: Any) -> IssuesEvent:
    """Read an `issues` payload, or raise BadPayload saying what is wrong."""
    if not isinstance(payload, dict):
        raise BadPayload("The payload is not a JSON object.")
    assignee = _get(payload, "assignee", dict, required=False) or {}
    sender = _get(payload, "sender", dict, required=False) or {}
    changes = _get(payload, "changes", dict, required=False) or {}
    return IssuesEvent(
        action=_get(payload, "action", str),
        repository_full_name=_get(payload, "repository.full_name", str),
        issue_id=_get(payload, "issue.id", int),
        number=_get(payload, "issue.number", int),
        html_url=_get(payload, "issue.html_url", str, required=False) or "",
        state=_get(payload, "issue.state", str, required=False) or "",
        state_reason=_get(payload, "issue.state_reason", str, required=False) or "",
        updated_at=_time(payload, "issue.updated_at"),
        assignee_login=storable(str(assignee.get("login") or "")),
        sender_login=storable(str(sender.get("login") or "")),
        changed_fields=tuple(sorted(storable(str(key)) for key in changes)),
    )
