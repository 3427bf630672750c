"""The report's §10 reads: was what reached production verified in staging? Aggregation only.

Three counts per month, each `{verified, skipped, unknown, pending}` of the answer that
holds (a lead's override, else the computed one): over every production merge of the
month, over the month's hotfix PRs, and over the introducing PRs of the month's
postmortems. Three queries for the whole trend, whatever the amount of data.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from ..choices import PostmortemStatus, StagingVerification
from ..models import MergedPullRequest, Postmortem
from .data import StagingCounts
from .scope import Scope

ANSWERS = [s.value for s in StagingVerification]  # verified, skipped, unknown, pending


def answer_is(value: str, prefix: str = "") -> Q:
    """The answer that holds is `value`: the override when there is one, else the computed answer."""
    return Q(**{f"{prefix}staging_override": value}) | Q(
        **{f"{prefix}staging_override": "", f"{prefix}staging_verification": value}
    )


def _month_key(value: datetime, tz: tzinfo) -> str:
    value = value.astimezone(tz) if value.tzinfo else value
    return f"{value.year:04d}-{value.month:02d}"


def _counts(row: dict, prefix: str) -> StagingCounts:
    return StagingCounts.of(**{answer: row[f"{prefix}{answer}"] for answer in ANSWERS})


def staging_by_merge_month(
    scope: Scope, start: datetime, end: datetime, tz: tzinfo
) -> tuple[dict[str, StagingCounts], dict[str, StagingCounts]]:
    """Per merge month: the answers of production merges, and of the hotfix PRs among them.

    A hotfix PR whose postmortem was dismissed was not a hotfix (as in the headline's
    hotfix count): the few such PRs are read apart and taken off, instead of joining every merge.
    """
    merged = MergedPullRequest.objects.filter(scope.pull_requests_q(), merged_at__gte=start, merged_at__lt=end)
    counts = {f"all_{a}": Count("merged_at", filter=answer_is(a)) for a in ANSWERS}
    counts |= {f"hotfix_{a}": Count("merged_at", filter=answer_is(a) & Q(is_hotfix=True)) for a in ANSWERS}
    rows = merged.annotate(month=TruncMonth("merged_at", tzinfo=tz)).values("month").annotate(**counts).order_by()
    dismissed = (
        merged.filter(is_hotfix=True, hotfix__postmortem__status=PostmortemStatus.DISMISSED)
        .annotate(month=TruncMonth("merged_at", tzinfo=tz))
        .values("month")
        .annotate(**{f"hotfix_{a}": Count("merged_at", filter=answer_is(a)) for a in ANSWERS})
        .order_by()
    )
    not_hotfixes = {_month_key(r["month"], tz): r for r in dismissed}
    everything, hotfixes = {}, {}
    for row in rows:
        month = _month_key(row["month"], tz)
        less = not_hotfixes.get(month, {})
        everything[month] = _counts(row, "all_")
        hotfixes[month] = StagingCounts.of(**{a: row[f"hotfix_{a}"] - less.get(f"hotfix_{a}", 0) for a in ANSWERS})
    return everything, hotfixes


def staging_of_introducing_prs(scope: Scope, start: datetime, end: datetime, tz: tzinfo) -> dict[str, StagingCounts]:
    """Per month of the postmortems: the answers of their introducing PRs (where `introduced_by` is known)."""
    rows = (
        Postmortem.objects.filter(
            scope.postmortems_q(), anchor_at__gte=start, anchor_at__lt=end, introduced_by__isnull=False
        )
        .annotate(month=TruncMonth("anchor_at", tzinfo=tz))
        .values("month")
        .annotate(**{a: Count("id", filter=answer_is(a, "introduced_by__")) for a in ANSWERS})
        .order_by()
    )
    return {_month_key(r["month"], tz): _counts(r, "") for r in rows}
