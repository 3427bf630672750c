"""The monthly reliability report (SPEC §5): month handling and the assembled numbers.

`build_monthly_report(month, scope)` calls the selectors in `report_queries` (a fixed
number of queries, whatever the amount of data) and returns a `MonthlyReport`;
`MonthlyReport.as_json()` is the API, snapshot and CSV shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from . import report_queries as q
from .choices import UNCATEGORISED_SLUG
from .models import Repository, Team
from .report_queries import Period, Scope

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
TREND_MONTHS = 12


class ReportInputError(ValueError):
    """A report request we cannot answer: malformed month, unknown team or repository."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def parse_month(raw: str | None, *, now: datetime | None = None) -> date:
    """'YYYY-MM' → the first day of that month; empty → the current month in TIME_ZONE."""
    today = timezone.localdate(now or timezone.now())
    if not raw:
        return today.replace(day=1)
    match = MONTH_RE.match(raw.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1970:
        raise ReportInputError("month", f"month must be a calendar month written YYYY-MM, not {raw!r}.")
    month = date(int(match.group(1)), int(match.group(2)), 1)
    if month > today.replace(day=1):
        raise ReportInputError("month", f"{raw} is in the future; pick this month or an earlier one.")
    return month


def resolve_scope(*, team: str | None = None, repository: str | None = None) -> Scope:
    """The scope named by a team slug or a repository full name (at most one of them)."""
    if team and repository:
        raise ReportInputError("team", "Filter by a team or by a repository, not both.")
    if team:
        found = Team.objects.filter(slug=team).first()
        if found is None:
            raise ReportInputError("team", f"Unknown team {team!r}.")
        return Scope(team=found)
    if repository:
        # Its name now, else a former one (renamed or transferred since, SPEC §13).
        found_repo = (
            Repository.objects.filter(full_name=repository).first()
            or Repository.objects.filter(former_names__full_name=repository)
            .order_by("-former_names__replaced_at")
            .first()
        )
        if found_repo is None:
            raise ReportInputError("repository", f"Unknown repository {repository!r} (use owner/name).")
        return Scope(repository=found_repo)
    return Scope()


def shift_month(month: date, delta: int) -> date:
    index = month.year * 12 + month.month - 1 + delta
    return date(index // 12, index % 12 + 1, 1)


def month_period(month: date, *, now: datetime | None = None) -> Period:
    """The month [start, end) in TIME_ZONE; 'as of' is its end, or now for the current month."""
    tz = timezone.get_default_timezone()
    now = now or timezone.now()
    start = datetime(month.year, month.month, 1, tzinfo=tz)
    following = shift_month(month, 1)
    end = datetime(following.year, following.month, 1, tzinfo=tz)
    as_of = min(end, now)
    return Period(
        label=f"{month:%Y-%m}",
        start=start,
        end=end,
        as_of=as_of,
        as_of_date=following if as_of == end else timezone.localdate(now),
        first_day=month,
        last_day=following - timedelta(days=1),
    )


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


def _rate(part: int, whole: int) -> float | None:
    return None if not whole else round(part / whole, 4)


@dataclass
class Headline:
    """The numbers at the top of the page, for one month (also kept for last month)."""

    deployments: int
    hotfixes: int
    hotfix_rate: float | None
    postmortems_opened: int
    postmortems_approved: int
    overdue: int
    sla_met_rate: float | None
    mttr_median_hours: float | None
    mttr_p90_hours: float | None
    time_to_approval_median_hours: float | None
    recurred_despite_prevention: int


@dataclass
class MonthlyReport:
    """Everything SPEC §5 lists for one month and scope, plus what the charts need."""

    month: str
    scope: Scope
    headline: Headline
    previous: Headline
    by_category: list[dict[str, Any]]
    recurring_categories: list[dict[str, Any]]
    by_detection_method: dict[str, int]
    checklist_gaps: dict[str, Any]
    actions: dict[str, Any]
    defect_lifetime_hours: dict[str, Any]
    trend: list[dict[str, Any]] = field(default_factory=list)
    category_names: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "scope": {
                "team": self.scope.team.slug if self.scope.team else None,
                "repository": self.scope.repository.full_name if self.scope.repository else None,
            },
            **_headline_json(self.headline),
            "by_category": self.by_category,
            "recurring_categories": self.recurring_categories,
            "by_detection_method": self.by_detection_method,
            "checklist_gaps": self.checklist_gaps,
            "actions": self.actions,
            "defect_lifetime_hours": self.defect_lifetime_hours,
            "trend": self.trend,
            # Not §5 metrics: last month's headline (for "change from last month") and slug → name.
            "previous_month": _headline_json(self.previous),
            "category_names": self.category_names,
        }


def _headline_json(h: Headline) -> dict[str, Any]:
    return {
        "deployments": h.deployments,
        "hotfixes": h.hotfixes,
        "hotfix_rate": h.hotfix_rate,
        "postmortems_opened": h.postmortems_opened,
        "postmortems_approved": h.postmortems_approved,
        "overdue": h.overdue,
        "sla_met_rate": h.sla_met_rate,
        "mttr_hours": {"median": h.mttr_median_hours, "p90": h.mttr_p90_hours},
        "time_to_approval_hours": {"median": h.time_to_approval_median_hours},
        "recurred_despite_prevention": h.recurred_despite_prevention,
    }


def _headline(deploys: int, hotfixes: int, pm: dict[str, int], mttr: dict, approval: float | None) -> Headline:
    return Headline(
        deployments=deploys,
        hotfixes=hotfixes,
        hotfix_rate=_rate(hotfixes, deploys),
        postmortems_opened=pm["opened"],
        postmortems_approved=pm["approved"],
        overdue=pm["overdue"],
        sla_met_rate=_rate(pm["sla_met"], pm["due"]),
        mttr_median_hours=_hours(mttr[0.5]),
        mttr_p90_hours=_hours(mttr[0.9]),
        time_to_approval_median_hours=_hours(approval),
        recurred_despite_prevention=pm["recurred"],
    )


def _categories(rows: list[dict], months: list[str]) -> tuple[dict[str, dict[str, int]], dict[str, str]]:
    """{month: {slug or '': n}} and {slug: name}."""
    per_month: dict[str, dict[str, int]] = {m: {} for m in months}
    names: dict[str, str] = {}
    for row in rows:
        slug = row["slug"] or ""
        names[slug] = row["name"] or "Not yet categorised"
        if row["month"] in per_month:
            per_month[row["month"]][slug] = per_month[row["month"]].get(slug, 0) + row["n"]
    return per_month, names


def recurring_slugs(per_month: dict[str, dict[str, int]], month: str, before: list[str]) -> set[str]:
    """Categories with ≥ 2 postmortems in the month, or postmortems in it and in either of the 2 before."""
    current = per_month.get(month, {})
    earlier = [per_month.get(m, {}) for m in before]
    return {slug for slug, n in current.items() if slug and (n >= 2 or any(counts.get(slug, 0) for counts in earlier))}


def _gap_items(rows: list[dict], month: str) -> list[dict[str, Any]]:
    items: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["month"] != month:
            continue
        entry = items.setdefault(
            row["item"], {"item": row["item"], "skipped": 0, "skipped_would_have_caught": 0, "ineffective": 0}
        )
        for key in ("skipped", "skipped_would_have_caught", "ineffective"):
            entry[key] += row[key]
    return sorted(items.values(), key=lambda e: (-e["skipped"] - e["ineffective"], e["item"]))


def _actions_json(counts: dict[str, int]) -> dict[str, Any]:
    return {
        "created": counts["created"],
        "completed": counts["completed"],
        "open_past_due": counts["open_past_due"],
        "due": counts["due"],
        "completed_by_due_date": counts["done_on_time"],
        "done_on_time_rate": _rate(counts["done_on_time"], counts["due"]),
        "expired_temporary_mitigations": counts["expired_mitigations"],
        "open_temporary_mitigations": counts["open_mitigations"],
    }


def build_monthly_report(month: date, scope: Scope | None = None, *, now: datetime | None = None) -> MonthlyReport:
    """The §5 report for `month` (first day) and `scope`, in a fixed number of queries."""
    scope = scope or Scope()
    tz = timezone.get_default_timezone()
    now = now or timezone.now()
    months = [shift_month(month, -k) for k in range(TREND_MONTHS - 1, -1, -1)]  # oldest first, ends at `month`
    periods = [month_period(m, now=now) for m in months]
    labels = [p.label for p in periods]
    current, previous = periods[-1], periods[-2]
    window_start, window_end = periods[0].start, current.end

    pull_requests = q.pull_requests_by_month(scope, window_start, window_end, tz)
    deployments = {m: c["deployments"] for m, c in pull_requests.items()}
    hotfixes = {m: c["hotfixes"] for m, c in pull_requests.items()}
    pm_counts = q.postmortem_counts(scope, [previous, current])
    mttr = q.mttr_seconds(scope, [previous, current])
    approval = q.approval_seconds(scope, [previous, current])
    lifetime_count, lifetime = q.defect_lifetime_seconds(scope, current)
    # Two more months of categories so the oldest month of the trend can be marked recurring too.
    early = month_period(shift_month(months[0], -2), now=now)
    cat_rows = q.categories_by_month(scope, early.start, window_end, tz)
    profile = q.postmortem_profile_by_month(scope, window_start, window_end, tz)
    item_rows = q.checklist_items_by_month(scope, window_start, window_end, tz)
    missing = q.missing_items_proposed(scope, current)
    flows = q.action_flows_by_month(scope, window_start, window_end, tz)
    backlog = q.action_backlog(scope, periods)
    actions = [{**{name: flows[name].get(label, 0) for name in flows}, **backlog[i]} for i, label in enumerate(labels)]

    all_labels = [shift_month(months[0], -2).strftime("%Y-%m"), shift_month(months[0], -1).strftime("%Y-%m"), *labels]
    per_month_cats, cat_names = _categories(cat_rows, all_labels)

    def headline(i: int, label: str) -> Headline:
        return _headline(deployments.get(label, 0), hotfixes.get(label, 0), pm_counts[i], mttr[i], approval[i])

    empty_profile = {
        "detection": dict.fromkeys([*q.DETECTION_KEYS, "not_recorded"], 0),
        "gaps": dict.fromkeys([*q.GAP_KEYS, "not_assessed"], 0),
        "total": 0,
    }
    trend = []
    for index, label in enumerate(labels):
        position = all_labels.index(label)
        recurring = recurring_slugs(per_month_cats, label, all_labels[max(0, position - 2) : position])
        month_profile = profile.get(label, empty_profile)
        trend.append(
            {
                "month": label,
                "deployments": deployments.get(label, 0),
                "hotfixes": hotfixes.get(label, 0),
                "hotfix_rate": _rate(hotfixes.get(label, 0), deployments.get(label, 0)),
                "postmortems": month_profile["total"],
                "by_category": {slug or UNCATEGORISED_SLUG: n for slug, n in sorted(per_month_cats[label].items())},
                "recurring_categories": sorted(recurring),
                "checklist_gaps": {
                    row["item"]: {k: row[k] for k in ("skipped", "skipped_would_have_caught", "ineffective")}
                    for row in _gap_items(item_rows, label)
                },
                "by_gap_kind": month_profile["gaps"],
                "by_detection_method": month_profile["detection"],
                "actions": _actions_json(actions[index]),
            }
        )

    this_month = per_month_cats[current.label]
    recurring_now = recurring_slugs(per_month_cats, current.label, all_labels[-3:-1])
    by_category = sorted(
        (
            {"category": slug or None, "name": cat_names[slug], "count": n, "recurring": slug in recurring_now}
            for slug, n in this_month.items()
        ),
        key=lambda c: (-c["count"], c["name"]),
    )
    recurring = [
        {
            "category": slug,
            "name": cat_names[slug],
            "count": this_month[slug],
            "months": [m for m in all_labels[-3:] if per_month_cats[m].get(slug)],
        }
        for slug in sorted(recurring_now, key=lambda s: (-this_month[s], cat_names[s]))
    ]
    current_profile = profile.get(current.label, empty_profile)
    return MonthlyReport(
        month=current.label,
        scope=scope,
        headline=headline(1, current.label),
        previous=headline(0, previous.label),
        by_category=by_category,
        recurring_categories=recurring,
        by_detection_method=current_profile["detection"],
        checklist_gaps={
            "items": _gap_items(item_rows, current.label),
            "missing_items": [
                {
                    "text": m["text"],
                    "postmortem": m["postmortem_id"],
                    "proposed_at": timezone.localtime(m["proposed_at"]).isoformat(),
                    "promoted": m["promoted_to_id"] is not None,
                }
                for m in missing
            ],
            "missing_items_proposed": len(missing),
            "by_gap_kind": current_profile["gaps"],
        },
        actions=_actions_json(actions[-1]),
        defect_lifetime_hours={
            "count": lifetime_count,
            "median": _hours(lifetime[0.5]),
            "p90": _hours(lifetime[0.9]),
        },
        trend=trend,
        category_names={(slug or UNCATEGORISED_SLUG): name for slug, name in cat_names.items()},
    )
