"""The second edition of the report (SPEC §12), read and assembled beside the first.

`read_lead_facts` runs the reads of `lead_queries` (a fixed number: four more for the
all-teams report's teams side by side); `lead_report_fields` and `lead_trend_fields`
turn them, with the first edition's numbers, into the `MonthlyReport` and `TrendMonth`
fields of `lead_data.py`. `monthly.py` calls the three and passes the results through.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from ..models import Team
from . import lead_queries as lq
from .benchmarks import dora_bands
from .data import ChecklistGaps, Headline, RecurringCategory, ReportScope
from .findings import (
    NOT_CATEGORISED,
    CategoryHistory,
    actions_past_due_finding,
    recurring_category_finding,
    skipped_step_finding,
)
from .lead_data import TeamNumbers, Upkeep, UpkeepCategory
from .periods import RECURRENCE_LOOK_BACK, ReportWindow
from .scope import Scope


@dataclass(frozen=True)
class LeadFacts:
    """What the second edition reads for one report; per-month dicts keyed by "YYYY-MM"."""

    category_actions: dict[str, lq.CategoryActions]
    skipped_records: dict[str, tuple[int, ...]]
    owners_past_due: list[lq.OwnerPastDue]
    caught_in: dict[str, dict[str, int]]
    hotfix_hours: dict[str, lq.CategoryHours]
    open_prevention: list[lq.CategoryHours]  # one per trend month
    teams: list[TeamNumbers] | None


def read_lead_facts(scope: Scope, window: ReportWindow) -> LeadFacts:
    tz = timezone.get_default_timezone()
    start, end, current = window.periods[0].start, window.current.end, window.current
    return LeadFacts(
        # The recurrence window: the report month and the months it looks back on.
        category_actions=lq.prevention_actions_by_category(
            scope, window.periods[-(RECURRENCE_LOOK_BACK + 1)].start, current
        ),
        skipped_records=lq.skipped_would_have_caught_records(scope, current),
        owners_past_due=lq.actions_past_due_by_owner(scope, current),
        caught_in=lq.caught_in_by_month(scope, start, end, tz),
        hotfix_hours=lq.hotfix_hours_by_month(scope, start, end, tz),
        open_prevention=lq.open_prevention_hours(scope, list(window.periods)),
        teams=_teams(window) if scope.team is None and scope.repository is None else None,
    )


def _rate(part: int, whole: int) -> float | None:
    return None if not whole else round(part / whole, 4)


def staging_verification_rate(pulls: lq.TeamCounts) -> float | None:
    """The team's share of production merges verified in staging (SPEC §10): verified / (verified + skipped),
    null when neither (unknown and pending answers are left out, as in the report's own rate)."""
    return _rate(pulls.verified, pulls.verified + pulls.skipped)


def _teams(window: ReportWindow) -> list[TeamNumbers]:
    """Every team's month, by team name (all-teams report only)."""
    period = window.current
    prs, postmortems = lq.team_pull_requests(period), lq.team_postmortems(period)
    past_due = lq.team_actions_past_due(period)
    rows = []
    for team in Team.objects.order_by("name").only("pk", "slug", "name"):
        pr, pm = prs.get(team.pk, lq.TeamCounts()), postmortems.get(team.pk, lq.TeamCounts())
        rows.append(
            TeamNumbers(
                team=team.slug,
                hotfix_rate=_rate(pr.hotfixes, pr.deployments),
                sla_met_rate=_rate(pm.sla_met, pm.due),
                staging_verification_rate=staging_verification_rate(pr),
                overdue=pm.overdue,
                actions_past_due=past_due.get(team.pk, 0),
            )
        )
    return rows


def _hours(value: float) -> float:
    return round(value, 1)


def _upkeep(hotfix: lq.CategoryHours, open_work: lq.CategoryHours) -> Upkeep:
    names = {**open_work.names, **hotfix.names}
    slugs = sorted(set(hotfix.hours) | set(open_work.hours), key=lambda s: (-hotfix.hours.get(s, 0), names.get(s, s)))
    by_category = tuple(
        UpkeepCategory(
            category=slug or None,
            name=names.get(slug) or NOT_CATEGORISED,
            hotfix_hours=_hours(hotfix.hours.get(slug, 0.0)),
            open_prevention_hours=_hours(open_work.hours.get(slug, 0.0)),
        )
        for slug in slugs
    )
    return Upkeep(_hours(hotfix.total), _hours(open_work.total), by_category)


def lead_trend_fields(facts: LeadFacts, index: int, label: str) -> dict[str, Any]:
    """The `TrendMonth` fields of SPEC §12 for the trend month at `index`."""
    return {
        "caught_in": facts.caught_in.get(label) or dict.fromkeys(lq.CAUGHT_IN_KEYS, 0),
        "upkeep": _upkeep(facts.hotfix_hours.get(label, lq.NO_HOURS), facts.open_prevention[index]),
    }


def lead_report_fields(
    facts: LeadFacts,
    *,
    month: str,
    scope: ReportScope,
    headline: Headline,
    recurring: tuple[RecurringCategory, ...],
    history: CategoryHistory,
    gaps: ChecklistGaps,
) -> dict[str, Any]:
    """The `MonthlyReport` fields of SPEC §12: findings, caught-in, DORA bands, upkeep and teams."""
    findings = (
        recurring_category_finding(recurring, history, facts.category_actions, scope),
        skipped_step_finding(gaps.items, facts.skipped_records),
        actions_past_due_finding(facts.owners_past_due, month),
    )
    trend_fields = lead_trend_fields(facts, len(facts.open_prevention) - 1, month)
    return {
        "findings": tuple(f for f in findings if f is not None),
        "caught_in": trend_fields["caught_in"],
        "dora_bands": dora_bands(headline.hotfix_rate, headline.mttr_median_hours),
        "upkeep": trend_fields["upkeep"],
        "teams": None if facts.teams is None else tuple(facts.teams),
    }
