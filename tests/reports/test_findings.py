"""reports/findings.py: the three findings at the top of the report, from seeded data with known answers."""

import csv
import io
from datetime import date

from postmortems.choices import ActionStatus
from postmortems.models import ChecklistAssessment, PreventionAction
from postmortems.reports import Scope, build_monthly_report
from postmortems.reports.findings import NO_FINDING, absent_findings, actions_past_due_finding
from postmortems.reports.lead_queries import OwnerPastDue

STAGING_STEP = "Ran all downstream jobs end-to-end in staging"


def _findings(month: date = date(2026, 3, 1), scope: Scope | None = None) -> dict:
    report = build_monthly_report(month, scope or Scope())
    return {f.kind: f for f in report.findings}


def test_most_recurring_category_counts_its_months_and_its_actions(data):
    finding = _findings()["recurring_category"]
    # Data or schema change: January and March (2 months) beats environment config (twice in March alone).
    assert finding.title == (
        "Data or schema change recurred: 2 postmortems in 2 of the last 3 months (2026-01, 2026-03); "
        "1 of its 2 prevention actions done."
    )
    assert finding.detail == "1 prevention action of it still open: finishing them comes first."
    assert [link.url for link in finding.links] == [
        "/postmortems/?category=data-or-schema-change&month=2026-01",
        "/postmortems/?category=data-or-schema-change&month=2026-03",
    ]


def test_recurring_category_with_every_action_done_says_they_did_not_work(data):
    PreventionAction.objects.filter(
        status=ActionStatus.OPEN, postmortem__category__slug="data-or-schema-change"
    ).update(status=ActionStatus.DONE, completed_at=data["pm1"].approved_at)
    finding = _findings()["recurring_category"]
    assert finding.title.endswith("2 of its 2 prevention actions done.")
    assert finding.detail == "All its prevention actions were done and it still came back: they did not prevent it."


def test_skipped_step_that_would_have_caught_it_links_its_records(data):
    finding = _findings()["skipped_step"]
    assert finding.title == (
        f"“{STAGING_STEP}” was skipped 2 times this month; following it would have caught 1 incident."
    )
    assert [link.url for link in finding.links] == [f"/postmortems/{data['pm1'].pk}/"]


def test_owners_with_most_actions_past_due(data):
    finding = _findings()["actions_past_due"]
    # PM1's second action (due 28 March, done 2 April) and PM4's mitigation (due 31 March), different owners.
    pm1_owner, pm4_owner = data["pm1"].owner.username, PreventionAction.objects.get(kind="temporary_mitigation").owner
    named = ", ".join(f"{name} (1)" for name in sorted([pm1_owner, pm4_owner.username]))
    assert finding.title == f"2 prevention actions past due at the end of 2026-03; most with {named}."
    assert len(finding.links) == 2


def test_a_month_without_data_has_no_findings_and_says_so(data):
    report = build_monthly_report(date(2025, 6, 1), Scope())
    assert report.findings == ()
    assert absent_findings(report.findings) == list(NO_FINDING.values())


def test_a_skipped_step_that_would_not_have_caught_it_is_no_finding(data):
    ChecklistAssessment.objects.filter(would_have_caught=True).update(would_have_caught=False)
    assert "skipped_step" not in _findings()


def test_team_scope_findings_link_into_the_team_list(data):
    finding = _findings(scope=Scope(team=data["alpha"]))["recurring_category"]
    assert finding.links[0].url.startswith("/postmortems/?team=alpha&category=")


def test_findings_are_in_the_json_and_the_csv(data, signed_in):
    body = signed_in.get("/api/v1/reports/monthly/", {"month": "2026-03"}).json()
    assert [f["kind"] for f in body["findings"]] == ["recurring_category", "skipped_step", "actions_past_due"]
    assert set(body["findings"][0]) == {"kind", "title", "detail", "links"}
    assert set(body["findings"][0]["links"][0]) == {"label", "url"}
    csv_text = signed_in.get("/reports/monthly/2026-03/", {"format": "csv"}).content.decode()
    rows = list(csv.reader(io.StringIO(csv_text)))
    titles = {row[0]: row[1] for row in rows if row[0].startswith("findings.") and not row[0].endswith(".link")}
    assert titles == {f"findings.{f['kind']}": f["title"] for f in body["findings"]}
    assert ["findings.skipped_step.link", f"#{data['pm1'].pk}", f"/postmortems/{data['pm1'].pk}/"] in rows


def test_a_finding_links_at_most_ten_records_and_says_how_many_there_are(data):
    finding = actions_past_due_finding([OwnerPastDue("ada", 12, tuple(range(1, 13)))], "2026-03")
    assert finding.title == "12 prevention actions past due at the end of 2026-03; most with ada (12)."
    assert [link.label for link in finding.links] == [f"#{n}" for n in range(1, 11)]
    assert finding.detail == "1 owner in all. Linked: the first 10 of 12 records."
