"""reports/charts.py: Plotly figures and table fallbacks built from the report, never from the database."""

import json
from datetime import date

import plotly.graph_objects as go
import pytest

from postmortems.reports import MonthlyReport, Scope, build_monthly_report, page_charts, report_charts, teams_chart

CHART_IDS = ["hotfixes", "categories", "checklist", "detection", "actions", "mitigations", "staging"]


@pytest.fixture
def report(data) -> MonthlyReport:
    return build_monthly_report(date(2026, 3, 1), Scope())


def test_every_chart_comes_with_its_table_in_page_order_and_reads_no_database(report, django_assert_num_queries):
    with django_assert_num_queries(0):
        charts = report_charts(report)
    assert [c.id for c in charts] == [f"chart-{name}" for name in CHART_IDS]
    assert [c.data_id for c in charts] == [f"chart-{name}-data" for name in CHART_IDS]
    for chart in charts:
        assert chart.title and chart.figure["data"] and chart.table.headers


def test_hotfix_chart_and_table_show_the_trend(report):
    chart = report_charts(report)[0]
    deployments, hotfixes, rate = chart.figure["data"]
    assert [t["name"] for t in (deployments, hotfixes, rate)] == ["Deployments", "Hotfixes", "Hotfix rate (%)"]
    assert list(deployments["x"])[-1] == "2026-03" and len(deployments["x"]) == 12
    assert list(rate["y"])[-1] == 60.0
    assert chart.table.rows[-1] == ["2026-03", 5, 3, "60.0%"]
    assert chart.table.rows[-3] == ["2026-01", 0, 0, "—"]  # no deployments: no rate


def test_category_chart_hatches_the_months_a_category_recurs(report):
    chart = report_charts(report)[1]
    by_name = {trace["name"]: trace for trace in chart.figure["data"]}
    schema_change = by_name["Data or schema change"]
    shapes = dict(zip(schema_change["x"], schema_change["marker"]["pattern"]["shape"], strict=True))
    assert (shapes["2026-01"], shapes["2026-03"]) == ("", "/")
    row = next(r for r in chart.table.rows if r[0] == "Data or schema change")
    assert row[-1] == "1 ↻" and row[-3] == "1"


def test_checklist_heatmap_adds_skipped_and_ineffective(report):
    chart = report_charts(report)[2]
    heatmap = chart.figure["data"][0]
    staging = list(heatmap["y"]).index("Ran all downstream jobs end-to-end in staging")
    config = list(heatmap["y"]).index("Reviewed the configuration diff for the target environment")
    assert heatmap["z"][staging][-1] == 2 and heatmap["z"][config][-1] == 1
    assert heatmap["z"][staging][-3] == 1  # January
    # Each number in its own column, under its own header (it once read "2 / 1 / 0").
    assert chart.table.headers == [
        "Checklist item",
        "Month",
        "Skipped",
        "Skipped, would have caught it",
        "Followed but ineffective",
    ]
    rows = {(row[0], row[1]): row[2:] for row in chart.table.rows}
    assert rows[("Ran all downstream jobs end-to-end in staging", "2026-03")] == [2, 1, 0]
    assert rows[("Ran all downstream jobs end-to-end in staging", "2026-01")] == [1, 1, 0]
    assert rows[("Reviewed the configuration diff for the target environment", "2026-03")] == [0, 0, 1]


def test_detection_chart_groups_methods_the_way_leads_read_them(report):
    chart = report_charts(report)[3]
    march = {trace["name"]: list(trace["y"])[-1] for trace in chart.figure["data"]}
    # Automated alert + automated check; the manual check; the customer's report.
    assert march == {
        "Automated": 2,
        "Eyeball (manual check)": 1,
        "Customer report": 1,
        "Engineer noticed": 0,
        "Not recorded": 0,
    }


def test_action_and_mitigation_charts_follow_the_action_numbers(report):
    actions, mitigations = report_charts(report)[4:6]
    assert actions.table.rows[-1] == ["2026-03", 4, 2, 2, 4, 2, "50.0%"]
    assert mitigations.table.rows[-1] == ["2026-03", 1, 1]
    assert list(actions.figure["data"][3]["y"])[-1] == 50.0


def test_a_stored_snapshot_draws_the_same_charts(report):
    again = MonthlyReport.from_json(report.as_json())
    assert report_charts(again) == report_charts(report)


def test_every_figure_is_what_plotlys_own_encoder_gives(report):
    # The figures are built as plain dicts (reports/figures.py); read back through Plotly's graph
    # objects, which validate every property, each one must come out unchanged.
    figures = [chart.figure for chart in page_charts(report)] + [teams_chart(report).figure]
    for figure in figures:
        assert json.loads(go.Figure(figure).to_json()) == figure
