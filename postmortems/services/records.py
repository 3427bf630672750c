"""Writes of what GitHub tells us: merged PRs (repositories: services.repositories)."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction

from ..models import MergedPullRequest, Repository
from .repositories import repository_register

__all__ = ["merged_pr_record", "repository_register"]


def merged_pr_record(
    *,
    repository: Repository,
    number: int,
    title: str,
    author_login: str,
    merged_at: datetime,
    merge_commit_sha: str,
    base_branch: str,
    head_branch: str,
    labels: list[str],
    is_hotfix: bool,
    head_repository: str = "",
    html_url: str = "",
    head_sha: str = "",
) -> tuple[MergedPullRequest, bool]:
    """Record a PR merged into a production branch, once; later calls refresh its fields.

    An empty `head_sha` (the backfill does not read it) never erases one a delivery gave.
    """
    values = {
        "title": title[:1024],
        "author_login": author_login[:255],
        "merged_at": merged_at,
        "merge_commit_sha": merge_commit_sha[:64],
        "base_branch": base_branch[:255],
        "head_branch": head_branch[:255],
        "head_repository": head_repository[:200],
        "labels": labels,
        "is_hotfix": is_hotfix,
        "html_url": html_url[:500],
    }
    if head_sha:
        values["head_sha"] = head_sha[:64]
    try:
        with transaction.atomic():
            return MergedPullRequest.objects.update_or_create(repository=repository, number=number, defaults=values)
    except IntegrityError:
        # Another worker inserted the same PR between our look-up and insert: update theirs.
        MergedPullRequest.objects.filter(repository=repository, number=number).update(**values)
        return MergedPullRequest.objects.get(repository=repository, number=number), False
