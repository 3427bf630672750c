"""What the Slack messages say (SPEC §11): the weekly digest of a seeded team on a Monday,
claimed once per week, and the monthly summary on snapshot day."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from postmortems import tasks
from postmortems.choices import ActionKind, ActionStatus, SlackMessageKind
from postmortems.models import SlackMessage
from postmortems.services import slack_monthly_summary_queue, slack_weekly_digest_send
from postmortems.services.report_snapshots import report_snapshot_store
from tests.factories import EngineerFactory, PostmortemFactory, PreventionActionFactory, RepositoryFactory, TeamFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 3, 16, 9, 0, tzinfo=ZoneInfo("UTC"))


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def seeded(fake_slack):
    team = TeamFactory(slug="forecasting", name="Forecasting", slack_webhook_url=fake_slack.url())
    repo = RepositoryFactory(full_name="acme/forecast", team=team)
    olga, nadia = EngineerFactory(username="olga"), EngineerFactory(username="nadia")
    late_record = PostmortemFactory(title="Empty forecast", repository=repo, team=team, owner=olga, due_at=at(12))
    PostmortemFactory(title="Not due yet", repository=repo, team=team, owner=olga, due_at=at(20))
    elsewhere = PostmortemFactory(title="Other team's", due_at=at(1))  # another team: not in this digest
    permanent = PreventionActionFactory(
        postmortem=late_record, description="Run downstream jobs in staging", owner=olga, due_date=date(2026, 3, 10)
    )
    PreventionActionFactory(
        postmortem=late_record, description="Alert on empty output", owner=nadia, due_date=date(2026, 3, 14)
    )
    PreventionActionFactory(postmortem=late_record, description="Due later", owner=nadia, due_date=date(2026, 4, 1))
    PreventionActionFactory(
        postmortem=late_record,
        description="Already done",
        owner=nadia,
        due_date=date(2026, 3, 1),
        status=ActionStatus.DONE,
        completed_at=at(2),
        evidence_url="https://github.com/acme/forecast/pull/1",
    )
    PreventionActionFactory(postmortem=elsewhere, description="Elsewhere late", due_date=date(2026, 3, 1))
    for description, expires in [("Eyeball the dashboard", 13), ("Rerun by hand", 20), ("Far off", 30)]:
        PreventionActionFactory(
            postmortem=late_record,
            description=description,
            kind=ActionKind.TEMPORARY_MITIGATION,
            owner=olga,
            due_date=date(2026, 4, 30),
            expires_at=date(2026, 3, expires),
            replaced_by=permanent,
        )
    return team


def sections(posted) -> list[str]:
    return [block["text"]["text"] for block in posted.json["blocks"] if block["type"] == "section"]


def test_the_weekly_digest_of_a_seeded_team(seeded, fake_slack, time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(MONDAY, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert slack_weekly_digest_send() == 1
    (posted,) = fake_slack.posted
    assert posted.json["text"] == "Weekly follow-through for Forecasting, 2026-W12"
    overdue, late, nadia, olga, mitigations = sections(posted)  # owners in name order
    assert overdue.startswith("*Overdue postmortems (1)*")
    assert "Empty forecast" in overdue and "olga, 3 days late" in overdue and "Not due yet" not in overdue
    assert "Other team" not in str(posted.json)
    assert late.startswith("*Actions past due (2)*")
    assert olga.startswith("*olga*") and "Run downstream jobs in staging" in olga and "6 days late" in olga
    assert nadia.startswith("*nadia*") and "Alert on empty output" in nadia and "2 days late" in nadia
    assert "Already done" not in str(posted.json) and "Due later" not in str(posted.json)
    assert mitigations.startswith("*Temporary mitigations expiring within 7 days or expired (2)*")
    assert "Eyeball the dashboard" in mitigations and "*expired* 13 Mar" in mitigations
    assert "Rerun by hand" in mitigations and "expires 20 Mar" in mitigations
    assert "Far off" not in mitigations
    record_link = f"<https://pm.example.com/postmortems/{seeded.postmortems.get(title='Empty forecast').pk}/|"
    assert record_link in overdue


def test_the_digest_is_sent_once_a_week(seeded, fake_slack, time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(MONDAY, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.slack_weekly_digest()
        tasks.slack_weekly_digest()  # the beat job run twice
    assert len(fake_slack.posted) == 1
    time_machine.move_to(MONDAY + timedelta(days=7), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.slack_weekly_digest()
    assert len(fake_slack.posted) == 2
    assert SlackMessage.objects.filter(kind=SlackMessageKind.WEEKLY_DIGEST).count() == 2


def test_the_default_channel_hears_about_records_without_a_team_only_when_there_are_some(
    fake_slack, settings, time_machine, django_capture_on_commit_callbacks
):
    settings.SLACK_WEBHOOK_URL = fake_slack.url("T0/B0/default")
    time_machine.move_to(MONDAY, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert slack_weekly_digest_send() == 0
    PostmortemFactory(title="Orphan", repository=None, team=None, due_at=at(2))
    with django_capture_on_commit_callbacks(execute=True):
        assert slack_weekly_digest_send() == 1
    assert "Orphan" in str(fake_slack.posted[0].json)


def test_the_monthly_summary_carries_the_headline_numbers(fake_slack, settings, django_capture_on_commit_callbacks):
    settings.SLACK_WEBHOOK_URL = fake_slack.url("T0/B0/default")
    snapshot, _ = report_snapshot_store(month=date(2026, 2, 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert slack_monthly_summary_queue(snapshot=snapshot) == 1
        assert slack_monthly_summary_queue(snapshot=snapshot) == 1  # claimed already: nothing new sent
    (posted,) = fake_slack.posted
    assert posted.json["text"] == "Reliability report 2026-02 — All teams"
    text = str(posted.json["blocks"])
    assert "Deployments: *0*" in text and "Hotfix rate: *—*" in text
    assert f"<https://pm.example.com{reverse('report-snapshot', args=[snapshot.pk])}|The full report" in text
    assert "Findings" not in text  # the report has none yet; none are made up


def test_the_monthly_summary_shows_the_reports_findings_when_it_has_them(
    fake_slack, settings, django_capture_on_commit_callbacks
):
    settings.SLACK_WEBHOOK_URL = fake_slack.url("T0/B0/default")
    snapshot, _ = report_snapshot_store(month=date(2026, 2, 1))
    snapshot.data["findings"] = [
        {
            "kind": "recurring_category",
            "title": "Untested downstream dependency recurred 3 times",
            "detail": "",
            "links": [],
        },
        {"kind": "skipped_step", "title": "Staging was skipped", "detail": "", "links": []},
    ]
    snapshot.save()
    with django_capture_on_commit_callbacks(execute=True):
        slack_monthly_summary_queue(snapshot=snapshot)
    findings = [t for t in sections(fake_slack.posted[0]) if t.startswith("*Findings*")]
    assert findings == ["*Findings*\n1. Untested downstream dependency recurred 3 times\n2. Staging was skipped"]


def test_snapshot_day_posts_the_summary(fake_slack, settings, time_machine, django_capture_on_commit_callbacks):
    settings.SLACK_WEBHOOK_URL = fake_slack.url("T0/B0/default")
    time_machine.move_to(datetime(2026, 4, 1, 6, 0, tzinfo=ZoneInfo("UTC")), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.store_monthly_report_snapshot()
    assert fake_slack.posted[0].json["text"] == "Reliability report 2026-03 — All teams"
