"""Reads the views, API, tasks and reports share: visibility, overdue, inbox."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from .choices import ActionStatus, PostmortemStatus
from .models import OPEN_STATUSES, Postmortem, PreventionAction, User
from .workflow import is_lead


def overdue_q(now: datetime | None = None) -> Q:
    """Open (draft or in review) and past due."""
    return Q(status__in=OPEN_STATUSES, due_at__lt=now or timezone.now())


def overdue_postmortems(*, now: datetime | None = None) -> QuerySet[Postmortem]:
    return Postmortem.objects.filter(overdue_q(now))


def visible_postmortems(user: User) -> QuerySet[Postmortem]:
    """Leads see every record; engineers see their teams', their own and those of no team."""
    qs = Postmortem.objects.all()
    if is_lead(user):
        return qs
    if not (user and user.is_authenticated):
        return qs.none()
    return qs.filter(
        Q(team__isnull=True) | Q(team__members=user) | Q(owner=user) | Q(reviewer=user) | Q(actions__owner=user)
    ).distinct()


def postmortem_detail_queryset(user: User) -> QuerySet[Postmortem]:
    """Everything a record page or API detail shows, in a fixed number of queries."""
    return (
        visible_postmortems(user)
        .select_related(
            "owner",
            "reviewer",
            "category",
            "repository",
            "team",
            "introduced_by__repository",
            "checklist_version__template",
        )
        .prefetch_related(
            "contributing_categories",
            "hotfix_prs__merged_pr__repository",
            Prefetch("actions", queryset=PreventionAction.objects.select_related("owner", "replaced_by")),
            "assessments__item",
            "checklist_version__items",
            "missing_items",
            "prior_occurrences",
            "review_events__actor",
        )
    )


def inbox_postmortems(user: User, *, now: datetime | None = None) -> QuerySet[Postmortem]:
    """The user's open records, overdue first (oldest due first), then the rest by due date."""
    return (
        Postmortem.objects.filter(owner=user, status__in=OPEN_STATUSES)
        .select_related("repository", "category")
        .order_by("due_at", "pk")
    )


def review_queue(user: User) -> QuerySet[Postmortem]:
    """Records in review that this lead may review (not their own)."""
    if not is_lead(user):
        return Postmortem.objects.none()
    return (
        Postmortem.objects.filter(status=PostmortemStatus.IN_REVIEW)
        .exclude(owner=user)
        .select_related("owner", "repository")
        .order_by("submitted_at", "pk")
    )


def open_actions_for(user: User) -> QuerySet[PreventionAction]:
    """Actions the user owns that are still to do, earliest due first."""
    return (
        PreventionAction.objects.filter(owner=user, status__in=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS])
        .exclude(postmortem__status=PostmortemStatus.DISMISSED)
        .select_related("postmortem")
        .order_by("due_date", "pk")
    )
