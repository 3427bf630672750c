"""Stored report snapshots: the beat job, the regenerate command, the pages and the leads' mail."""

import csv
import io
from datetime import date

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from postmortems.models import ReportSnapshot
from postmortems.services.report_snapshots import monthly_snapshot_run
from tests.factories import MergedPullRequestFactory
from tests.reports import dataset

from .conftest import page_headline


def test_snapshot_stored_once_and_leads_mailed_once(data, lead, staff, time_machine):
    time_machine.move_to(dataset.utc(2026, 4, 1, 10))  # 06:00 on the 1st in New York
    first = monthly_snapshot_run()
    again = monthly_snapshot_run()
    assert first.pk == again.pk and ReportSnapshot.objects.count() == 1
    assert first.month == date(2026, 3, 1)
    assert first.data["deployments"] == 5
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == sorted([lead.email, staff.email])
    assert "2026-03" in message.subject
    assert f"/reports/snapshots/{first.pk}/" in message.body
    assert "Deployments: 5 (last month 1)" in message.body


def test_mail_summary_writes_rates_and_recurring_categories(data, lead, time_machine):
    time_machine.move_to(dataset.utc(2026, 4, 1, 10))
    monthly_snapshot_run()
    body = mail.outbox[0].body
    assert "- Hotfix rate: 60.0% (last month 0.0%)" in body
    assert "- MTTR median (h): 4.75 (last month —)" in body
    assert "Recurring failure categories: Environment-specific configuration, Data or schema change" in body


def test_snapshot_pages_and_regenerate_command(data, signed_in):
    call_command("report_snapshot", "2026-03", "--team", "alpha", stdout=io.StringIO())
    snapshot = ReportSnapshot.objects.get(scope="team:alpha")
    assert snapshot.data["deployments"] == 4
    MergedPullRequestFactory(repository=data["repo_a"], merged_at=dataset.utc(2026, 3, 9, 12))
    call_command("report_snapshot", "2026-03", "--team", "alpha", stdout=io.StringIO())
    snapshot.refresh_from_db()
    assert snapshot.data["deployments"] == 5 and ReportSnapshot.objects.count() == 1
    listing = signed_in.get("/reports/snapshots/").content.decode()
    assert f"/reports/snapshots/{snapshot.pk}/" in listing
    detail = signed_in.get(f"/reports/snapshots/{snapshot.pk}/")
    assert detail.status_code == 200
    assert page_headline(detail.content.decode())["Deployments"] == "5"


def test_snapshot_keeps_its_numbers_when_the_data_changes(data, signed_in):
    call_command("report_snapshot", "2026-03", stdout=io.StringIO())
    snapshot = ReportSnapshot.objects.get()
    MergedPullRequestFactory(repository=data["repo_a"], merged_at=dataset.utc(2026, 3, 9, 12))
    assert page_headline(signed_in.get("/reports/monthly/2026-03/").content.decode())["Deployments"] == "6"
    assert page_headline(signed_in.get(f"/reports/snapshots/{snapshot.pk}/").content.decode())["Deployments"] == "5"
    rows = list(
        csv.reader(io.StringIO(signed_in.get(f"/reports/snapshots/{snapshot.pk}/?format=csv").content.decode()))
    )
    assert ["deployments", "", "5"] in rows


@pytest.mark.parametrize("month", ["2026-13", "1969-12"])
def test_regenerate_command_refuses_a_bad_month(data, month):
    with pytest.raises(CommandError, match=r"YYYY-MM|before 1970"):
        call_command("report_snapshot", month, stdout=io.StringIO())


def test_beat_runs_the_snapshot_task_on_the_first_of_the_month(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["monthly-report-snapshot"]
    assert entry["task"] == "postmortems.store_monthly_report_snapshot"
    assert entry["schedule"].day_of_month == {1}


def test_snapshot_task_stores_last_month(data, lead, time_machine):
    from postmortems.tasks import store_monthly_report_snapshot

    time_machine.move_to(dataset.utc(2026, 4, 1, 10))
    pk = store_monthly_report_snapshot()
    assert ReportSnapshot.objects.get(pk=pk).month_label == "2026-03"
    assert store_monthly_report_snapshot() == pk and len(mail.outbox) == 1


def test_mail_opens_with_the_findings_of_the_complete_month(data, lead, time_machine, settings):
    # 00:30 on 1 April in New York: March has just ended, and the mail describes it.
    time_machine.move_to(dataset.utc(2026, 4, 1, 4, 30))
    snapshot = monthly_snapshot_run()
    assert snapshot.month == date(2026, 3, 1)
    body = mail.outbox[0].body
    findings = snapshot.data["findings"]
    assert [f["kind"] for f in findings] == ["recurring_category", "skipped_step", "actions_past_due"]
    assert body.index("What to fix first:") < body.index("- Deployments: 5")
    for finding in findings:
        assert f"- {finding['title']}" in body
    pm1 = data["pm1"].pk
    assert f"  #{pm1}: {settings.SITE_URL}/postmortems/{pm1}/" in body


def test_mail_says_when_the_month_supports_no_finding(data, lead, time_machine):
    time_machine.move_to(dataset.utc(2025, 7, 1, 10))  # June 2025: nothing happened
    monthly_snapshot_run()
    body = mail.outbox[0].body
    assert "- No failure category recurred this month." in body
    assert "- No prevention action was past due at the end of the month." in body


def test_a_snapshot_stored_before_findings_does_not_claim_there_were_none(data, signed_in):
    call_command("report_snapshot", "2026-03", stdout=io.StringIO())
    snapshot = ReportSnapshot.objects.get()
    old = {key: value for key, value in snapshot.data.items() if key not in ("findings", "teams", "dora_bands")}
    ReportSnapshot.objects.filter(pk=snapshot.pk).update(data=old)
    html = signed_in.get(f"/reports/snapshots/{snapshot.pk}/").content.decode()
    assert "This snapshot was stored before the report computed findings." in html
    assert "No failure category recurred this month." not in html
    assert page_headline(html)["Deployments"] == "5"
