"""services/reminders.py: overdue owners are mailed once per working day."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from postmortems import services
from tests.factories import PostmortemFactory

pytestmark = pytest.mark.django_db


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
