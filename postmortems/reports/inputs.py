"""What a report is asked for: the month and the scope named in a request or a command, checked."""

from __future__ import annotations

from datetime import date, datetime

from ..models import Repository, Team
from ..months import InvalidMonth, report_month
from .scope import Scope


class ReportInputError(ValueError):
    """A report request we cannot answer: malformed month, unknown team or repository."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def parse_report_month(raw: str | None, *, now: datetime | None = None) -> date:
    """'YYYY-MM' → the first day of that month; empty → the last complete month (the rule is `months.report_month`)."""
    try:
        return report_month(raw, now=now)
    except InvalidMonth as exc:
        raise ReportInputError("month", str(exc)) from exc


def _nameable(value: str) -> bool:
    # PostgreSQL text cannot hold NUL: no team or repository is named with one, and asking
    # the database would be an error rather than "not found".
    return "\x00" not in value


def resolve_scope(*, team: str | None = None, repository: str | None = None) -> Scope:
    """The scope named by a team slug or a repository full name (at most one of them)."""
    if team and repository:
        raise ReportInputError("team", "Filter by a team or by a repository, not both.")
    if team:
        found = Team.objects.filter(slug=team).first() if _nameable(team) else None
        if found is None:
            raise ReportInputError("team", f"Unknown team {team!r}.")
        return Scope(team=found)
    if repository:
        found_repo = Repository.objects.named(repository) if _nameable(repository) else None
        if found_repo is None:
            raise ReportInputError("repository", f"Unknown repository {repository!r} (use owner/name).")
        return Scope(repository=found_repo)
    return Scope()
