"""The second edition's reads (SPEC §12): findings, caught-in, upkeep hours and teams side by side.

Like `queries.py`: database aggregation, one query per function, whatever the amount of data.
The rows some return are groups (per owner and record, per category and month), never records
to be counted in Python; the few record ids they carry are the findings' links.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, tzinfo

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth

from ..choices import ActionStatus, AssessmentStatus, CaughtIn, PostmortemStatus, StagingVerification
from ..models import ChecklistAssessment, MergedPullRequest, Postmortem, PreventionAction
from .expressions import bounds_reached
from .periods import Period
from .queries import OPEN_ACTION_STATUSES, _in, _month_key
from .scope import Scope
from .staging import answer_is

CAUGHT_IN_KEYS = [*(stage.value for stage in CaughtIn), "not_recorded"]


@dataclass(frozen=True)
class CategoryActions:
    """Prevention actions (not won't-do) of a category's records, and how many were done by the period's end."""

    total: int
    done: int


@dataclass(frozen=True)
class OwnerPastDue:
    """One owner's open actions past due at a period's end, and the records they belong to."""

    owner: str | None  # username; None for actions nobody owns
    count: int
    postmortems: tuple[int, ...]


@dataclass(frozen=True)
class CategoryHours:
    """Hours per category slug ('' for records not yet categorised), and the categories' names."""

    hours: dict[str, float]
    names: dict[str, str]

    @property
    def total(self) -> float:
        return sum(self.hours.values())


NO_HOURS = CategoryHours({}, {})


@dataclass(frozen=True)
class TeamCounts:
    """One team's raw numbers for a month; the rates are made in `teams.py`."""

    deployments: int = 0
    hotfixes: int = 0
    verified: int = 0  # production merges verified in staging (SPEC §10), override included
    skipped: int = 0
    due: int = 0
    sla_met: int = 0
    overdue: int = 0
    actions_past_due: int = 0


def prevention_actions_by_category(scope: Scope, start: datetime, period: Period) -> dict[str, CategoryActions]:
    """Per category slug: the actions of its records of [start, period end), and those done by then."""
    rows = (
        PreventionAction.objects.filter(
            scope.of_postmortems_q(), _in(start, period.end, "postmortem__anchor_at"), created_at__lt=period.as_of
        )
        .exclude(status=ActionStatus.WONT_DO)
        .values("postmortem__category__slug")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=Q(status=ActionStatus.DONE, completed_at__lt=period.as_of)),
        )
        .order_by()
    )
    return {r["postmortem__category__slug"] or "": CategoryActions(r["total"], r["done"]) for r in rows}


def skipped_would_have_caught_records(scope: Scope, period: Period) -> dict[str, tuple[int, ...]]:
    """Per checklist step text: the month's records where it was skipped and would have caught the incident."""
    rows = (
        ChecklistAssessment.objects.filter(
            scope.postmortems_q("postmortem__"),
            _in(period.start, period.end, "postmortem__anchor_at"),
            status=AssessmentStatus.SKIPPED,
            would_have_caught=True,
        )
        .values_list("item__text", "postmortem_id")
        .distinct()
        .order_by("item__text", "postmortem_id")
    )
    records: dict[str, list[int]] = defaultdict(list)
    for text, postmortem in rows:
        records[text].append(postmortem)
    return {text: tuple(ids) for text, ids in records.items()}


def _open_at(as_of: datetime) -> Q:
    """Actions open at `as_of`: created before it, and open now or completed only after it."""
    return Q(created_at__lt=as_of) & (
        Q(status__in=OPEN_ACTION_STATUSES) | Q(status=ActionStatus.DONE, completed_at__gte=as_of)
    )


def actions_past_due_by_owner(scope: Scope, period: Period) -> list[OwnerPastDue]:
    """Owners of actions open and past due at the period's end, most first (then by name)."""
    groups = (
        PreventionAction.objects.filter(
            scope.of_postmortems_q(), _open_at(period.as_of), due_date__lt=period.as_of_date
        )
        .values("owner__username", "postmortem_id")
        .annotate(n=Count("id"))
        .order_by("postmortem_id")
    )
    counts: dict[str | None, int] = defaultdict(int)
    records: dict[str | None, list[int]] = defaultdict(list)
    for group in groups:
        counts[group["owner__username"]] += group["n"]
        records[group["owner__username"]].append(group["postmortem_id"])
    ranked = sorted(counts, key=lambda owner: (-counts[owner], owner is None, owner or ""))
    return [OwnerPastDue(owner, counts[owner], tuple(records[owner])) for owner in ranked]


def caught_in_by_month(scope: Scope, start: datetime, end: datetime, tz: tzinfo) -> dict[str, dict[str, int]]:
    """Per month of the postmortems: how many should have been caught in each stage (CAUGHT_IN_KEYS)."""
    counts = {key: Count("id", filter=Q(caught_in=key)) for key in CAUGHT_IN_KEYS[:-1]}
    counts["not_recorded"] = Count("id", filter=Q(caught_in=""))
    rows = (
        Postmortem.objects.filter(scope.postmortems_q(), _in(start, end, "anchor_at"))
        .annotate(month=TruncMonth("anchor_at", tzinfo=tz))
        .values("month")
        .annotate(**counts)
        .order_by()
    )
    return {_month_key(r["month"], tz): {key: r[key] for key in CAUGHT_IN_KEYS} for r in rows}


def hotfix_hours_by_month(scope: Scope, start: datetime, end: datetime, tz: tzinfo) -> dict[str, CategoryHours]:
    """Per month of the postmortems, per category: the engineer-hours their incidents and hotfixes took."""
    rows = (
        Postmortem.objects.filter(scope.postmortems_q(), _in(start, end, "anchor_at"), effort_hours__isnull=False)
        .annotate(month=TruncMonth("anchor_at", tzinfo=tz))
        .values("month", "category__slug", "category__name")
        .annotate(hours=Sum("effort_hours"))
        .order_by()
    )
    by_month: dict[str, CategoryHours] = defaultdict(lambda: CategoryHours({}, {}))
    for r in rows:
        month, slug = by_month[_month_key(r["month"], tz)], r["category__slug"] or ""
        month.hours[slug] = r["hours"]
        month.names[slug] = r["category__name"] or ""
    return dict(by_month)


def open_prevention_hours(scope: Scope, periods: list[Period]) -> list[CategoryHours]:
    """Per period end, per category: estimated hours of the prevention actions still open then.

    As in `queries.action_backlog`, the database groups actions by the period numbers at which
    they were open; the few groups are spread over the periods here.
    """
    as_ofs = [p.as_of for p in periods]
    groups = (
        PreventionAction.objects.filter(
            scope.of_postmortems_q(),
            Q(status__in=OPEN_ACTION_STATUSES) | Q(status=ActionStatus.DONE, completed_at__gte=as_ofs[0]),
            created_at__lt=as_ofs[-1],
            estimate_hours__isnull=False,
        )
        .annotate(
            first=bounds_reached("created_at", as_ofs),
            after_last=bounds_reached("completed_at", as_ofs),
            slug=F("postmortem__category__slug"),
            name=F("postmortem__category__name"),
        )
        .values("first", "after_last", "slug", "name")
        .annotate(hours=Sum("estimate_hours"))
        .order_by()
    )
    per_period = [CategoryHours({}, {}) for _ in periods]
    for group in groups:
        slug = group["slug"] or ""
        for index in range(group["first"], group["after_last"]):
            hours = per_period[index]
            hours.hours[slug] = hours.hours.get(slug, 0.0) + group["hours"]
            hours.names[slug] = group["name"] or ""
    return per_period


def team_pull_requests(period: Period) -> dict[int, TeamCounts]:
    """Per team id: PRs merged into production branches in the month, and hotfixes (not dismissed) among them."""
    rows = (
        MergedPullRequest.objects.filter(_in(period.start, period.end, "merged_at"), repository__team__isnull=False)
        .values("repository__team")
        .annotate(
            deployments=Count("id"),
            hotfixes=Count("id", filter=Q(is_hotfix=True)),
            # A hotfix PR whose postmortem was dismissed was not a hotfix (as in `queries.pull_requests_by_month`).
            dismissed=Count("id", filter=Q(is_hotfix=True, hotfix__postmortem__status=PostmortemStatus.DISMISSED)),
            verified=Count("id", filter=answer_is(StagingVerification.VERIFIED)),
            skipped=Count("id", filter=answer_is(StagingVerification.SKIPPED)),
        )
        .order_by()
    )
    return {
        r["repository__team"]: TeamCounts(
            deployments=r["deployments"],
            hotfixes=r["hotfixes"] - r["dismissed"],
            verified=r["verified"],
            skipped=r["skipped"],
        )
        for r in rows
    }


def team_postmortems(period: Period) -> dict[int, TeamCounts]:
    """Per team id: postmortems due in the month, approved by their due time, and overdue at its end."""
    not_approved_then = Q(approved_at__isnull=True) | Q(approved_at__gte=period.as_of)
    rows = (
        Postmortem.objects.filter(Scope().postmortems_q(), team__isnull=False)
        .values("team")
        .annotate(
            due=Count("id", filter=_in(period.start, period.end, "due_at")),
            sla_met=Count("id", filter=_in(period.start, period.end, "due_at") & Q(approved_at__lte=F("due_at"))),
            overdue=Count("id", filter=Q(due_at__lt=period.as_of, created_at__lt=period.as_of) & not_approved_then),
        )
        .order_by()
    )
    return {r["team"]: TeamCounts(due=r["due"], sla_met=r["sla_met"], overdue=r["overdue"]) for r in rows}


def team_actions_past_due(period: Period) -> dict[int, int]:
    """Per team id (of the action's record): actions open and past due at the month's end."""
    rows = (
        PreventionAction.objects.filter(
            Scope().of_postmortems_q(),
            _open_at(period.as_of),
            due_date__lt=period.as_of_date,
            postmortem__team__isnull=False,
        )
        .values("postmortem__team")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["postmortem__team"]: r["n"] for r in rows}
