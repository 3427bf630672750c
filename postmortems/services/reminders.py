"""Reminding people of overdue postmortems, once each working day (SPEC §3).

An owned draft reminds its owner; a draft nobody owns reminds the leads of its team
(every lead when it has no team, or when its team has none), so that someone assigns it.
The same daily run finds the records that fell due since the previous one: their
repositories' open PRs get their `postmortem-debt` status again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone

from ..models import LEADS_GROUP, Postmortem, Repository, User
from ..selectors import overdue_postmortems
from .writeback import debt_refresh_schedule, reminder_comment_schedule

# Beat runs the reminders at a fixed time on working days; a little overlap between one
# run's window and the next costs at most a repeated status, a gap would miss a change.
RUN_OVERLAP = timedelta(hours=1)


def _days_late(postmortem: Postmortem, now: datetime) -> str:
    days = (now - postmortem.due_at).days
    return f"{timezone.localtime(postmortem.due_at):%Y-%m-%d %H:%M} ({days} day{'s' if days != 1 else ''} ago)"


def _reminder_text(postmortem: Postmortem, now: datetime) -> str:
    url = f"{settings.SITE_URL}/postmortems/{postmortem.pk}/"
    return (
        f"Your postmortem “{postmortem.title}” was due {_days_late(postmortem, now)} "
        "and has not been submitted yet.\n\n"
        f"Finish it here: {url}\n\n"
        "Every hotfix should teach something: the root cause, a failure category, prevention actions "
        "with owners and due dates, and the deploy checklist assessment."
    )


def _unowned_text(postmortem: Postmortem, now: datetime) -> str:
    url = f"{settings.SITE_URL}/postmortems/{postmortem.pk}/"
    team = f"team {postmortem.team.name}" if postmortem.team else "no team"
    return (
        f"The postmortem “{postmortem.title}” ({team}) has no owner. It was due {_days_late(postmortem, now)} "
        "and nobody is writing it.\n\n"
        f"Assign an owner here: {url}\n\n"
        "You get this because you lead its team (or it has no team, and you are a lead)."
    )


def lead_emails(*, team_id: int | None) -> list[str]:
    """Addresses of the active leads of a team; of every lead when there is no team, or it has no lead."""
    leads = User.objects.filter(
        Q(groups__name=LEADS_GROUP) | Q(is_staff=True) | Q(is_superuser=True), is_active=True
    ).exclude(email="")
    if team_id is not None:
        of_team = sorted(set(leads.filter(teams=team_id).values_list("email", flat=True)))
        if of_team:
            return of_team
    return sorted(set(leads.values_list("email", flat=True)))


def _recipients(postmortem: Postmortem, leads_by_team: dict[int | None, list[str]]) -> list[str]:
    if postmortem.owner is not None:
        return [postmortem.owner.email]
    if postmortem.team_id not in leads_by_team:
        leads_by_team[postmortem.team_id] = lead_emails(team_id=postmortem.team_id)
    return leads_by_team[postmortem.team_id]


def overdue_reminders_send(*, now: datetime | None = None) -> int:
    """Remind about every overdue draft not yet reminded today; returns how many records were reminded.

    Only on working days (Monday to Friday in TIME_ZONE); records already submitted
    are waiting for a reviewer, not their owner, so they get no reminder. The owner is
    mailed; a draft without an owner goes to the leads (see `lead_emails`).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    if today.weekday() >= 5:
        return 0
    sent = 0
    leads_by_team: dict[int | None, list[str]] = {}
    candidates = (
        overdue_postmortems(now=now)
        .filter(status="draft")
        .exclude(owner__isnull=False, owner__email="")  # an owner we cannot mail
        .exclude(reminded_on=today)
        .select_related("owner", "repository", "team")
    )
    for postmortem in candidates:
        recipients = _recipients(postmortem, leads_by_team)
        # Claim the reminder first so two beat runs the same day never send twice.
        if not recipients or not Postmortem.objects.filter(pk=postmortem.pk).exclude(reminded_on=today).update(
            reminded_on=today
        ):
            continue
        owned = postmortem.owner is not None
        send_mail(
            subject=f"[Postmortem {'overdue' if owned else 'overdue, no owner'}] {postmortem.title}"[:200],
            message=(_reminder_text if owned else _unowned_text)(postmortem, now),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=recipients,
        )
        reminder_comment_schedule(postmortem=postmortem)  # and on the PR, once
        sent += 1
    return sent


def previous_working_day_run(now: datetime) -> datetime:
    """The same time on the previous working day: when the run before this one happened."""
    today = timezone.localdate(now)
    day = today - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return now - (today - day)


def newly_overdue_debt_refresh(*, now: datetime | None = None) -> int:
    """Refresh `postmortem-debt` in each repository where a record fell due since the previous run.

    Records become overdue by the clock, not by an event, so the daily run looks for
    them, and for records opened already past due (a backfill asked for them); approving
    or dismissing a past-due record refreshes at once (see `writeback_schedule`).
    Returns how many repositories were refreshed, each once.
    """
    now = now or timezone.now()
    since = previous_working_day_run(now) - RUN_OVERLAP
    fell_due = overdue_postmortems(now=now).filter(
        Q(due_at__gte=since) | Q(created_at__gte=since), repository__debt_status_enabled=True
    )
    repositories = Repository.objects.filter(pk__in=fell_due.values("repository_id"))
    for repository in repositories:
        debt_refresh_schedule(repository=repository)
    return len(repositories)
