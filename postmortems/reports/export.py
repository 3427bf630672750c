"""The monthly report as people read it: headline rows with the change from last month, and CSV rows.

Both read a `MonthlyReport` (built now, or read back from a stored snapshot), never the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .data import MonthlyReport


@dataclass(frozen=True)
class HeadlineRow:
    """One headline number, last month's, and whether the change is for the better."""

    label: str
    kind: str  # "count", "rate" or "hours": how to write the number
    value: float | None
    previous: float | None
    change: float | None
    trend: str  # "better", "worse" or "same"


# (label, `Headline` field, kind, lower is better) of the numbers at the top of the page.
HEADLINE_ROWS: list[tuple[str, str, str, bool]] = [
    ("Deployments", "deployments", "count", False),
    ("Hotfixes", "hotfixes", "count", True),
    ("Hotfix rate", "hotfix_rate", "rate", True),
    ("Postmortems opened", "postmortems_opened", "count", True),
    ("Postmortems approved", "postmortems_approved", "count", False),
    ("Overdue", "overdue", "count", True),
    ("SLA met", "sla_met_rate", "rate", False),
    ("MTTR median (h)", "mttr_median_hours", "hours", True),
    ("MTTR p90 (h)", "mttr_p90_hours", "hours", True),
    ("Time to approval, median (h)", "time_to_approval_median_hours", "hours", True),
    ("Recurred despite prevention", "recurred_despite_prevention", "count", True),
]


def headline_rows(report: MonthlyReport) -> list[HeadlineRow]:
    """Each headline number with last month's value and the change."""
    rows = []
    for label, name, kind, lower_is_better in HEADLINE_ROWS:
        value, before = getattr(report.headline, name), getattr(report.previous, name)
        change = None if value is None or before is None else round(value - before, 4)
        trend = "same" if not change else ("better" if (change < 0) == lower_is_better else "worse")
        rows.append(HeadlineRow(label, kind, value, before, change, trend))
    return rows


def _pairs(metric: str, counts: Mapping[str, Any]) -> list[list[Any]]:
    return [[metric, key, value] for key, value in counts.items()]


def _headline_csv_rows(report: MonthlyReport) -> list[list[Any]]:
    scope, h = report.scope, report.headline
    if scope.team:
        scope_row = ["scope", "team", scope.team]
    elif scope.repository:
        scope_row = ["scope", "repository", scope.repository]
    else:
        scope_row = ["scope", "", "all teams"]
    rows: list[list[Any]] = [["month", "", report.month], scope_row]
    for name in ("deployments", "hotfixes", "hotfix_rate", "postmortems_opened", "postmortems_approved", "overdue"):
        rows.append([name, "", getattr(h, name)])
    rows.append(["sla_met_rate", "", h.sla_met_rate])
    rows += [["mttr_hours", "median", h.mttr_median_hours], ["mttr_hours", "p90", h.mttr_p90_hours]]
    rows.append(["time_to_approval_hours", "median", h.time_to_approval_median_hours])
    return rows


def report_csv_rows(report: MonthlyReport) -> list[list[Any]]:
    """One row per metric (metric, breakdown, value), and one per category / item where broken down."""
    rows = _headline_csv_rows(report)
    rows += [["by_category", c.name, c.count] for c in report.by_category]
    rows += [["recurring_categories", c.name, c.count] for c in report.recurring_categories]
    rows += _pairs("by_detection_method", report.by_detection_method)
    gaps = report.checklist_gaps
    for item in gaps.items:
        rows += [[f"checklist_gaps.{key}", item.item, n] for key, n in item.counts_json().items()]
    rows.append(["checklist_gaps.missing_items_proposed", "", gaps.missing_items_proposed])
    rows += [["checklist_gaps.missing_item", m.text, 1] for m in gaps.missing_items]
    rows += _pairs("checklist_gaps.by_gap_kind", gaps.by_gap_kind)
    rows += _pairs("actions", report.actions.as_json())
    rows.append(["recurred_despite_prevention", "", report.headline.recurred_despite_prevention])
    rows += _pairs("defect_lifetime_hours", report.defect_lifetime_hours.as_json())
    for month in report.trend:
        rows += [
            [f"trend.{name}", month.month, getattr(month, name)] for name in ("deployments", "hotfixes", "hotfix_rate")
        ]
    return rows + lead_csv_rows(report) + staging_csv_rows(report)


def lead_csv_rows(report: MonthlyReport) -> list[list[Any]]:
    """SPEC §12's rows: findings (title, then detail and links), caught-in, DORA bands, upkeep, teams."""
    rows: list[list[Any]] = []
    for finding in report.findings:
        rows.append([f"findings.{finding.kind}", finding.title, finding.detail])
        rows += [[f"findings.{finding.kind}.link", link.label, link.url] for link in finding.links]
    rows += _pairs("caught_in", report.caught_in)
    if report.dora_bands is not None:
        rows += _pairs("dora_bands", report.dora_bands.as_json())
    rows += _pairs("upkeep", report.upkeep.totals_json())
    for c in report.upkeep.by_category:
        rows += [
            ["upkeep.hotfix_hours", c.name, c.hotfix_hours],
            ["upkeep.open_prevention_hours", c.name, c.open_prevention_hours],
        ]
    for team in report.teams or ():
        rows += [[f"teams.{name}", team.team, value] for name, value in team.as_json().items() if name != "team"]
    for month in report.trend:
        rows += [[f"trend.caught_in.{stage}", month.month, n] for stage, n in month.caught_in.items()]
        rows += [[f"trend.upkeep.{name}", month.month, h] for name, h in month.upkeep.totals_json().items()]
    return rows


def staging_csv_rows(report: MonthlyReport) -> list[list[Any]]:
    """SPEC §10: the three staging verification counts of the month, and each rate over the trend."""
    rows: list[list[Any]] = []
    for metric, counts in report.staging_json().items():
        rows += _pairs(metric, counts)
    for month in report.trend:
        rows += [[f"trend.{name}", month.month, value] for name, value in month.staging_rates_json().items()]
    return rows


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """Neutralise spreadsheet formula injection: text cells starting with = + - @ get a leading '."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
