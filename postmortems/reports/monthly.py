"""The monthly reliability report (SPEC §5): the numbers of `queries`, assembled into a `MonthlyReport`.

`build_monthly_report(month, scope)` runs a fixed number of queries, whatever the amount
of data, and returns the typed report of `data.py`; rates and hours are rounded here,
once, so the page, the CSV, the charts, the API and the snapshots show the same values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from ..choices import UNCATEGORISED_SLUG
from . import queries as q
from . import staging as staging_queries
from .data import (
    ActionNumbers,
    CategoryCount,
    ChecklistGaps,
    ChecklistItemGaps,
    DefectLifetime,
    Headline,
    MissingItem,
    MonthlyReport,
    RecurringCategory,
    ReportScope,
    StagingCounts,
    TrendMonth,
)
from .findings import CategoryHistory, failing_steps
from .leads import LeadFacts, lead_report_fields, lead_trend_fields, read_lead_facts
from .percentiles import MEDIAN, P90
from .periods import ReportWindow, report_window
from .scope import Scope


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


def _rate(part: int, whole: int) -> float | None:
    return None if not whole else round(part / whole, 4)


@dataclass(frozen=True)
class _Facts:
    """Everything the queries return for one report. Dicts are keyed by month label ("YYYY-MM");
    the headline's lists hold [last month, this month]; `backlog` one entry per trend month."""

    pull_requests: dict[str, q.PullRequestCounts]
    postmortems: list[q.PostmortemCounts]
    mttr: list[q.Percentiles]
    approval: list[float | None]
    lifetime: tuple[int, q.Percentiles]  # how many defects, and their lifetime percentiles
    categories: CategoryHistory
    profiles: dict[str, q.MonthProfile]
    items: dict[str, list[ChecklistItemGaps]]
    missing: list[MissingItem]
    flows: q.ActionFlows
    backlog: list[q.ActionBacklog]
    leads: LeadFacts  # SPEC §12's reads
    staging: _StagingFacts


@dataclass(frozen=True)
class _StagingFacts:
    """SPEC §10 counts per month label: production merges, hotfix PRs, introducing PRs of the postmortems."""

    merges: dict[str, StagingCounts]
    hotfixes: dict[str, StagingCounts]
    introducing: dict[str, StagingCounts]

    @classmethod
    def read(cls, scope: Scope, start: datetime, end: datetime, tz) -> _StagingFacts:
        merges, hotfixes = staging_queries.staging_by_merge_month(scope, start, end, tz)
        return cls(merges, hotfixes, staging_queries.staging_of_introducing_prs(scope, start, end, tz))

    def counts(self, label: str) -> tuple[StagingCounts, StagingCounts, StagingCounts]:
        """(production merges, introducing PRs, hotfix PRs) of the month."""
        empty = StagingCounts.of(verified=0, skipped=0, unknown=0, pending=0)
        return (
            self.merges.get(label, empty),
            self.introducing.get(label, empty),
            self.hotfixes.get(label, empty),
        )


def _read(scope: Scope, window: ReportWindow) -> _Facts:
    tz = timezone.get_default_timezone()
    start, end = window.periods[0].start, window.current.end
    last_two = [window.previous, window.current]
    return _Facts(
        pull_requests=q.pull_requests_by_month(scope, start, end, tz),
        postmortems=q.postmortem_counts(scope, last_two),
        mttr=q.mttr_seconds(scope, last_two),
        approval=q.approval_seconds(scope, last_two),
        lifetime=q.defect_lifetime_seconds(scope, window.current),
        # The look-back months too, so the oldest month of the trend can be marked recurring.
        categories=CategoryHistory.from_rows(
            q.categories_by_month(scope, window.look_back[0].start, end, tz), window.all_labels
        ),
        profiles=q.postmortem_profile_by_month(scope, start, end, tz),
        items=q.checklist_items_by_month(scope, start, end, tz),
        missing=q.missing_items_proposed(scope, window.current),
        flows=q.action_flows_by_month(scope, start, end, tz),
        backlog=q.action_backlog(scope, list(window.periods)),
        leads=read_lead_facts(scope, window),
        staging=_StagingFacts.read(scope, start, end, tz),
    )


def _headline(facts: _Facts, index: int, label: str) -> Headline:
    """The headline of last month (index 0) or this month (index 1)."""
    prs, pm = facts.pull_requests.get(label, q.PullRequestCounts()), facts.postmortems[index]
    return Headline(
        deployments=prs.deployments,
        hotfixes=prs.hotfixes,
        hotfix_rate=_rate(prs.hotfixes, prs.deployments),
        postmortems_opened=pm.opened,
        postmortems_approved=pm.approved,
        overdue=pm.overdue,
        sla_met_rate=_rate(pm.sla_met, pm.due),
        mttr_median_hours=_hours(facts.mttr[index][MEDIAN]),
        mttr_p90_hours=_hours(facts.mttr[index][P90]),
        time_to_approval_median_hours=_hours(facts.approval[index]),
        recurred_despite_prevention=pm.recurred,
    )


def _actions(facts: _Facts, index: int, label: str) -> ActionNumbers:
    """Action flows of the trend month at `index`, and the backlog as of its end."""
    flows, backlog = facts.flows, facts.backlog[index]
    due, on_time = flows.due.get(label, 0), flows.done_on_time.get(label, 0)
    return ActionNumbers(
        created=flows.created.get(label, 0),
        completed=flows.completed.get(label, 0),
        open_past_due=backlog.open_past_due,
        due=due,
        completed_by_due_date=on_time,
        done_on_time_rate=_rate(on_time, due),
        expired_temporary_mitigations=backlog.expired_mitigations,
        open_temporary_mitigations=backlog.open_mitigations,
    )


def _trend_month(facts: _Facts, index: int, label: str) -> TrendMonth:
    prs = facts.pull_requests.get(label, q.PullRequestCounts())
    profile = facts.profiles.get(label) or q.MonthProfile.empty()
    categories = facts.categories.per_month[label]
    merges, introducing, hotfixes = facts.staging.counts(label)
    return TrendMonth(
        month=label,
        deployments=prs.deployments,
        hotfixes=prs.hotfixes,
        hotfix_rate=_rate(prs.hotfixes, prs.deployments),
        postmortems=profile.total,
        by_category={slug or UNCATEGORISED_SLUG: n for slug, n in sorted(categories.items())},
        recurring_categories=tuple(sorted(facts.categories.recurring(label))),
        checklist_gaps=tuple(failing_steps(facts.items.get(label, []))),
        by_gap_kind=profile.gaps,
        by_detection_method=profile.detection,
        actions=_actions(facts, index, label),
        **lead_trend_fields(facts.leads, index, label),
        staging_verification_rate=merges.rate,
        introducing_staging_verification_rate=introducing.rate,
        hotfix_staging_verification_rate=hotfixes.rate,
    )


def _categories(history: CategoryHistory, month: str) -> tuple[list[CategoryCount], list[RecurringCategory]]:
    """The month's categories, most postmortems first, and the recurring ones among them."""
    counts, names, recurring = history.per_month[month], history.names, history.recurring(month)
    by_category = [
        CategoryCount(category=slug or None, name=names[slug], count=n, recurring=slug in recurring)
        for slug, n in counts.items()
    ]
    ordered = sorted(recurring, key=lambda slug: (-counts[slug], names[slug]))
    return (
        sorted(by_category, key=lambda c: (-c.count, c.name)),
        [
            RecurringCategory(slug, names[slug], counts[slug], tuple(history.months_with(slug, month)))
            for slug in ordered
        ],
    )


def _report(scope: Scope, window: ReportWindow, facts: _Facts) -> MonthlyReport:
    month = window.current.label
    by_category, recurring = _categories(facts.categories, month)
    profile = facts.profiles.get(month) or q.MonthProfile.empty()
    lifetime_count, lifetime = facts.lifetime
    report_scope = ReportScope(
        team=scope.team.slug if scope.team else None,
        repository=scope.repository.full_name if scope.repository else None,
    )
    headline = _headline(facts, 1, month)
    gaps = ChecklistGaps(
        items=tuple(failing_steps(facts.items.get(month, []))),
        missing_items=tuple(facts.missing),
        missing_items_proposed=len(facts.missing),
        by_gap_kind=profile.gaps,
    )
    merges, introducing, hotfixes = facts.staging.counts(month)
    return MonthlyReport(
        month=month,
        scope=report_scope,
        headline=headline,
        previous=_headline(facts, 0, window.previous.label),
        by_category=tuple(by_category),
        recurring_categories=tuple(recurring),
        by_detection_method=profile.detection,
        checklist_gaps=gaps,
        actions=_actions(facts, len(window.periods) - 1, month),
        defect_lifetime_hours=DefectLifetime(lifetime_count, _hours(lifetime[MEDIAN]), _hours(lifetime[P90])),
        trend=tuple(_trend_month(facts, index, label) for index, label in enumerate(window.labels)),
        category_names={(slug or UNCATEGORISED_SLUG): name for slug, name in facts.categories.names.items()},
        **lead_report_fields(
            facts.leads,
            month=month,
            scope=report_scope,
            headline=headline,
            recurring=tuple(recurring),
            history=facts.categories,
            gaps=gaps,
        ),
        staging_verification=merges,
        introducing_staging_verification=introducing,
        hotfix_staging_verification=hotfixes,
    )


def build_monthly_report(month: date, scope: Scope | None = None, *, now: datetime | None = None) -> MonthlyReport:
    """The §5 report for `month` (its first day) and `scope`, in a fixed number of queries."""
    scope = scope or Scope()
    window = report_window(month, now=now)
    return _report(scope, window, _read(scope, window))
