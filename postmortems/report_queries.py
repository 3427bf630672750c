"""The monthly report's reads: database aggregation only, a fixed number of queries.

Every function takes a `Scope` (everything, one team or one repository) and the
periods it needs, and returns small plain structures (counts per month, per category,
per checklist item). No function loops over records in Python. Python arithmetic on
rows is limited to spreading the action backlog's few groups over the periods, and the
SQLite fallback for percentiles, because SQLite has no `percentile_cont` (PostgreSQL
computes them in the database).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from .choices import ActionKind, ActionStatus, AssessmentStatus, DetectionMethod, GapKind, PostmortemStatus
from .models import (
    ChecklistAssessment,
    HotfixPullRequest,
    MergedPullRequest,
    MissingChecklistItem,
    Postmortem,
    PreventionAction,
    Repository,
    Team,
)
from .report_expressions import EpochSecondsBetween, PercentileCont, bounds_reached, percentile

OPEN_ACTION_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


@dataclass(frozen=True)
class Scope:
    """What a report covers: everything, one team, or one repository."""

    team: Team | None = None
    repository: Repository | None = None

    @property
    def key(self) -> str:
        if self.repository is not None:
            return f"repository:{self.repository.full_name}"
        if self.team is not None:
            return f"team:{self.team.slug}"
        return ""

    def postmortems_q(self, prefix: str = "") -> Q:
        """Postmortems of the scope (by their own team/repository), never dismissed ones."""
        q = ~Q(**{f"{prefix}status": PostmortemStatus.DISMISSED})
        if self.repository is not None:
            q &= Q(**{f"{prefix}repository": self.repository})
        elif self.team is not None:
            q &= Q(**{f"{prefix}team": self.team})
        return q

    def of_postmortems_q(self) -> Q:
        """Rows that belong to a postmortem of the scope (actions, proposed steps), by `postmortem_id`.

        A semi-join on postmortem ids instead of a join: with no team or repository the
        database only looks up the few dismissed records, instead of reading every postmortem.
        """
        q = ~Q(postmortem__in=Postmortem.objects.filter(status=PostmortemStatus.DISMISSED).values("pk"))
        if self.repository is not None:
            q &= Q(postmortem__in=Postmortem.objects.filter(repository=self.repository).values("pk"))
        elif self.team is not None:
            q &= Q(postmortem__in=Postmortem.objects.filter(team=self.team).values("pk"))
        return q

    def pull_requests_q(self, prefix: str = "") -> Q:
        """Merged PRs of the scope, by the repository they were merged into."""
        if self.repository is not None:
            return Q(**{f"{prefix}repository": self.repository})
        if self.team is not None:
            return Q(**{f"{prefix}repository__team": self.team})
        return Q()


@dataclass(frozen=True)
class Period:
    """One report month: [start, end) in TIME_ZONE, and the instant its 'as of' numbers use."""

    label: str  # "YYYY-MM"
    start: datetime
    end: datetime
    as_of: datetime  # the end of the month, or now for the current month
    as_of_date: date  # the local date whose midnight is `as_of` (today for the current month)
    first_day: date
    last_day: date


def duration_percentiles(
    qs: QuerySet, *, start: str, end: str, buckets: dict[str, Q], fractions: tuple[float, ...] = (0.5, 0.9)
) -> dict[str, dict[float, float | None]]:
    """Percentiles (in seconds) of `end - start` over the rows of each bucket, in one query."""
    if connections[qs.db].vendor == "postgresql":
        seconds = EpochSecondsBetween(start, end)
        aggregates = {
            f"{key}__{index}": PercentileCont(seconds, fraction, filter=bucket)
            for key, bucket in buckets.items()
            for index, fraction in enumerate(fractions)
        }
        row = qs.aggregate(**aggregates)
        return {key: {fraction: row[f"{key}__{index}"] for index, fraction in enumerate(fractions)} for key in buckets}
    # Portable path (SQLite): fetch only the two instants and a flag per bucket; interpolate here.
    flags = {f"in_{key}": ExpressionWrapper(bucket, output_field=BooleanField()) for key, bucket in buckets.items()}
    rows = qs.annotate(**flags).values_list(start, end, *flags)
    seconds_by_bucket: dict[str, list[float]] = {key: [] for key in buckets}
    for began, ended, *in_bucket in rows:
        for key, member in zip(buckets, in_bucket, strict=True):
            if member:
                seconds_by_bucket[key].append((ended - began).total_seconds())
    return {
        key: {fraction: percentile(values, fraction) for fraction in fractions}
        for key, values in seconds_by_bucket.items()
    }


def _month_key(value: datetime | date | None, tz: tzinfo) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.astimezone(tz) if value.tzinfo else value
    return f"{value.year:04d}-{value.month:02d}"


def _in(period_start: datetime, period_end: datetime, field: str) -> Q:
    return Q(**{f"{field}__gte": period_start, f"{field}__lt": period_end})


def pull_requests_by_month(scope: Scope, start: datetime, end: datetime, tz: tzinfo) -> dict[str, dict[str, int]]:
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
    result = {_month_key(r["month"], tz): {"deployments": r["deployments"], "hotfixes": r["hotfixes"]} for r in rows}
    dismissed = (
        in_scope.filter(is_hotfix=True, hotfix__postmortem__status=PostmortemStatus.DISMISSED)
        .annotate(month=TruncMonth("merged_at", tzinfo=tz))
        .values("month")
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in dismissed:
        result[_month_key(r["month"], tz)]["hotfixes"] -= r["n"]
    return result


def postmortem_counts(scope: Scope, periods: list[Period]) -> list[dict[str, int]]:
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
    names = ("opened", "approved", "overdue", "due", "sla_met", "recurred")
    return [{name: row[f"{name}_{i}"] for name in names} for i in range(len(periods))]


def mttr_seconds(scope: Scope, periods: list[Period]) -> list[dict[float, float | None]]:
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
    result = duration_percentiles(qs, start="first_merge", end="approved_at", buckets=buckets, fractions=(0.5,))
    return [result[f"p{i}"][0.5] for i in range(len(periods))]


def defect_lifetime_seconds(scope: Scope, period: Period) -> tuple[int, dict[float, float | None]]:
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


def categories_by_month(scope: Scope, start: datetime, end: datetime, tz: tzinfo) -> list[dict[str, Any]]:
    """Postmortems per (month, failure category); category None for records not yet categorised."""
    rows = (
        Postmortem.objects.filter(scope.postmortems_q(), _in(start, end, "anchor_at"))
        .annotate(month=TruncMonth("anchor_at", tzinfo=tz))
        .values("month", "category__slug", "category__name")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        {"month": _month_key(r["month"], tz), "slug": r["category__slug"], "name": r["category__name"], "n": r["n"]}
        for r in rows
    ]


DETECTION_KEYS = [m.value for m in DetectionMethod]
GAP_KEYS = [GapKind.SKIPPED.value, GapKind.INEFFECTIVE.value, GapKind.MISSING.value, GapKind.NONE.value]


def postmortem_profile_by_month(scope: Scope, start: datetime, end: datetime, tz: tzinfo) -> dict[str, dict]:
    """Per month of the postmortems: counts per detection method and per checklist gap kind."""
    counts: dict[str, Any] = {"total": Count("id")}
    counts |= {f"det_{m}": Count("id", filter=Q(detection_method=m)) for m in DETECTION_KEYS}
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
    result = {}
    for r in rows:
        result[_month_key(r["month"], tz)] = {
            "detection": {m: r[f"det_{m}"] for m in [*DETECTION_KEYS, "not_recorded"]},
            "gaps": {k: r[f"gap_{k}"] for k in [*GAP_KEYS, "not_assessed"]},
            "total": r["total"],
        }
    return result


def checklist_items_by_month(scope: Scope, start: datetime, end: datetime, tz: tzinfo) -> list[dict[str, Any]]:
    """Per (month of the postmortem, checklist item text): skipped, skipped-would-have-caught, ineffective.

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
    return [
        {
            "month": _month_key(r["month"], tz),
            "item": r["item__text"],
            "skipped": r["skipped"],
            "skipped_would_have_caught": r["skipped_would_have_caught"],
            "ineffective": r["ineffective"],
        }
        for r in rows
    ]


def missing_items_proposed(scope: Scope, period: Period) -> list[dict[str, Any]]:
    """Steps no checklist had, proposed in the month (one row each: the text is the finding)."""
    return list(
        MissingChecklistItem.objects.filter(scope.of_postmortems_q(), _in(period.start, period.end, "proposed_at"))
        .order_by("proposed_at", "pk")
        .values("text", "postmortem_id", "proposed_at", "promoted_to_id")
    )


def action_flows_by_month(scope: Scope, start: datetime, end: datetime, tz: tzinfo) -> dict[str, dict[str, int]]:
    """Per month: actions created, completed, due (not won't-do) and done by their due date; one query.

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
    return counts


def action_backlog(scope: Scope, periods: list[Period]) -> list[dict[str, int]]:
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
    backlog = [{"open_past_due": 0, "open_mitigations": 0, "expired_mitigations": 0} for _ in periods]
    for group in groups:
        for index in range(group["first"], group["after_last"]):
            counts = backlog[index]
            counts["open_past_due"] += group["n"] if index >= group["past_due_from"] else 0
            if group["mitigation"]:
                counts["open_mitigations"] += group["n"]
                counts["expired_mitigations"] += group["n"] if index >= group["expired_from"] else 0
    return backlog
