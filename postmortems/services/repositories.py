"""Writes to a repository's settings (leads only)."""

from __future__ import annotations

import re

from ..github.client import valid_full_name
from ..models import ChecklistTemplate, Repository, Team, User
from ..workflow import WorkflowError, can_manage_settings
from ._common import require


def _clean_list(values: list[str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        value = (value or "").strip()
        if value and value not in seen:
            seen.append(value)
    return seen


def repository_update_settings(
    *,
    repository: Repository,
    actor: User,
    production_branches: list[str] | None = None,
    hotfix_labels: list[str] | None = None,
    hotfix_branch_prefixes: list[str] | None = None,
    hotfix_title_pattern: str | None = None,
    postmortem_due_days: int | None = None,
    writeback_enabled: bool | None = None,
    debt_status_enabled: bool | None = None,
    checklist_template: ChecklistTemplate | None = None,
    team: Team | None = None,
    action_issues: bool | None = None,
    action_issue_repository: str | None = None,
) -> Repository:
    """Change how a repository's hotfixes are recognised and handled.

    List, text, number and switch arguments left as None stay as they are; the checklist
    template and team are always set (None means the default template / no team).
    """
    require(can_manage_settings(actor), "Only leads change repository settings.")
    reasons: dict[str, list[str]] = {}
    lists = {
        "production_branches": production_branches,
        "hotfix_labels": hotfix_labels,
        "hotfix_branch_prefixes": hotfix_branch_prefixes,
    }
    for name, values in lists.items():
        if values is not None:
            setattr(repository, name, _clean_list(values))
    if hotfix_title_pattern is not None:
        try:
            re.compile(hotfix_title_pattern)
        except re.error as exc:
            reasons["hotfix_title_pattern"] = [f"Not a valid regular expression: {exc}."]
        repository.hotfix_title_pattern = hotfix_title_pattern.strip()
    if postmortem_due_days is not None:
        if postmortem_due_days < 1 or postmortem_due_days > 365:
            reasons["postmortem_due_days"] = ["Allow between 1 and 365 days."]
        repository.postmortem_due_days = postmortem_due_days
    if writeback_enabled is not None:
        repository.writeback_enabled = writeback_enabled
    if debt_status_enabled is not None:
        repository.debt_status_enabled = debt_status_enabled
    if action_issues is not None:
        repository.action_issues = action_issues
    if action_issue_repository is not None:
        tracking = action_issue_repository.strip()
        if tracking and not valid_full_name(tracking):
            reasons["action_issue_repository"] = ['Give the tracking repository as "owner/name", or leave it empty.']
        repository.action_issue_repository = tracking
    repository.checklist_template = checklist_template
    repository.team = team
    if reasons:
        raise WorkflowError(reasons)
    repository.save()
    return repository
