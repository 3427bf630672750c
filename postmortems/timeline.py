"""Reads for a record's deployment story (SPEC §10): the suggested introducing PRs, and the timeline.

Read-only, at the level of `selectors`: the record page and the API ask these. The
timeline is built from what the tracker knows — merges, evidence rows, the record's own
moments — plus the lines people add (`TimelineNote`), in a fixed number of queries
whatever the number of PRs or evidence rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from .choices import EvidenceKind, EvidenceStatus, Stage, TimelineKind
from .models import Evidence, HotfixPullRequest, MergedPullRequest, Postmortem, TimelineNote
from .verification import short

# Deployments and checks still running say nothing yet; the timeline shows what finished.
FINISHED = [EvidenceStatus.SUCCESS, EvidenceStatus.FAILURE, EvidenceStatus.ERROR, EvidenceStatus.CANCELLED]
DEPLOYED_STAGES = [Stage.STAGING, Stage.PRODUCTION]


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    title: str
    url: str = ""


def last_production_deployment(postmortem: Postmortem) -> Evidence | None:
    """The last successful production deployment of the record's repository before it was detected."""
    if postmortem.repository_id is None or postmortem.detected_at is None:
        return None
    return (
        Evidence.objects.filter(
            repository_id=postmortem.repository_id,
            kind=EvidenceKind.DEPLOYMENT,
            stage=Stage.PRODUCTION,
            status=EvidenceStatus.SUCCESS,
            occurred_at__lt=postmortem.detected_at,
        )
        .order_by("-occurred_at", "-pk")
        .first()
    )


def introducing_pr_suggestions(postmortem: Postmortem) -> list[MergedPullRequest]:
    """The PRs the last production deployment before `detected_at` brought: the likely culprits.

    A PR belongs to a deployment when that deployment is where it reached production —
    its merge commit deployed, or a later commit of the branch (a batched deploy) —
    which the staging verification stores as `reached_production_at`. The record's own
    hotfix PRs are left out.
    """
    deployment = last_production_deployment(postmortem)
    if deployment is None:
        return []
    return list(
        MergedPullRequest.objects.filter(repository_id=postmortem.repository_id)
        .filter(Q(reached_production_at=deployment.occurred_at) | Q(merge_commit_sha=deployment.sha))
        .exclude(hotfix__postmortem_id=postmortem.pk)
        .select_related("repository")
        .order_by("merged_at", "pk")
    )


def _pr_commits(merged_pr: MergedPullRequest) -> set[str]:
    return {sha for sha in (merged_pr.head_sha, merged_pr.merge_commit_sha) if sha}


def _evidence_entry(row: Evidence, whose: str) -> TimelineEntry:
    if row.kind == EvidenceKind.DEPLOYMENT:
        verb = "deployed" if row.status == EvidenceStatus.SUCCESS else f"deployment {row.status}"
        where = row.stage if row.environment in ("", row.stage) else f"{row.stage} ({row.environment})"
        title = f"{whose} {verb} to {where} at {short(row.sha)}"
        return TimelineEntry(row.occurred_at, TimelineKind.DEPLOYMENT, title, row.url)
    title = f"{whose}: {row.name} {row.status} on {short(row.sha)}"
    return TimelineEntry(row.occurred_at, TimelineKind.CHECK, title, row.url)


def _pr_entries(merged_pr: MergedPullRequest, rows: list[Evidence], whose: str, *, checks: bool) -> list[TimelineEntry]:
    commits, ids = _pr_commits(merged_pr), set(merged_pr.staging_evidence_ids or [])
    entries = [
        TimelineEntry(
            merged_pr.merged_at,
            TimelineKind.MERGE,
            f"{whose} #{merged_pr.number} merged: {merged_pr.title}",
            merged_pr.url,
        )
    ]
    for row in rows:
        if row.kind == EvidenceKind.CHECK and not checks:
            continue
        if row.kind == EvidenceKind.DEPLOYMENT and row.stage not in DEPLOYED_STAGES:
            continue
        if row.sha in commits or row.pk in ids:
            entries.append(_evidence_entry(row, f"{whose} #{merged_pr.number}"))
    return entries


def _record_entries(postmortem: Postmortem) -> list[TimelineEntry]:
    moments = [
        (postmortem.detected_at, TimelineKind.DETECTED, "Incident detected"),
        (postmortem.resolved_at, TimelineKind.RESOLVED, "Incident resolved"),
        (postmortem.submitted_at, TimelineKind.SUBMITTED, "Postmortem submitted for review"),
        (postmortem.approved_at, TimelineKind.APPROVED, "Postmortem approved"),
    ]
    return [TimelineEntry(at, kind, title) for at, kind, title in moments if at is not None]


def record_timeline(postmortem: Postmortem) -> list[TimelineEntry]:
    """The whole path of the change on one screen, oldest first, in three queries.

    The introducing PR's merge and deployments (when known); detection; each hotfix PR's
    merge, deployments and checks; resolution, submission, approval; people's notes.
    """
    introducing = postmortem.introduced_by if postmortem.introduced_by_id else None
    hotfixes = [
        h.merged_pr
        for h in HotfixPullRequest.objects.filter(postmortem_id=postmortem.pk).select_related("merged_pr__repository")
    ]
    prs = [pr for pr in [introducing, *hotfixes] if pr is not None]
    shas = set().union(*(_pr_commits(pr) for pr in prs)) if prs else set()
    ids = {i for pr in prs for i in (pr.staging_evidence_ids or [])}
    rows = []
    if prs:
        rows = list(
            Evidence.objects.filter(status__in=FINISHED)
            .filter(Q(repository_id__in={pr.repository_id for pr in prs}, sha__in=shas) | Q(pk__in=ids))
            .order_by("occurred_at", "pk")
        )
    entries = _record_entries(postmortem)
    if introducing is not None:
        entries += _pr_entries(introducing, rows, "Introducing PR", checks=False)
    for hotfix in hotfixes:
        entries += _pr_entries(hotfix, rows, "Hotfix PR", checks=True)
    notes = TimelineNote.objects.filter(postmortem_id=postmortem.pk)
    entries += [TimelineEntry(note.at, TimelineKind.NOTE, note.text) for note in notes]
    return sorted(entries, key=lambda entry: entry.at)
