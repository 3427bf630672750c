"""Overdue reminders (SPEC §3): owners each working day, and a draft nobody owns to the leads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from postmortems import services
from tests.factories import EngineerFactory, LeadFactory, PostmortemFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

WEDNESDAY = datetime(2026, 3, 11, 9, 0, tzinfo=UTC)


def recipients() -> list[set[str]]:
    return [set(message.to) for message in mail.outbox]


@pytest.fixture
def people():
    """Two teams, each with a lead and an engineer, and a lead of no team."""
    forecasting, pricing = TeamFactory(name="Forecasting"), TeamFactory(name="Pricing")
    people = {
        "forecast-lead": LeadFactory(username="forecast-lead"),
        "forecast-dev": EngineerFactory(username="forecast-dev"),
        "pricing-lead": LeadFactory(username="pricing-lead"),
        "floating-lead": LeadFactory(username="floating-lead"),
    }
    forecasting.members.add(people["forecast-lead"], people["forecast-dev"])
    pricing.members.add(people["pricing-lead"])
    return {"forecasting": forecasting, "pricing": pricing, **people}


def test_an_unowned_overdue_draft_reminds_its_teams_leads_each_working_day(people):
    draft = PostmortemFactory(
        owner=None, team=people["forecasting"], title="Loader crash", due_at=WEDNESDAY - timedelta(days=2)
    )
    assert services.overdue_reminders_send(now=WEDNESDAY) == 1
    assert services.overdue_reminders_send(now=WEDNESDAY + timedelta(hours=3)) == 0  # once a day
    assert recipients() == [{"forecast-lead@example.com"}]  # not the engineer, not other teams' leads
    (message,) = mail.outbox
    assert message.subject == "[Postmortem overdue, no owner] Loader crash"
    assert "has no owner" in message.body and f"/postmortems/{draft.pk}/" in message.body
    assert "(2 days ago)" in message.body

    assert services.overdue_reminders_send(now=WEDNESDAY + timedelta(days=3)) == 0  # Saturday
    assert services.overdue_reminders_send(now=WEDNESDAY + timedelta(days=5)) == 1  # Monday
    assert recipients()[-1] == {"forecast-lead@example.com"}


def test_an_unowned_draft_of_no_team_reminds_every_lead(people):
    staff = UserFactory(username="staff-lead", is_staff=True)
    UserFactory(username="gone-lead", is_staff=True, is_active=False)
    PostmortemFactory(owner=None, repository=None, team=None, due_at=WEDNESDAY - timedelta(days=1))
    assert services.overdue_reminders_send(now=WEDNESDAY) == 1
    assert recipients() == [
        {"forecast-lead@example.com", "pricing-lead@example.com", "floating-lead@example.com", staff.email}
    ]


def test_an_unowned_draft_of_a_team_without_leads_reminds_every_lead(people):
    leaderless = TeamFactory(name="Contractors")
    leaderless.members.add(EngineerFactory(username="contractor"))
    PostmortemFactory(owner=None, team=leaderless, due_at=WEDNESDAY - timedelta(days=1))
    assert services.overdue_reminders_send(now=WEDNESDAY) == 1
    assert recipients() == [{"forecast-lead@example.com", "pricing-lead@example.com", "floating-lead@example.com"}]


def test_an_owned_draft_still_reminds_only_its_owner(people):
    PostmortemFactory(owner=people["forecast-dev"], team=people["forecasting"], due_at=WEDNESDAY - timedelta(days=1))
    PostmortemFactory(owner=None, team=people["pricing"], due_at=WEDNESDAY + timedelta(days=1))  # not due yet
    assert services.overdue_reminders_send(now=WEDNESDAY) == 1
    assert recipients() == [{"forecast-dev@example.com"}]
    assert mail.outbox[0].subject.startswith("[Postmortem overdue] ")


def test_no_lead_to_remind_leaves_the_draft_for_the_next_run(db):
    draft = PostmortemFactory(owner=None, repository=None, team=None, due_at=WEDNESDAY - timedelta(days=1))
    assert services.overdue_reminders_send(now=WEDNESDAY) == 0
    draft.refresh_from_db()
    assert draft.reminded_on is None and mail.outbox == []


def test_overdue_owner_is_reminded_once_per_working_day(engineer):
    wednesday = datetime(2026, 3, 11, 9, 0, tzinfo=UTC)
    PostmortemFactory(owner=engineer, due_at=wednesday - timedelta(days=2))
    PostmortemFactory(owner=engineer, due_at=wednesday + timedelta(days=2))
    assert services.overdue_reminders_send(now=wednesday) == 1
    assert services.overdue_reminders_send(now=wednesday + timedelta(hours=3)) == 0
    assert len(mail.outbox) == 1 and engineer.email in mail.outbox[0].to
    assert "/postmortems/" in mail.outbox[0].body
    assert services.overdue_reminders_send(now=wednesday + timedelta(days=1)) == 1


def test_no_reminders_at_the_weekend(engineer):
    saturday = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
    PostmortemFactory(owner=engineer, due_at=saturday - timedelta(days=2))
    assert services.overdue_reminders_send(now=saturday) == 0
