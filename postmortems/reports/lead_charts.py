"""The second edition's charts (SPEC §12): caught-in per month, upkeep hours, and teams side by side.

Like `charts.py`: built from the report's dataclasses, never the database, each with its table.
"""

from __future__ import annotations

from typing import Any

from ..choices import CaughtIn
from .charts import Chart, ChartTable, Trend, _layout, _pct, _percent, _plain, report_charts
from .data import MonthlyReport
from .figures import Figure
from .lead_data import TeamNumbers

# Where it should have been caught, in pipeline order; "not recorded" last.
CAUGHT_IN_STAGES: list[tuple[str, str, str]] = [
    (CaughtIn.DEV, "Dev", "#1e7a3c"),
    (CaughtIn.STAGING, "Staging", "#c2410c"),
    (CaughtIn.PRODUCTION, "Production", "#b42318"),
    (CaughtIn.NONE, "Nowhere", "#6b5b7a"),
    ("not_recorded", "Not recorded", "#8a939e"),
]


def caught_in_figure(trend: Trend) -> dict[str, Any]:
    months = [m.month for m in trend]
    fig = Figure()
    for stage, label, colour in CAUGHT_IN_STAGES:
        fig.add_bar(x=months, y=[m.caught_in.get(stage, 0) for m in trend], name=label, marker_color=colour)
    fig.update_layout(_layout("Where incidents should have been caught", barmode="stack"))
    return _plain(fig)


def _caught_in_table(trend: Trend) -> ChartTable:
    return ChartTable(
        ["Month", *(label for _, label, _ in CAUGHT_IN_STAGES)],
        [[m.month, *(m.caught_in.get(stage, 0) for stage, _, _ in CAUGHT_IN_STAGES)] for m in trend],
    )


def upkeep_figure(trend: Trend) -> dict[str, Any]:
    months = [m.month for m in trend]
    fig = Figure()
    fig.add_bar(
        x=months, y=[m.upkeep.hotfix_hours for m in trend], name="Hours spent on hotfixes", marker_color="#b42318"
    )
    fig.add_bar(
        x=months,
        y=[m.upkeep.open_prevention_hours for m in trend],
        name="Estimated hours of open prevention work",
        marker_color="#1f5fbf",
    )
    fig.update_layout(
        _layout(
            "The price of skipping upkeep", barmode="group", yaxis={"title": {"text": "hours"}, "rangemode": "tozero"}
        )
    )
    return _plain(fig)


def _upkeep_table(trend: Trend) -> ChartTable:
    return ChartTable(
        ["Month", "Hours spent on hotfixes", "Open prevention work (estimated h)"],
        [[m.month, m.upkeep.hotfix_hours, m.upkeep.open_prevention_hours] for m in trend],
        "Hotfix hours: effort_hours of the month's postmortems. "
        "Open work: estimate_hours of the prevention actions open at the month's end.",
    )


def lead_trend_charts(report: MonthlyReport) -> list[Chart]:
    """The trend charts SPEC §12 adds, in page order."""
    trend = report.trend
    return [
        Chart("chart-caught-in", "Where it should have been caught", caught_in_figure(trend), _caught_in_table(trend)),
        Chart(
            "chart-upkeep", "Upkeep: hotfix hours and open prevention work", upkeep_figure(trend), _upkeep_table(trend)
        ),
    ]


def page_charts(report: MonthlyReport) -> list[Chart]:
    """Every trend chart of the page: the first edition's, then SPEC §12's."""
    return [*report_charts(report), *lead_trend_charts(report)]


def teams_figure(teams: tuple[TeamNumbers, ...]) -> dict[str, Any]:
    names = [t.team for t in teams]
    fig = Figure()
    fig.add_bar(x=names, y=[_percent(t.hotfix_rate) for t in teams], name="Hotfix rate (%)", marker_color="#b42318")
    fig.add_bar(x=names, y=[_percent(t.sla_met_rate) for t in teams], name="SLA met (%)", marker_color="#1e7a3c")
    fig.add_bar(
        x=names,
        y=[_percent(t.staging_verification_rate) for t in teams],
        name="Verified in staging (%)",
        marker_color="#c2410c",
    )
    fig.add_scatter(
        x=names,
        y=[t.overdue + t.actions_past_due for t in teams],
        name="Overdue postmortems + actions past due",
        yaxis="y2",
        mode="markers",
        marker={"color": "#18202b", "size": 10, "symbol": "diamond"},
    )
    fig.update_layout(
        _layout(
            "Teams side by side",
            barmode="group",
            yaxis={"title": {"text": "%"}, "range": [0, 100]},
            yaxis2={"title": {"text": "count"}, "overlaying": "y", "side": "right", "rangemode": "tozero"},
        )
    )
    return _plain(fig)


def teams_chart(report: MonthlyReport) -> Chart | None:
    """The teams chart with its table; None outside the all-teams report."""
    if not report.teams:
        return None
    table = ChartTable(
        ["Team", "Hotfix rate", "SLA met", "Verified in staging", "Overdue postmortems", "Actions past due"],
        [
            [
                t.team,
                _pct(t.hotfix_rate),
                _pct(t.sla_met_rate),
                _pct(t.staging_verification_rate),
                t.overdue,
                t.actions_past_due,
            ]
            for t in report.teams
        ],
    )
    return Chart("chart-teams", "Teams side by side", teams_figure(report.teams), table)
