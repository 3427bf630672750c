"""Reminders for late actions and expired mitigations (SPEC §11): the owner by email, at most once a
week per item, recorded so a rerun sends nothing twice."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from postmortems import tasks
from postmortems.choices import ActionKind, ActionStatus, ReminderReason
from postmortems.models import ActionReminder
from postmortems.services import action_reminders_send
from tests.factories import EngineerFactory, PostmortemFactory, PreventionActionFactory

pytestmark = pytest.mark.django_db

TUESDAY = datetime(2026, 3, 17, 9, 15, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def olga(db):
    return EngineerFactory(username="olga", email="olga@example.com")


@pytest.fixture
def late(olga):
    record = PostmortemFactory(owner=olga)
    permanent = PreventionActionFactory(
        postmortem=record, description="Alert on empty output", owner=olga, due_date=date(2026, 3, 10)
    )
    PreventionActionFactory(
        postmortem=record,
        description="Eyeball the dashboard",
        kind=ActionKind.TEMPORARY_MITIGATION,
        owner=olga,
        due_date=date(2026, 6, 1),
        expires_at=date(2026, 3, 14),
        replaced_by=permanent,
    )
    return permanent


def test_the_owner_gets_one_mail_listing_late_actions_and_expired_mitigations(late, time_machine):
    time_machine.move_to(TUESDAY, tick=False)
    assert action_reminders_send() == 1
    (message,) = mail.outbox
    assert message.to == ["olga@example.com"]
    assert message.subject == "[Postmortem actions] 2 items waiting for you"
    assert "Action “Alert on empty output” was due 2026-03-10 (7 days ago)" in message.body
    assert "Temporary mitigation “Eyeball the dashboard” expired 2026-03-14 (3 days ago)" in message.body
    assert f"/postmortems/{late.postmortem_id}/" in message.body


def test_a_rerun_sends_nothing_and_a_week_later_it_comes_again(late, time_machine):
    time_machine.move_to(TUESDAY, tick=False)
    tasks.send_action_reminders()
    tasks.send_action_reminders()  # the beat job twice the same day
    assert len(mail.outbox) == 1
    for days in (1, 3, 6):
        time_machine.move_to(TUESDAY + timedelta(days=days), tick=False)
        action_reminders_send()
    assert len(mail.outbox) == 1
    time_machine.move_to(TUESDAY + timedelta(days=7), tick=False)
    assert action_reminders_send() == 1
    assert len(mail.outbox) == 2
    reminder = ActionReminder.objects.get(action=late, reason=ReminderReason.ACTION_PAST_DUE)
    assert (reminder.times_sent, reminder.last_sent_on) == (2, date(2026, 3, 24))


def test_nothing_for_done_actions_owners_without_email_or_at_weekends(late, olga, time_machine):
    time_machine.move_to(datetime(2026, 3, 21, 9, 15, tzinfo=ZoneInfo("UTC")), tick=False)  # a Saturday
    assert action_reminders_send() == 0
    time_machine.move_to(TUESDAY, tick=False)
    late.status, late.completed_at = ActionStatus.DONE, TUESDAY
    late.evidence_url = "https://github.com/acme/forecast/pull/3"
    late.save()
    olga.email = ""
    olga.save()
    assert action_reminders_send() == 0
    assert mail.outbox == []


def test_a_mitigation_not_yet_expired_is_not_reminded(olga, time_machine):
    record = PostmortemFactory(owner=olga)
    permanent = PreventionActionFactory(postmortem=record, owner=olga, due_date=date(2026, 4, 1))
    PreventionActionFactory(
        postmortem=record,
        kind=ActionKind.TEMPORARY_MITIGATION,
        owner=olga,
        due_date=date(2026, 6, 1),
        expires_at=date(2026, 3, 17),  # expires today: the digest warns, the reminder waits
        replaced_by=permanent,
    )
    time_machine.move_to(TUESDAY, tick=False)
    assert action_reminders_send() == 0
