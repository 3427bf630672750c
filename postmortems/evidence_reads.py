"""Reads about deployment evidence (SPEC §10): the evidence rows of merged PRs shown in a list, and the
commits whose check runs the history import reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db.models import Q

from .models import Evidence, MergedPullRequest, Postmortem, Repository


def merged_pr_evidence_attach(prs: Sequence[MergedPullRequest]) -> None:
    """Set `evidence_rows` on each merged PR: the evidence about its head and merge commits, in one query.

    Evidence names commits, not PRs, so there is no relation to prefetch: the rows of
    every PR shown are read at once and shared out by (repository, sha).
    """
    wanted: dict[int, set[str]] = {}
    for pr in prs:
        pr.evidence_rows = []
        wanted.setdefault(pr.repository_id, set()).update(sha for sha in (pr.head_sha, pr.merge_commit_sha) if sha)
    condition = Q()
    for repository_id, shas in wanted.items():
        if shas:
            condition |= Q(repository_id=repository_id, sha__in=sorted(shas))
    if not condition:
        return
    by_commit: dict[tuple[int, str], list[Evidence]] = {}
    for row in Evidence.objects.filter(condition).order_by("occurred_at", "pk"):
        by_commit.setdefault((row.repository_id, row.sha), []).append(row)
    for pr in prs:
        shas = dict.fromkeys(sha for sha in (pr.head_sha, pr.merge_commit_sha) if sha)
        rows = [row for sha in shas for row in by_commit.get((pr.repository_id, sha), [])]
        pr.evidence_rows = sorted(rows, key=lambda row: (row.occurred_at, row.pk))


def backfill_check_commits(repository: Repository, start: datetime, end: datetime) -> list[str]:
    """The commits whose check runs the backfill reads (SPEC §7): those of the hotfix PRs merged in the window
    and of the PRs that introduced their defects — never every merged commit."""
    hotfixes = MergedPullRequest.objects.filter(repository=repository, is_hotfix=True, merged_at__range=(start, end))
    introducing = MergedPullRequest.objects.filter(
        pk__in=Postmortem.objects.filter(hotfix_prs__merged_pr__in=hotfixes, introduced_by__isnull=False).values(
            "introduced_by"
        )
    )
    shas: set[str] = set()
    for prs in (hotfixes, introducing):
        for head, merge in prs.values_list("head_sha", "merge_commit_sha"):
            shas.update(sha for sha in (head, merge) if sha)
    return sorted(shas)
