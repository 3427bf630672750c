"""Reminding owners of overdue postmortems, once each working day."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from ..models import Postmortem
from ..selectors import overdue_postmortems
from .writeback import reminder_comment_schedule


def _reminder_text(postmortem: Postmortem, now: datetime) -> str:
    late = now - postmortem.due_at
    days = late.days
    url = f"{settings.SITE_URL}/postmortems/{postmortem.pk}/"
    return (
        f"Your postmortem “{postmortem.title}” was due {timezone.localtime(postmortem.due_at):%Y-%m-%d %H:%M} "
        f"({days} day{'s' if days != 1 else ''} ago) and has not been submitted yet.\n\n"
        f"Finish it here: {url}\n\n"
        "Every hotfix should teach something: the root cause, a failure category, prevention actions "
        "with owners and due dates, and the deploy checklist assessment."
    )


def overdue_reminders_send(*, now: datetime | None = None) -> int:
    """Mail the owner of every overdue draft not yet reminded today; returns how many were sent.

    Only on working days (Monday to Friday in TIME_ZONE); records already submitted
    are waiting for a reviewer, not their owner, so they get no reminder.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    if today.weekday() >= 5:
        return 0
    sent = 0
    candidates = (
        overdue_postmortems(now=now)
        .filter(status="draft", owner__isnull=False)
        .exclude(owner__email="")
        .exclude(reminded_on=today)
        .select_related("owner", "repository")
    )
    for postmortem in candidates:
        # Claim the reminder first so two beat runs the same day never send twice.
        if not Postmortem.objects.filter(pk=postmortem.pk).exclude(reminded_on=today).update(reminded_on=today):
            continue
        send_mail(
            subject=f"[Postmortem overdue] {postmortem.title}"[:200],
            message=_reminder_text(postmortem, now),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[postmortem.owner.email],
        )
        reminder_comment_schedule(postmortem=postmortem)  # and on the PR, once
        sent += 1
    return sent
