"""Writes to a repository's settings (leads only)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..choices import Stage
from ..models import ChecklistTemplate, Repository, Team, User
from ..stages import normalise_environment
from ..workflow import WorkflowError, can_manage_settings
from ._common import require
from .evidence import evidence_restage

MAX_NAME = 255
MAX_ENTRIES = 100


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
    environment_stages: Mapping[str, str] | None = None,
    staging_branches: list[str] | None = None,
    staging_checks: list[str] | None = None,
    staging_status: bool | None = None,
) -> Repository:
    """Change how a repository's hotfixes are recognised and handled, and its evidence rules (SPEC §10).

    List, text, number and switch arguments left as None stay as they are; the checklist
    template and team are always set (None means the default template / no team). A
    changed environment mapping re-stages the deployments already stored.
    """
    require(can_manage_settings(actor), "Only leads change repository settings.")
    reasons: dict[str, list[str]] = {}
    lists = {
        "production_branches": production_branches,
        "hotfix_labels": hotfix_labels,
        "hotfix_branch_prefixes": hotfix_branch_prefixes,
        "staging_branches": staging_branches,
        "staging_checks": staging_checks,
    }
    for name, values in lists.items():
        if values is not None:
            setattr(repository, name, _clean_list(values))
            if any(len(value) > MAX_NAME for value in getattr(repository, name)):
                reasons[name] = [f"Keep each name to {MAX_NAME} characters."]
    stages_before = dict(repository.environment_stages)
    if environment_stages is not None:
        repository.environment_stages, stage_reasons = _clean_stages(environment_stages)
        if stage_reasons:
            reasons["environment_stages"] = stage_reasons
    if staging_status is not None:
        repository.staging_status = staging_status
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
    repository.checklist_template = checklist_template
    repository.team = team
    if reasons:
        raise WorkflowError(reasons)
    repository.save()
    if repository.environment_stages != stages_before:
        evidence_restage(repository=repository)  # deployments already stored follow the new mapping
    return repository


def _clean_stages(mapping: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The mapping as stored (names trimmed, each once ignoring case), and what is wrong with it."""
    cleaned: dict[str, str] = {}
    reasons: list[str] = []
    for name, stage in mapping.items():
        name = str(name).strip()
        if not name or len(name) > MAX_NAME:
            reasons.append(f"Environment names are 1 to {MAX_NAME} characters.")
        elif stage not in Stage.values:
            reasons.append(f"“{name}”: the stage is one of {', '.join(Stage.values)}.")
        elif any(normalise_environment(known) == normalise_environment(name) for known in cleaned):
            reasons.append(f"“{name}” is named twice.")
        else:
            cleaned[name] = str(stage)
    if len(cleaned) > MAX_ENTRIES:
        reasons.append(f"Map at most {MAX_ENTRIES} environments.")
    return cleaned, reasons
