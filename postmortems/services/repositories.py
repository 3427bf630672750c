"""Repositories: their identity on GitHub (the resolver every delivery goes through) and their settings."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..choices import DeliveryStatus, Stage
from ..github.events import RepositoryEvent, RepositoryRef
from ..github.names import is_full_name
from ..models import ChecklistTemplate, GitHubInstallation, Repository, RepositoryName, Team, User
from ..stages import normalise_environment
from ..workflow import WorkflowError, can_manage_settings
from ._common import require
from .evidence_staging import evidence_restage

MAX_NAME = 255
MAX_ENTRIES = 100

logger = logging.getLogger(__name__)


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
    action_issues: bool | None = None,
    action_issue_repository: str | None = None,
) -> Repository:
    """Change how a repository's hotfixes are recognised and handled, its evidence rules (SPEC §10) and
    action issues (§11). None leaves a value as it is; the checklist template and team are always set
    (None: the default template / no team). A changed environment mapping re-stages stored deployments."""
    require(can_manage_settings(actor), "Only leads change repository settings.")
    reasons: dict[str, list[str]] = {}
    _set_lists(
        repository,
        reasons,
        production_branches=production_branches,
        hotfix_labels=hotfix_labels,
        hotfix_branch_prefixes=hotfix_branch_prefixes,
        staging_branches=staging_branches,
        staging_checks=staging_checks,
    )
    stages_before = dict(repository.environment_stages)
    if environment_stages is not None:
        repository.environment_stages, stage_reasons = _clean_stages(environment_stages)
        if stage_reasons:
            reasons["environment_stages"] = stage_reasons
    _set_rules(repository, reasons, hotfix_title_pattern=hotfix_title_pattern, postmortem_due_days=postmortem_due_days)
    switches = {
        "staging_status": staging_status,
        "writeback_enabled": writeback_enabled,
        "debt_status_enabled": debt_status_enabled,
        "action_issues": action_issues,
    }
    for name, value in switches.items():
        if value is not None:
            setattr(repository, name, value)
    _set_tracking_repository(repository, reasons, action_issue_repository)
    repository.checklist_template = checklist_template
    repository.team = team
    if reasons:
        raise WorkflowError(reasons)
    repository.save()
    if repository.environment_stages != stages_before:
        evidence_restage(repository=repository)  # deployments already stored follow the new mapping
    return repository


def _set_lists(repository: Repository, reasons: dict[str, list[str]], **lists: list[str] | None) -> None:
    """Name lists (branches, labels, checks): trimmed, each once; None leaves one as it is."""
    for name, values in lists.items():
        if values is not None:
            setattr(repository, name, _clean_list(values))
            if any(len(value) > MAX_NAME for value in getattr(repository, name)):
                reasons[name] = [f"Keep each name to {MAX_NAME} characters."]


def _set_tracking_repository(repository: Repository, reasons: dict[str, list[str]], name: str | None) -> None:
    """Where prevention actions are filed as issues (SPEC §11): "owner/name", or empty for the repository itself."""
    if name is None:
        return
    tracking = name.strip()
    if tracking and not is_full_name(tracking):
        reasons["action_issue_repository"] = ['Give the tracking repository as "owner/name", or leave it empty.']
    repository.action_issue_repository = tracking


def _set_rules(
    repository: Repository,
    reasons: dict[str, list[str]],
    *,
    hotfix_title_pattern: str | None,
    postmortem_due_days: int | None,
) -> None:
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


# --- Identity: GitHub's repository id (SPEC §13) ------------------------------------------

# A row whose name a recreated repository took is renamed with this mark (the name must stay owner/name).
ASIDE_MARK = "~replaced-"


def _fresher(seen_at: datetime | None, current: datetime | None) -> bool:
    """Whether a payload seen at `seen_at` may (re)name a repository named by one seen at `current`.

    A redelivery of an old payload carries the old name; GitHub's `repository.updated_at`
    says it is old, so it never renames back. Without a time either way we cannot tell, and follow the payload.
    """
    return seen_at is None or current is None or seen_at >= current


def _remember_name(repository: Repository) -> None:
    if ASIDE_MARK not in repository.full_name:
        RepositoryName.objects.get_or_create(repository=repository, full_name=repository.full_name)


def _move_aside(repository: Repository) -> None:
    """Free the name of a repository GitHub no longer has under it (deleted, or renamed away unseen)."""
    _remember_name(repository)
    suffix = f"{ASIDE_MARK}{timezone.localdate():%Y%m%d}-{repository.pk}"
    repository.full_name = repository.full_name[: 200 - len(suffix)] + suffix
    repository.active = False
    repository.save(update_fields=["full_name", "active"])
    logger.info("repository %s moved aside: its name now belongs to another GitHub repository", repository.pk)


def _take_name(repository: Repository, *, full_name: str, seen_at: datetime | None) -> bool:
    """Give `repository` the name `full_name`, moving aside a row holding it with an older claim.

    False (nothing changed) when the holder's claim is fresher than this payload's.
    """
    holder = Repository.objects.select_for_update().filter(full_name=full_name).exclude(pk=repository.pk).first()
    if holder is not None:
        if not _fresher(seen_at, holder.name_seen_at):
            return False
        _move_aside(holder)
    if repository.pk is not None:
        _remember_name(repository)
        RepositoryName.objects.filter(repository=repository, full_name=full_name).delete()
        if ASIDE_MARK in repository.full_name:
            repository.active = True  # moved aside while unseen, but alive under its new name
    repository.full_name, repository.name_seen_at = full_name, seen_at
    return True


def _installation(installation_id: int | None) -> GitHubInstallation | None:
    if installation_id is None:
        return None
    installation, _ = GitHubInstallation.objects.get_or_create(installation_id=installation_id)
    return installation


def _resolve_locked(ref: RepositoryRef) -> Repository:
    repository = None
    if ref.github_id is not None:
        repository = Repository.objects.select_for_update().filter(github_id=ref.github_id).first()
    if repository is None:
        holder = Repository.objects.select_for_update().filter(full_name=ref.full_name).first()
        if holder is not None and (holder.github_id is None or ref.github_id is None):
            repository = holder  # known by name only so far: this is its id
        elif holder is None and ref.github_id is None:
            # No id to go by: an old name still finds the repository that had it.
            former = RepositoryName.objects.filter(full_name=ref.full_name).select_related("repository").first()
            repository = former.repository if former else None
    if repository is None:
        repository = Repository(github_id=ref.github_id, default_branch=ref.default_branch or "main")
        if not _take_name(repository, full_name=ref.full_name, seen_at=ref.updated_at):
            # A stale payload of a repository we never saw, under a name another holds now: keep it apart.
            repository.full_name = f"{ref.full_name[:150]}{ASIDE_MARK}{ref.github_id}"
        repository.installation = _installation(ref.installation_id)
        repository.save()
        return repository
    changed = []
    if ref.github_id is not None and repository.github_id is None:
        repository.github_id = ref.github_id
        changed.append("github_id")
    renamed = repository.full_name != ref.full_name and _fresher(ref.updated_at, repository.name_seen_at)
    if renamed and _take_name(repository, full_name=ref.full_name, seen_at=ref.updated_at):
        changed += ["full_name", "name_seen_at", "active"]
    if ref.installation_id is not None and repository.installation_id != ref.installation_id:
        repository.installation = _installation(ref.installation_id)
        changed.append("installation")
    if changed:
        repository.save(update_fields=changed)
    return repository


def _unchanged(ref: RepositoryRef) -> Repository | None:
    """The common case without locks: a repository we know, by id, under the name and installation it has."""
    if ref.github_id is None:
        return Repository.objects.filter(full_name=ref.full_name).first() if ref.installation_id is None else None
    repository = Repository.objects.filter(github_id=ref.github_id).first()
    if repository is None or repository.full_name != ref.full_name:
        return None
    if ref.installation_id is not None and repository.installation_id != ref.installation_id:
        return None
    return repository


def repository_resolve(*, ref: RepositoryRef) -> Repository:
    """The repository a delivery is about, by GitHub's id, registered if new; every handler calls this.

    A known id under a new name (renamed, transferred) renames the row and keeps the old
    name as a former name; a new id under a name another row holds (deleted and recreated)
    moves that row aside (renamed with ASIDE_MARK, inactive), so the histories stay apart.
    A redelivered old payload never renames back. Concurrent deliveries meet on the unique
    id and name: the loser tries again and finds the winner's row.
    """
    repository = _unchanged(ref)
    if repository is not None:
        return repository
    for attempt in range(3):
        try:
            with transaction.atomic():
                return _resolve_locked(ref)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def repository_register(*, full_name: str, default_branch: str = "main", github_id: int | None = None) -> Repository:
    """The repository called `full_name` (with GitHub's id when known), registered with default settings if unknown."""
    ref = RepositoryRef(
        github_id=github_id, full_name=full_name, default_branch=default_branch, updated_at=None, installation_id=None
    )
    return repository_resolve(ref=ref)


def repository_event_apply(*, event: RepositoryEvent) -> str:
    """A `repository` delivery: renamed and transferred go through the resolver like any delivery;
    `edited` may bring a new default branch; `deleted` leaves the row (and its history) inactive."""
    ref = event.repository
    if event.action == "deleted":
        if ref.github_id is not None:
            Repository.objects.filter(github_id=ref.github_id).update(active=False)
        return DeliveryStatus.PROCESSED
    repository = repository_resolve(ref=ref)
    if ref.default_branch and repository.default_branch != ref.default_branch:
        Repository.objects.filter(pk=repository.pk).update(default_branch=ref.default_branch)
    return DeliveryStatus.PROCESSED
