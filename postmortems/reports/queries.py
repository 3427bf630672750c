"""The monthly report's reads: database aggregation only, a fixed number of queries.

Every function takes a `Scope` (everything, one team or one repository) and the
periods it needs, and returns small typed results (counts per month, per category,
per checklist item). No function loops over records in Python. Python arithmetic on
rows is limited to spreading the action backlog's few groups over the periods, and the
SQLite fallback for percentiles (`percentiles.py`), because SQLite has no
`percentile_cont` (PostgreSQL computes them in the database).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, tzinfo
from typing import Any

from django.db.models import BooleanField, Case, Count, ExpressionWrapper, F, Min, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from ..choices import ActionKind, ActionStatus, AssessmentStatus, DetectionMethod, GapKind, PostmortemStatus
from ..models import (
    ChecklistAssessment,
    HotfixPullRequest,
    MergedPullRequest,
    MissingChecklistItem,
    Postmortem,
    PreventionAction,
)
from .data import ChecklistItemGaps, MissingItem
from .expressions import bounds_reached
from .percentiles import MEDIAN, duration_percentiles
from .periods import Period
from .scope import Scope

OPEN_ACTION_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
# The keys of a month's profile, in report order: every detection method, then "not recorded";
# every gap kind, then "not assessed".
DETECTION_METHODS = [m.value for m in DetectionMethod]
DETECTION_KEYS = [*DETECTION_METHODS, "not_recorded"]
GAP_KEYS = [GapKind.SKIPPED.value, GapKind.INEFFECTIVE.value, GapKind.MISSING.value, GapKind.NONE.value, "not_assessed"]

Percentiles = dict[float, float | None]  # fraction (0.5, 0.9) → seconds, None without data


@dataclass(frozen=True)
class PullRequestCounts:
    """PRs merged into production branches in a month, and the hotfixes among them."""

    deployments: int = 0
    hotfixes: int = 0


@dataclass(frozen=True)
class PostmortemCounts:
    """Postmortems of one period: opened, approved, overdue as of its end, due, due-and-in-time, recurred."""

    opened: int
    approved: int
    overdue: int
    due: int
    sla_met: int
    recurred: int


@dataclass(frozen=True)
class CategoryMonthCount:
    """Postmortems of one failure category in one month; slug and name None when not yet categorised."""

    month: str
    slug: str | None
    name: str | None
    count: int


@dataclass(frozen=True)
class MonthProfile:
    """A month's postmortems: how many, per detection method and per checklist gap kind (DETECTION_KEYS, GAP_KEYS)."""

    total: int
    detection: dict[str, int]
    gaps: dict[str, int]

    @classmethod
    def empty(cls) -> MonthProfile:
        return cls(0, dict.fromkeys(DETECTION_KEYS, 0), dict.fromkeys(GAP_KEYS, 0))


@dataclass(frozen=True)
class ActionFlows:
    """Per month label: actions created, completed, due (not won't-do), and done by their due date."""

    created: dict[str, int]
    completed: dict[str, int]
    due: dict[str, int]
    done_on_time: dict[str, int]


@dataclass(frozen=True)
class ActionBacklog:
    """Actions as of one period's end: open past due, open temporary mitigations, and those past expiry."""

    open_past_due: int = 0
    open_mitigations: int = 0
    expired_mitigations: int = 0


def _month_key(value: datetime | date | None, tz: tzinfo) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.astimezone(tz) if value.tzinfo else value
    return f"{value.year:04d}-{value.month:02d}"


def _in(period_start: datetime, period_end: datetime, field: str) -> Q:
    return Q(**{f"{field}__gte": period_start, f"{field}__lt": period_end})


def pull_requests_by_month(scope: Scope, start: datetime, end: datetime, tz: tzinfo) -> dict[str, PullRequestCounts]:
    """Per month of the merge: PRs merged into production branches, and hotfix PRs among them.

    A hotfix PR whose postmortem was dismissed was not a hotfix; it stays a deployment. Two
    queries: one scan of the month range without joins, and the (few) dismissed ones.
    """
    in_scope = MergedPullRequest.objects.filter(scope.pull_requests_q(), _in(start, end, "merged_at"))
    rows = (
        in_scope.annotate(month=TruncMonth("merged_at", tzinfo=tz))
        .values("month")
        # Counting merged_at (never NULL), not id, so that merged_pr_merged_cover_idx holds all it reads.
        .annotate(deployments=Count("merged_at"), hotfixes=Count("merged_at", filter=Q(is_hotfix=True)))
        .order_by()
    )
    counts = {_month_key(r["month"], tz): (r["deployments"], r["hotfixes"]) for r in rows}
    dismissed = (
        in_scope.filter(is_hotfix=True, hotfix__postmortem__status=PostmortemStatus.DISMISSED)
        .annotate(month=TruncMonth("merged_at", tzinfo=tz))
        .values("month")
        .annotate(n=Count("id"))
        .order_by()
    )
    not_hotfixes = {_month_key(r["month"], tz): r["n"] for r in dismissed}
    return {
        month: PullRequestCounts(deployments, hotfixes - not_hotfixes.get(month, 0))
        for month, (deployments, hotfixes) in counts.items()
    }


def postmortem_counts(scope: Scope, periods: list[Period]) -> list[PostmortemCounts]:
    """Opened, approved, overdue (as of), due and due-and-approved-in-time, per period; one query."""
    aggregates: dict[str, Any] = {}
    for i, p in enumerate(periods):
        not_approved_then = Q(approved_at__isnull=True) | Q(approved_at__gte=p.as_of)
        aggregates |= {
            f"opened_{i}": Count("id", filter=_in(p.start, p.end, "created_at")),
            f"approved_{i}": Count("id", filter=_in(p.start, p.end, "approved_at")),
            f"overdue_{i}": Count("id", filter=Q(due_at__lt=p.as_of, created_at__lt=p.as_of) & not_approved_then),
            f"due_{i}": Count("id", filter=_in(p.start, p.end, "due_at")),
            f"sla_met_{i}": Count("id", filter=_in(p.start, p.end, "due_at") & Q(approved_at__lte=F("due_at"))),
            f"recurred_{i}": Count("id", filter=_in(p.start, p.end, "anchor_at") & Q(recurred_despite_prevention=True)),
        }
    row = Postmortem.objects.filter(scope.postmortems_q()).aggregate(**aggregates)
    names = [f.name for f in fields(PostmortemCounts)]
    return [PostmortemCounts(**{name: row[f"{name}_{i}"] for name in names}) for i in range(len(periods))]


def mttr_seconds(scope: Scope, periods: list[Period]) -> list[Percentiles]:
    """Median and p90 of resolved_at − detected_at for the postmortems of each period."""
    qs = Postmortem.objects.filter(
        scope.postmortems_q(),
        _in(min(p.start for p in periods), max(p.end for p in periods), "anchor_at"),
        detected_at__isnull=False,
        resolved_at__isnull=False,
    )
    buckets = {f"p{i}": _in(p.start, p.end, "anchor_at") for i, p in enumerate(periods)}
    result = duration_percentiles(qs, start="detected_at", end="resolved_at", buckets=buckets)
    return [result[f"p{i}"] for i in range(len(periods))]


def _earliest_hotfix_merge() -> Subquery:
    return Subquery(
        HotfixPullRequest.objects.filter(postmortem=OuterRef("pk"))
        .order_by()
        .values("postmortem")
        .annotate(first=Min("merged_pr__merged_at"))
        .values("first")[:1]
    )


def approval_seconds(scope: Scope, periods: list[Period]) -> list[float | None]:
    """Median of approved_at − earliest hotfix merge, for postmortems approved in each period."""
    qs = (
        Postmortem.objects.filter(
            scope.postmortems_q(),
            _in(min(p.start for p in periods), max(p.end for p in periods), "approved_at"),
        )
        .annotate(first_merge=_earliest_hotfix_merge())
        .filter(first_merge__isnull=False)
    )
    buckets = {f"p{i}": _in(p.start, p.end, "approved_at") for i, p in enumerate(periods)}
    result = duration_percentiles(qs, start="first_merge", end="approved_at", buckets=buckets, fractions=(MEDIAN,))
    return [result[f"p{i}"][MEDIAN] for i in range(len(periods))]


def defect_lifetime_seconds(scope: Scope, period: Period) -> tuple[int, Percentiles]:
    """How long defects lived: introducing PR merged → earliest hotfix merged, postmortems of the month."""
    qs = (
        Postmortem.objects.filter(
            scope.postmortems_q(), _in(period.start, period.end, "anchor_at"), introduced_by__isnull=False
        )
        .annotate(first_merge=_earliest_hotfix_merge(), introduced_at=F("introduced_by__merged_at"))
        .filter(first_merge__isnull=False)
    )
    result = duration_percentiles(qs, start="introduced_at", end="first_merge", buckets={"all": Q(pk__isnull=False)})
    return qs.count(), result["all"]


def categories_by_month(scope: Scope, start: datetime, end: datetime, tz: tzinfo) -> list[CategoryMonthCount]:
    """Postmortems per (month, failure category); slug None for records not yet categorised."""
    rows = (
        Postmortem.objects.filter(scope.postmortems_q(), _in(start, end, "anchor_at"))
        .annotate(month=TruncMonth("anchor_at", tzinfo=tz))
        .values("month", "category__slug", "category__name")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        CategoryMonthCount(_month_key(r["month"], tz), r["category__slug"], r["category__name"], r["n"]) for r in rows
    ]


def postmortem_profile_by_month(scope: Scope, start: datetime, end: datetime, tz: tzinfo) -> dict[str, MonthProfile]:
    """Per month of the postmortems: counts per detection method and per checklist gap kind."""
    counts: dict[str, Any] = {"total": Count("id")}
    counts |= {f"det_{m}": Count("id", filter=Q(detection_method=m)) for m in DETECTION_METHODS}
    counts["det_not_recorded"] = Count("id", filter=Q(detection_method=""))
    # A record can have several gap kinds; each flag counts it once under that kind.
    counts |= {
        "gap_skipped": Count("id", filter=Q(gap_skipped=True)),
        "gap_ineffective": Count("id", filter=Q(gap_ineffective=True)),
        "gap_missing": Count("id", filter=Q(gap_missing=True)),
        "gap_none": Count("id", filter=Q(gap_kind=GapKind.NONE)),
        "gap_not_assessed": Count("id", filter=Q(gap_kind="")),
    }
    rows = (
        Postmortem.objects.filter(scope.postmortems_q(), _in(start, end, "anchor_at"))
        .annotate(month=TruncMonth("anchor_at", tzinfo=tz))
        .values("month")
        .annotate(**counts)
        .order_by()
    )
    return {
        _month_key(r["month"], tz): MonthProfile(
            total=r["total"],
            detection={m: r[f"det_{m}"] for m in DETECTION_KEYS},
            gaps={k: r[f"gap_{k}"] for k in GAP_KEYS},
        )
        for r in rows
    }


def checklist_items_by_month(
    scope: Scope, start: datetime, end: datetime, tz: tzinfo
) -> dict[str, list[ChecklistItemGaps]]:
    """Per month of the postmortem, per checklist item text: skipped, skipped-would-have-caught, ineffective.

    Items are grouped by their text so a step keeps its history across template versions.
    """
    rows = (
        ChecklistAssessment.objects.filter(
            scope.postmortems_q("postmortem__"), _in(start, end, "postmortem__anchor_at")
        )
        .annotate(month=TruncMonth("postmortem__anchor_at", tzinfo=tz))
        .values("month", "item__text")
        .annotate(
            skipped=Count("id", filter=Q(status=AssessmentStatus.SKIPPED)),
            skipped_would_have_caught=Count("id", filter=Q(status=AssessmentStatus.SKIPPED, would_have_caught=True)),
            ineffective=Count("id", filter=Q(status=AssessmentStatus.FOLLOWED, ineffective=True)),
        )
        .order_by()
    )
    by_month: dict[str, list[ChecklistItemGaps]] = {}
    for r in rows:
        gaps = ChecklistItemGaps(r["item__text"], r["skipped"], r["skipped_would_have_caught"], r["ineffective"])
        by_month.setdefault(_month_key(r["month"], tz), []).append(gaps)
    return by_month


def missing_items_proposed(scope: Scope, period: Period) -> list[MissingItem]:
    """Steps no checklist had, proposed in the month (one row each: the text is the finding)."""
    rows = (
        MissingChecklistItem.objects.filter(scope.of_postmortems_q(), _in(period.start, period.end, "proposed_at"))
        .order_by("proposed_at", "pk")
        .values_list("text", "postmortem_id", "proposed_at", "promoted_to_id")
    )
    return [
        MissingItem(text, postmortem, proposed_at, promoted is not None)
        for text, postmortem, proposed_at, promoted in rows
    ]


def action_flows_by_month(scope: Scope, start: datetime, end: datetime, tz: tzinfo) -> ActionFlows:
    """Per month: actions created, completed, due (not won't-do) and done by their due date.

    Each action is looked at once, under the months of its own dates (created, completed, due).
    """
    first_day, after = timezone.localdate(start, tz), timezone.localdate(end, tz)
    counts = {}
    for name, field, extra in (
        ("created", "created_at", Q()),
        ("completed", "completed_at", Q(status=ActionStatus.DONE)),
    ):
        rows = (
            PreventionAction.objects.filter(scope.of_postmortems_q(), extra, _in(start, end, field))
            .annotate(month=TruncMonth(field, tzinfo=tz))
            .values("month")
            .annotate(n=Count("id"))
            .order_by()
        )
        counts[name] = {_month_key(r["month"], tz): r["n"] for r in rows}
    due_rows = (
        PreventionAction.objects.filter(scope.of_postmortems_q(), due_date__gte=first_day, due_date__lt=after)
        .exclude(status=ActionStatus.WONT_DO)
        .annotate(month=TruncMonth("due_date"), completed_local=TruncDate("completed_at", tzinfo=tz))
        .values("month")
        .annotate(
            due=Count("id"),
            done_on_time=Count("id", filter=Q(status=ActionStatus.DONE, completed_local__lte=F("due_date"))),
        )
        .order_by()
    )
    counts["due"], counts["done_on_time"] = {}, {}
    for r in due_rows:
        counts["due"][_month_key(r["month"], tz)] = r["due"]
        counts["done_on_time"][_month_key(r["month"], tz)] = r["done_on_time"]
    return ActionFlows(**counts)


def action_backlog(scope: Scope, periods: list[Period]) -> list[ActionBacklog]:
    """Per period end: open actions past due, open temporary mitigations, and those past their expiry.

    An action is open at the end of periods first..last (created before, completed only after);
    it is past due from one period on and, if a mitigation, expired from one period on. The
    database groups actions by those period numbers; the few groups are spread over the periods here.
    """
    as_ofs, as_of_dates = [p.as_of for p in periods], [p.as_of_date for p in periods]
    groups = (
        PreventionAction.objects.filter(
            scope.of_postmortems_q(),
            # Only actions that could be open at some period end: open now, or completed after the first end.
            Q(status__in=OPEN_ACTION_STATUSES) | Q(status=ActionStatus.DONE, completed_at__gte=as_ofs[0]),
            created_at__lt=as_ofs[-1],
        )
        .annotate(
            first=bounds_reached("created_at", as_ofs),
            # Done: still open at the ends before its completion. Open now: at every end from `first`.
            after_last=Case(
                When(status=ActionStatus.DONE, then=bounds_reached("completed_at", as_ofs)),
                default=Value(len(periods)),
            ),
            past_due_from=bounds_reached("due_date", as_of_dates),
            mitigation=ExpressionWrapper(Q(kind=ActionKind.TEMPORARY_MITIGATION), output_field=BooleanField()),
            expired_from=bounds_reached("expires_at", as_of_dates),
        )
        .values("first", "after_last", "past_due_from", "mitigation", "expired_from")
        .annotate(n=Count("id"))
        .order_by()
    )
    past_due, mitigations, expired = ([0] * len(periods) for _ in range(3))
    for group in groups:
        n = group["n"]
        for index in range(group["first"], group["after_last"]):
            past_due[index] += n if index >= group["past_due_from"] else 0
            if group["mitigation"]:
                mitigations[index] += n
                expired[index] += n if index >= group["expired_from"] else 0
    return [ActionBacklog(*counts) for counts in zip(past_due, mitigations, expired, strict=True)]
