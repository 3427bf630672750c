"""reports/export.py: headline rows with the change from last month, CSV rows, and formula-safe cells."""

import csv
import io
from datetime import date

import pytest

from postmortems.reports import MonthlyReport, Scope, build_monthly_report, csv_safe, headline_rows, report_csv_rows

API = "/api/v1/reports/monthly/"


def test_csv_has_the_same_numbers_and_neutralises_formulas(data, signed_in):
    response = signed_in.get("/reports/monthly/2026-03/", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["metric", "breakdown", "value"]
    values = {(m, b): v for m, b, v in rows[1:]}
    api = signed_in.get(API, {"month": "2026-03"}).json()
    for key in ("deployments", "hotfixes", "hotfix_rate", "postmortems_opened", "postmortems_approved", "overdue"):
        assert values[(key, "")] == str(api[key])
    assert values[("sla_met_rate", "")] == "0.3333"
    assert values[("mttr_hours", "median")] == "4.75"
    assert values[("mttr_hours", "p90")] == "5.85"
    assert values[("by_category", "Environment-specific configuration")] == "2"
    assert values[("checklist_gaps.ineffective", "Reviewed the configuration diff for the target environment")] == "1"
    assert values[("actions", "done_on_time_rate")] == "0.5"
    # The user-written missing step starts with "=": it is written as text, not a formula.
    missing = [b for (m, b) in values if m == "checklist_gaps.missing_item"]
    assert missing == ['\'=HYPERLINK("x") compare row counts']


def test_csv_names_the_scope_and_lists_the_trend(data):
    rows = report_csv_rows(build_monthly_report(date(2026, 3, 1), Scope(team=data["alpha"])))
    assert rows[:2] == [["month", "", "2026-03"], ["scope", "team", "alpha"]]
    trend = [row for row in rows if row[0] == "trend.deployments"]
    assert len(trend) == 12 and trend[0][1] == "2025-04" and trend[-1] == ["trend.deployments", "2026-03", 4]
    everyone = report_csv_rows(build_monthly_report(date(2026, 3, 1), Scope()))
    assert everyone[1] == ["scope", "", "all teams"]


def test_a_snapshot_gives_the_same_csv_as_the_live_report(data):
    report = build_monthly_report(date(2026, 3, 1), Scope())
    assert report_csv_rows(MonthlyReport.from_json(report.as_json())) == report_csv_rows(report)


def test_headline_rows_say_whether_the_change_is_better_or_worse(data):
    rows = {row.label: row for row in headline_rows(build_monthly_report(date(2026, 3, 1), Scope()))}
    deployments, hotfixes, mttr = rows["Deployments"], rows["Hotfixes"], rows["MTTR median (h)"]
    # More deployments is better; more hotfixes is worse; February had no MTTR, so no change.
    assert (deployments.value, deployments.previous, deployments.change, deployments.trend) == (5, 1, 4, "better")
    assert (hotfixes.value, hotfixes.previous, hotfixes.change, hotfixes.trend) == (3, 0, 3, "worse")
    assert (mttr.value, mttr.previous, mttr.change, mttr.trend) == (4.75, None, None, "same")
    assert next(iter(rows)) == "Deployments" and len(rows) == 11


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("plain", "plain"),
        (None, ""),
        (-3, -3),
        (0.5, 0.5),
    ],
)
def test_csv_safe_neutralises_formulas_in_text_only(value, written):
    assert csv_safe(value) == written
