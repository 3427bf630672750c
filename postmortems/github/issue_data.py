"""Issues as the GitHub client returns them (SPEC §11): plain dataclasses, and reading them from
PyGithub's objects by attribute. No PyGithub import here; `client.py` makes the calls.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

__all__ = ["IssueInfo", "TimelineEntry", "issue_info", "timeline_entry"]


@dataclass(frozen=True)
class IssueInfo:
    """An issue as the REST API returns it; `assignee` is the first assignee's login, or ""."""

    id: int
    number: int
    html_url: str
    state: str
    state_reason: str
    assignee: str
    updated_at: datetime | None


@dataclass(frozen=True)
class TimelineEntry:
    """One event of an issue's timeline, reduced to what says which change closed the issue.

    `source_*` describe the issue or PR a `cross-referenced` event comes from;
    `commit_id` is the commit a `closed` or `referenced` event names.
    """

    event: str
    commit_id: str
    commit_repository: str
    source_url: str
    source_is_pull_request: bool
    source_merged: bool
    created_at: datetime | None


def issue_info(issue) -> IssueInfo:
    """An issue object of PyGithub as our dataclass."""
    assignees = issue.assignees or []
    return IssueInfo(
        id=issue.id,
        number=issue.number,
        html_url=issue.html_url or "",
        state=issue.state or "",
        state_reason=issue.state_reason or "",
        assignee=assignees[0].login if assignees else "",
        updated_at=issue.updated_at,
    )


def timeline_entry(data: dict) -> TimelineEntry:
    """One raw timeline event as our dataclass."""
    source = data.get("source") if isinstance(data.get("source"), dict) else {}
    source_issue = source.get("issue") if isinstance(source.get("issue"), dict) else {}
    pull = source_issue.get("pull_request") if isinstance(source_issue.get("pull_request"), dict) else None
    created = data.get("created_at")
    commit_url = str(data.get("commit_url") or "")
    # .../repos/{owner}/{repo}/commits/{sha}: the commit may live in another repository.
    match = re.search(r"/repos/([^/]+/[^/]+)/commits/", commit_url)
    return TimelineEntry(
        event=str(data.get("event") or ""),
        commit_id=str(data.get("commit_id") or ""),
        commit_repository=match.group(1) if match else "",
        source_url=str((pull or {}).get("html_url") or source_issue.get("html_url") or ""),
        source_is_pull_request=pull is not None,
        source_merged=bool(pull and pull.get("merged_at")),
        created_at=_parse_time(created) if isinstance(created, str) else None,
    )


def _parse_time(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
