"""Plotly figures for the monthly report, built from the report's trend; never touches the database.

Each builder takes the `trend` of a `MonthlyReport` (built now, or read back from a stored
snapshot) and returns a plain JSON-able figure dict that `static/js/report-charts.js` hands
to `Plotly.newPlot`; `report_charts` adds each chart's table fallback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..choices import DetectionMethod, GapKind, colour_for
from .data import MonthlyReport, TrendMonth
from .figures import Figure, trace

# Detection methods grouped the way a lead reads them: machines, eyes, customers.
DETECTION_GROUPS: list[tuple[str, list[str], str]] = [
    ("Automated", [DetectionMethod.AUTOMATED_ALERT, DetectionMethod.AUTOMATED_CHECK], "#1e7a3c"),
    ("Eyeball (manual check)", [DetectionMethod.MANUAL_CHECK], "#c2410c"),
    ("Customer report", [DetectionMethod.CUSTOMER_REPORT], "#b42318"),
    ("Engineer noticed", [DetectionMethod.ENGINEER_NOTICED], "#1f5fbf"),
    ("Not recorded", ["not_recorded"], "#8a939e"),
]
Trend = tuple[TrendMonth, ...]
CATEGORY_PALETTE = ["#1f5fbf", "#c2410c", "#1e7a3c", "#6b5b7a", "#a16207", "#b42318", "#2f855a", "#5b6470", "#0e7490"]


def _layout(title: str, **extra: Any) -> dict[str, Any]:
    layout = {
        "title": {"text": title, "x": 0, "font": {"size": 14}, "y": 0.98},
        # A fixed height: a responsive chart in an auto-height box would otherwise keep growing.
        "height": 420,
        "margin": {"l": 60, "r": 60, "t": 70, "b": 50},
        # Legend above the plot: below it, it would spill into the table fallback.
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "font": {"family": "system-ui, sans-serif", "size": 13},
    }
    layout.update(extra)
    return layout


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 2)


def _plain(fig: Figure) -> dict[str, Any]:
    return fig.plain()


def hotfix_figure(trend: Trend) -> dict[str, Any]:
    months = [m.month for m in trend]
    fig = Figure()
    fig.add_bar(x=months, y=[m.deployments for m in trend], name="Deployments", marker_color="#b8c4d6")
    fig.add_bar(x=months, y=[m.hotfixes for m in trend], name="Hotfixes", marker_color="#b42318")
    fig.add_scatter(
        x=months,
        y=[_percent(m.hotfix_rate) for m in trend],
        name="Hotfix rate (%)",
        yaxis="y2",
        mode="lines+markers",
        line={"color": "#18202b"},
        connectgaps=False,
    )
    fig.update_layout(
        _layout(
            "Deployments, hotfixes and hotfix rate",
            barmode="group",
            yaxis={"title": {"text": "PRs merged"}, "rangemode": "tozero"},
            yaxis2={"title": {"text": "Hotfix rate (%)"}, "overlaying": "y", "side": "right", "rangemode": "tozero"},
        )
    )
    return _plain(fig)


def category_figure(trend: Trend, names: dict[str, str]) -> dict[str, Any]:
    """Stacked per month; a hatched bar means the category is recurring in that month."""
    months = [m.month for m in trend]
    slugs = sorted({slug for m in trend for slug in m.by_category}, key=lambda s: names.get(s, s))
    fig = Figure()
    for index, slug in enumerate(slugs):
        recurring = [slug in m.recurring_categories for m in trend]
        fig.add_bar(
            x=months,
            y=[m.by_category.get(slug, 0) for m in trend],
            name=names.get(slug, slug),
            marker={
                "color": CATEGORY_PALETTE[index % len(CATEGORY_PALETTE)],
                "pattern": {"shape": ["/" if r else "" for r in recurring]},
            },
            customdata=["recurring" if r else "" for r in recurring],
            hovertemplate="%{x}: %{y} %{customdata}<extra>" + names.get(slug, slug) + "</extra>",
        )
    fig.update_layout(_layout("Postmortems per failure category (hatched: recurring)", barmode="stack"))
    return _plain(fig)


def _checklist_items(trend: Trend) -> list[str]:
    return sorted({gaps.item for m in trend for gaps in m.checklist_gaps})


def _gap_count(month: TrendMonth, item: str) -> int:
    gaps = month.gaps_of(item)
    return 0 if gaps is None else gaps.skipped + gaps.ineffective


def checklist_heatmap(trend: Trend) -> dict[str, Any]:
    """Checklist item × month: times skipped plus times ineffective."""
    months = [m.month for m in trend]
    items = _checklist_items(trend)
    z = [[_gap_count(m, item) for m in trend] for item in items]
    fig = Figure(
        trace(
            "heatmap",
            x=months,
            y=items,
            z=z,
            colorscale=[[0, "#f7f8fa"], [1, "#b42318"]],
            hovertemplate="%{y}<br>%{x}: %{z} gaps<extra></extra>",
            colorbar={"title": {"text": "gaps"}},
        )
    )
    fig.update_layout(
        _layout("Checklist gaps (skipped or ineffective) per item", margin={"l": 320, "t": 50, "r": 40, "b": 50})
    )
    return _plain(fig)


def detection_figure(trend: Trend) -> dict[str, Any]:
    months = [m.month for m in trend]
    fig = Figure()
    for label, methods, colour in DETECTION_GROUPS:
        fig.add_bar(
            x=months,
            y=[sum(m.by_detection_method.get(method, 0) for method in methods) for m in trend],
            name=label,
            marker_color=colour,
        )
    fig.update_layout(_layout("How incidents were detected", barmode="stack"))
    return _plain(fig)


def actions_figure(trend: Trend) -> dict[str, Any]:
    months = [m.month for m in trend]
    fig = Figure()
    fig.add_bar(x=months, y=[m.actions.created for m in trend], name="Created", marker_color="#b8c4d6")
    fig.add_bar(x=months, y=[m.actions.completed for m in trend], name="Completed", marker_color="#1e7a3c")
    fig.add_bar(x=months, y=[m.actions.open_past_due for m in trend], name="Open past due", marker_color="#b42318")
    fig.add_scatter(
        x=months,
        y=[None if m.actions.done_on_time_rate is None else m.actions.done_on_time_rate * 100 for m in trend],
        name="Done on time (%)",
        yaxis="y2",
        mode="lines+markers",
        line={"color": "#18202b"},
    )
    fig.update_layout(
        _layout(
            "Prevention action follow-through",
            barmode="group",
            yaxis2={"title": {"text": "% of due done on time"}, "overlaying": "y", "side": "right", "range": [0, 100]},
        )
    )
    return _plain(fig)


def mitigation_debt_figure(trend: Trend) -> dict[str, Any]:
    months = [m.month for m in trend]
    fig = Figure()
    fig.add_scatter(
        x=months,
        y=[m.actions.open_temporary_mitigations for m in trend],
        name="Open temporary mitigations",
        mode="lines+markers",
        line={"color": colour_for(GapKind.SKIPPED)},
    )
    fig.add_scatter(
        x=months,
        y=[m.actions.expired_temporary_mitigations for m in trend],
        name="…of which past their expiry",
        mode="lines+markers",
        line={"color": "#b42318", "dash": "dot"},
    )
    fig.update_layout(_layout("Manual-check debt: open temporary mitigations", yaxis={"rangemode": "tozero"}))
    return _plain(fig)


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


@dataclass(frozen=True)
class ChartTable:
    """The same numbers as a chart, as a table (for screen readers, print and no-JS)."""

    headers: list[str]
    rows: list[list[Any]]
    note: str = ""


@dataclass(frozen=True)
class Chart:
    """One chart of the page: its element id, the id of its JSON block, title, figure and table."""

    id: str
    title: str
    figure: dict[str, Any]
    table: ChartTable

    @property
    def data_id(self) -> str:
        return f"{self.id}-data"


def _hotfix_table(trend: Trend) -> ChartTable:
    return ChartTable(
        ["Month", "Deployments", "Hotfixes", "Hotfix rate"],
        [[m.month, m.deployments, m.hotfixes, _pct(m.hotfix_rate)] for m in trend],
    )


def _category_table(trend: Trend, names: dict[str, str]) -> ChartTable:
    slugs = sorted({slug for m in trend for slug in m.by_category}, key=lambda s: names.get(s, s))

    def cell(m: TrendMonth, slug: str) -> str:
        return f"{m.by_category.get(slug, 0)}{' ↻' if slug in m.recurring_categories else ''}"

    return ChartTable(
        ["Category", *(m.month for m in trend)],
        [[names.get(slug, slug), *(cell(m, slug) for m in trend)] for slug in slugs],
        "↻ marks a recurring category in that month.",
    )


def _checklist_table(trend: Trend) -> ChartTable:
    """One row per step and month it was assessed in, each count in its own column."""
    rows = [
        [item, m.month, gaps.skipped, gaps.skipped_would_have_caught, gaps.ineffective]
        for item in _checklist_items(trend)
        for m in trend
        if (gaps := m.gaps_of(item)) is not None
    ]
    return ChartTable(
        ["Checklist item", "Month", "Skipped", "Skipped, would have caught it", "Followed but ineffective"],
        rows,
        "Months in which the step was assessed.",
    )


def _detection_table(trend: Trend) -> ChartTable:
    return ChartTable(
        ["Month", *(label for label, _, _ in DETECTION_GROUPS)],
        [
            [m.month, *(sum(m.by_detection_method.get(x, 0) for x in methods) for _, methods, _ in DETECTION_GROUPS)]
            for m in trend
        ],
    )


def _actions_table(trend: Trend) -> ChartTable:
    return ChartTable(
        ["Month", "Created", "Completed", "Open past due", "Due", "Done by due date", "On time"],
        [
            [
                m.month,
                m.actions.created,
                m.actions.completed,
                m.actions.open_past_due,
                m.actions.due,
                m.actions.completed_by_due_date,
                _pct(m.actions.done_on_time_rate),
            ]
            for m in trend
        ],
    )


def _mitigations_table(trend: Trend) -> ChartTable:
    return ChartTable(
        ["Month", "Open temporary mitigations", "Past their expiry"],
        [[m.month, m.actions.open_temporary_mitigations, m.actions.expired_temporary_mitigations] for m in trend],
    )


STAGING_LINES = [
    ("Production changes", "staging_verification_rate", "#1f5fbf"),
    ("Changes that broke production", "introducing_staging_verification_rate", "#b42318"),
    ("Hotfixes", "hotfix_staging_verification_rate", "#c2410c"),
]


def staging_figure(trend: Trend) -> dict[str, Any]:
    """SPEC §10: the share of production changes verified in staging first, month by month."""
    months = [m.month for m in trend]
    fig = Figure()
    for label, name, colour in STAGING_LINES:
        fig.add_scatter(
            x=months,
            y=[_percent(getattr(m, name)) for m in trend],
            name=label,
            mode="lines+markers",
            line={"color": colour},
            connectgaps=False,
        )
    fig.update_layout(
        _layout(
            "Share verified in staging before production (%)",
            yaxis={"title": {"text": "Verified in staging (%)"}, "range": [0, 100]},
        )
    )
    return _plain(fig)


def _staging_table(trend: Trend) -> ChartTable:
    return ChartTable(
        ["Month", *(label for label, _, _ in STAGING_LINES)],
        [[m.month, *(_pct(getattr(m, name)) for _, name, _ in STAGING_LINES)] for m in trend],
        "Verified / (verified + skipped); PRs without staging evidence yet are left out.",
    )


def report_charts(report: MonthlyReport) -> list[Chart]:
    """Every chart of the page with its table fallback, in page order."""
    trend, names = report.trend, report.category_names
    return [
        Chart("chart-hotfixes", "Hotfixes and hotfix rate", hotfix_figure(trend), _hotfix_table(trend)),
        Chart("chart-categories", "Failure categories", category_figure(trend, names), _category_table(trend, names)),
        Chart("chart-checklist", "Checklist gaps", checklist_heatmap(trend), _checklist_table(trend)),
        Chart("chart-detection", "Detection methods", detection_figure(trend), _detection_table(trend)),
        Chart("chart-actions", "Action follow-through", actions_figure(trend), _actions_table(trend)),
        Chart("chart-mitigations", "Manual-check debt", mitigation_debt_figure(trend), _mitigations_table(trend)),
        Chart("chart-staging", "Verified in staging", staging_figure(trend), _staging_table(trend)),
    ]
