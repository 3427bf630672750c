"""Slack messages through services/notifications.py (SPEC §11): claimed once, sent by a task with
bounded retries honouring Retry-After, failures recorded for leads and never touching a record."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from postmortems import services
from postmortems.choices import PostmortemStatus, SlackMessageKind, SlackMessageStatus
from postmortems.models import Postmortem, SlackMessage
from postmortems.services.notifications import UNCERTAIN_GIVE_UP, slack_message_queue
from postmortems.services.writeback import retry_delay
from postmortems.slack.messages import Message
from tests.factories import EngineerFactory, RepositoryFactory, TeamFactory
from tests.github.conftest import hotfix_payload
from tests.slack.fake_slack import SlackReply

pytestmark = pytest.mark.django_db

HELLO = Message(text="hello", blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "hello"}}])


@pytest.fixture
def team(fake_slack):
    return TeamFactory(slug="forecasting", name="Forecasting", slack_webhook_url=fake_slack.url())


def queue_hello(django_capture_on_commit_callbacks, team, item="x:1", period="p"):
    with django_capture_on_commit_callbacks(execute=True):
        return slack_message_queue(
            kind=SlackMessageKind.WEEKLY_DIGEST, team=team, item=item, period=period, message=HELLO
        )


def test_a_hotfix_record_opened_is_announced_once_to_its_team(deliver, fake_slack, team):
    RepositoryFactory(full_name="Codertocat/Hello-World", default_branch="master", team=team)
    EngineerFactory(username="coder", github_login="Codertocat")
    payload = hotfix_payload(title="Hotfix: forecast <reads> stale data")
    deliver(payload)
    deliver(payload)  # a redelivery: no second record, no second message
    postmortem = Postmortem.objects.get()
    assert len(fake_slack.posted) == 1
    body = fake_slack.posted[0].json
    text = str(body["blocks"])
    assert f"Postmortem #{postmortem.pk} opened" in body["text"]
    assert "Codertocat/Hello-World" in text
    assert "<https://github.com/Codertocat/Hello-World/pull/2|#2>" in text
    assert "coder" in text
    assert f"<https://pm.example.com/postmortems/{postmortem.pk}/|Open the postmortem>" in text
    # The title is escaped where Slack reads mrkdwn (the notification text), literal in the plain-text header.
    assert body["text"].endswith("forecast &lt;reads&gt; stale data")
    assert body["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": body["text"].replace("&lt;", "<").replace("&gt;", ">"), "emoji": False},
    }


def test_no_webhook_anywhere_means_no_message_and_no_row(deliver, fake_slack, settings):
    settings.SLACK_WEBHOOK_URL = ""
    RepositoryFactory(full_name="Codertocat/Hello-World", default_branch="master", team=TeamFactory(slug="quiet"))
    deliver(hotfix_payload())
    assert Postmortem.objects.count() == 1
    assert SlackMessage.objects.count() == 0 and fake_slack.posted == []


def test_the_default_webhook_serves_teams_without_their_own(deliver, fake_slack, settings):
    settings.SLACK_WEBHOOK_URL = fake_slack.url("T0/B0/defaultHOOK")
    RepositoryFactory(full_name="Codertocat/Hello-World", default_branch="master", team=TeamFactory(slug="no-hook"))
    deliver(hotfix_payload())
    assert [p.path for p in fake_slack.posted] == ["/services/T0/B0/defaultHOOK"]
    assert SlackMessage.objects.get().channel == "default"


def test_a_429_is_retried_no_sooner_than_retry_after(fake_slack, team):
    fake_slack.reply(SlackReply(429, "rate_limited", {"Retry-After": "7"}))
    row = slack_message_queue(kind=SlackMessageKind.WEEKLY_DIGEST, team=team, item="x", period="p", message=HELLO)
    outcome = services.slack_message_send(message_pk=row.pk)
    assert outcome.retry_after == 7.0
    row.refresh_from_db()
    assert (row.status, row.attempts) == (SlackMessageStatus.PENDING, 1)
    assert "429" in row.last_error
    assert services.slack_message_send(message_pk=row.pk).retry_after is None
    row.refresh_from_db()
    assert (row.status, len(fake_slack.posted)) == (SlackMessageStatus.SENT, 2)


def test_the_retry_delay_honours_slacks_hint():
    assert retry_delay(0, 7.0) >= 30.0  # our own back-off when it is longer
    assert retry_delay(0, 120.0) >= 120.0  # never sooner than Slack asked


def test_500s_are_retried_a_bounded_number_of_times_then_shown(
    fake_slack, team, settings, django_capture_on_commit_callbacks
):
    settings.SLACK_MAX_ATTEMPTS = 3
    fake_slack.reply(*[SlackReply(500, "rollup_error")] * 10)
    row = queue_hello(django_capture_on_commit_callbacks, team)
    row.refresh_from_db()
    assert len(fake_slack.posted) == 3
    assert row.status == SlackMessageStatus.FAILED and "500" in row.last_error


def test_a_permanent_error_is_not_retried(fake_slack, team, django_capture_on_commit_callbacks):
    fake_slack.reply(SlackReply(404, "no_service"))
    row = queue_hello(django_capture_on_commit_callbacks, team)
    row.refresh_from_db()
    assert (row.status, row.attempts, len(fake_slack.posted)) == (SlackMessageStatus.FAILED, 1, 1)
    assert "no_service" in row.last_error


def test_the_same_message_is_claimed_once_per_period(fake_slack, team, django_capture_on_commit_callbacks):
    queue_hello(django_capture_on_commit_callbacks, team, period="2026-W11")
    queue_hello(django_capture_on_commit_callbacks, team, period="2026-W11")
    queue_hello(django_capture_on_commit_callbacks, team, period="2026-W12")
    assert len(fake_slack.posted) == 2


def test_an_answer_lost_twice_is_sent_at_most_twice(fake_slack, team, settings, django_capture_on_commit_callbacks):
    settings.SLACK_TIMEOUT = 1
    fake_slack.reply(SlackReply(200, "ok", delay=1.6), SlackReply(200, "ok", delay=1.6), SlackReply())
    row = queue_hello(django_capture_on_commit_callbacks, team)
    row.refresh_from_db()
    assert len(fake_slack.posted) == 2  # Slack may have both: one duplicate at most
    assert row.status == SlackMessageStatus.FAILED and UNCERTAIN_GIVE_UP in row.last_error


def test_a_worker_killed_mid_send_is_resent_once_only(fake_slack, team):
    row = slack_message_queue(kind=SlackMessageKind.WEEKLY_DIGEST, team=team, item="x", period="p", message=HELLO)
    long_ago = timezone.now() - timedelta(hours=1)
    SlackMessage.objects.filter(pk=row.pk).update(status=SlackMessageStatus.SENDING, attempts=1, attempted_at=long_ago)
    services.slack_message_send(message_pk=row.pk)
    row.refresh_from_db()
    assert (row.status, row.uncertain, len(fake_slack.posted)) == (SlackMessageStatus.SENT, True, 1)
    # Killed again after the resend: no third try.
    SlackMessage.objects.filter(pk=row.pk).update(status=SlackMessageStatus.SENDING, attempted_at=long_ago)
    services.slack_message_send(message_pk=row.pk)
    row.refresh_from_db()
    assert row.status == SlackMessageStatus.FAILED and len(fake_slack.posted) == 1


def test_a_message_in_flight_is_not_sent_by_a_second_worker(fake_slack, team):
    row = slack_message_queue(kind=SlackMessageKind.WEEKLY_DIGEST, team=team, item="x", period="p", message=HELLO)
    SlackMessage.objects.filter(pk=row.pk).update(status=SlackMessageStatus.SENDING, attempted_at=timezone.now())
    services.slack_message_send(message_pk=row.pk)
    assert fake_slack.posted == []


def test_a_slack_failure_never_touches_the_record(deliver, fake_slack, team):
    RepositoryFactory(full_name="Codertocat/Hello-World", default_branch="master", team=team)
    fake_slack.reply(*[SlackReply(500, "down")] * 10)
    deliver(hotfix_payload())
    postmortem = Postmortem.objects.get()
    assert postmortem.status == PostmortemStatus.DRAFT
    assert SlackMessage.objects.get().status == SlackMessageStatus.FAILED


def test_the_webhook_url_is_never_logged(fake_slack, settings, caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.DEBUG)
    secret = fake_slack.url("T9/B9/topSECRETpart")
    team = TeamFactory(slug="secretive", slack_webhook_url=secret)
    fake_slack.reply(SlackReply(500, "x"), SlackReply(404, "no_service"))
    queue_hello(django_capture_on_commit_callbacks, team)
    services.slack_test_send(team=team)
    assert "topSECRET" not in caplog.text
    assert "…part" in caplog.text


def test_the_test_message_reports_delivery_or_the_error(fake_slack, team, settings):
    sent = services.slack_test_send(team=team)
    assert sent.status == SlackMessageStatus.SENT
    assert "Forecasting" in fake_slack.posted[-1].json["text"]
    fake_slack.reply(SlackReply(404, "no_service"))
    failed = services.slack_test_send(team=team)
    assert failed.status == SlackMessageStatus.FAILED and "no_service" in failed.last_error
    settings.SLACK_WEBHOOK_URL = ""
    unconfigured = services.slack_test_send(team=TeamFactory(slug="nohook"))
    assert "No Slack webhook is configured" in unconfigured.last_error


def test_the_sweep_sends_a_message_whose_task_never_ran(fake_slack, team):
    stuck = slack_message_queue(kind=SlackMessageKind.WEEKLY_DIGEST, team=team, item="a", period="p", message=HELLO)
    slack_message_queue(kind=SlackMessageKind.WEEKLY_DIGEST, team=team, item="b", period="p", message=HELLO)
    SlackMessage.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - timedelta(minutes=11))
    assert services.slack_messages_requeue() == 1
    assert SlackMessage.objects.get(pk=stuck.pk).status == SlackMessageStatus.SENT
    assert len(fake_slack.posted) == 1
    assert services.slack_messages_requeue() == 0
