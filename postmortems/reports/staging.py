"""The report's §10 reads: was what reached production verified in staging? Aggregation only.

Three counts per month, each `{verified, skipped, unknown, pending}` of the answer that
holds (a lead's override, else the computed one): over every production merge of the
month, over the month's hotfix PRs, and over the introducing PRs of the month's
postmortems. Three queries for the whole trend, whatever the amount of data.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo

from django.db.models import Count, Q, Value
from django.db.models.functions import Coalesce, NullIf, TruncMonth

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


def answer_holding() -> Coalesce:
    """The answer that holds, as one column: the override when there is one, else the computed answer."""
    return Coalesce(NullIf("staging_override", Value("")), "staging_verification")


def _tally(rows, tz: tzinfo, months: Iterable[str] = ()) -> dict[str, StagingCounts]:
    """{month: counts} from rows of (month, answer, n); `months` are there even without a row."""
    tallies = {month: dict.fromkeys(ANSWERS, 0) for month in months}
    for row in rows:
        tallies.setdefault(_month_key(row["month"], tz), dict.fromkeys(ANSWERS, 0))[row["answer"]] += row["n"]
    return {month: StagingCounts.of(**tally) for month, tally in tallies.items()}


def staging_by_merge_month(
    scope: Scope, start: datetime, end: datetime, tz: tzinfo
) -> tuple[dict[str, StagingCounts], dict[str, StagingCounts]]:
    """Per merge month: the answers of production merges, and of the hotfix PRs among them.

    One row per (month, answer, hotfix or not), read from the covering index on `merged_at`.
    A hotfix PR whose postmortem was dismissed was not a hotfix (as in the headline's
    hotfix count): the few such PRs are read apart and taken off, instead of joining every merge.
    """
    merged = MergedPullRequest.objects.filter(scope.pull_requests_q(), merged_at__gte=start, merged_at__lt=end)
    by_answer = merged.annotate(month=TruncMonth("merged_at", tzinfo=tz), answer=answer_holding())
    rows = list(by_answer.values("month", "answer", "is_hotfix").annotate(n=Count("*")).order_by())
    dismissed = by_answer.filter(is_hotfix=True, hotfix__postmortem__status=PostmortemStatus.DISMISSED)
    everything = _tally(rows, tz)
    taken_off = [
        {**row, "n": -row["n"]} for row in dismissed.values("month", "answer").annotate(n=Count("*")).order_by()
    ]
    hotfixes = _tally([row for row in rows if row["is_hotfix"]] + taken_off, tz, months=everything)
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
