"""Reminding owners of late prevention actions and expired temporary mitigations (SPEC §11).

At most once a week per action and reason: each reminder is claimed on its
`ActionReminder` row (a conditional UPDATE) before any mail goes out, so a rerun the
same day, or two workers at once, send nothing twice. One mail per owner lists all of
their items that are due a reminder. (Overdue postmortems keep SPEC §3's daily reminder,
in `reminders.py`.)
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F, Q
from django.utils import timezone

from ..choices import ReminderReason
from ..models import ActionReminder, PreventionAction, User
from ..selectors import actions_past_due, mitigations_expiring

REMIND_EVERY = timedelta(days=7)


def _due_items(today: date) -> list[tuple[PreventionAction, str]]:
    reachable = Q(owner__isnull=False, owner__is_active=True) & ~Q(owner__email="")
    late = [(a, ReminderReason.ACTION_PAST_DUE) for a in actions_past_due(today=today).filter(reachable)]
    expired = mitigations_expiring(today=today, within_days=-1).filter(reachable)
    return late + [(a, ReminderReason.MITIGATION_EXPIRED) for a in expired]


def _claim(action: PreventionAction, reason: str, today: date) -> bool:
    """True when this run may remind about (action, reason): none sent in the last seven days."""
    reminder, _ = ActionReminder.objects.get_or_create(action=action, reason=reason)
    not_recently = Q(last_sent_on__isnull=True) | Q(last_sent_on__lte=today - REMIND_EVERY)
    claimed = ActionReminder.objects.filter(not_recently, pk=reminder.pk).update(
        last_sent_on=today, times_sent=F("times_sent") + 1
    )
    return claimed == 1


def _line(action: PreventionAction, reason: str, today: date) -> str:
    url = f"{settings.SITE_URL}/postmortems/{action.postmortem_id}/"
    if reason == ReminderReason.MITIGATION_EXPIRED:
        when = f"expired {action.expires_at:%Y-%m-%d} ({(today - action.expires_at).days} days ago)"
        what = "Temporary mitigation"
    else:
        when = f"was due {action.due_date:%Y-%m-%d} ({(today - action.due_date).days} days ago)"
        what = "Action"
    return f"- {what} “{action.description[:200]}” {when}: {url}"


def _mail(owner: User, lines: list[str]) -> None:
    count = len(lines)
    send_mail(
        subject=f"[Postmortem actions] {count} item{'s' if count != 1 else ''} waiting for you",
        message=(
            "These prevention actions are yours and are late, or are temporary mitigations past their expiry:\n\n"
            + "\n".join(lines)
            + "\n\nMark them done with the link to what proves it, or replace the mitigation with its permanent fix. "
            "You will hear about each again in a week if it is still open."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[owner.email],
    )


def action_reminders_send(*, now: datetime | None = None) -> int:
    """Mail each owner their late actions and expired mitigations, each at most once a week; returns mails sent.

    Working days only (Monday to Friday in TIME_ZONE).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    if today.weekday() >= 5:
        return 0
    owners: dict[int, User] = {}
    lines: dict[int, list[str]] = defaultdict(list)
    for action, reason in _due_items(today):
        if _claim(action, reason, today):
            owners[action.owner_id] = action.owner
            lines[action.owner_id].append(_line(action, reason, today))
    for owner_id, owner in owners.items():
        _mail(owner, lines[owner_id])
    return len(owners)
