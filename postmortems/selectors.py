"""Reads the views, API, tasks and reports share: visibility, overdue, inbox."""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import reduce

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.utils import timezone

from .choices import ActionKind, ActionStatus, PostmortemStatus, ReviewEventKind, SlackMessageStatus
from .models import (
    OPEN_STATUSES,
    ChecklistAssessment,
    ChecklistTemplateVersion,
    HotfixPullRequest,
    MergedPullRequest,
    MissingChecklistItem,
    Postmortem,
    PreventionAction,
    Repository,
    ReviewEvent,
    SlackMessage,
    Team,
    User,
)
from .workflow import Involvement, Transition, can_transition, is_lead


def overdue_q(now: datetime | None = None) -> Q:
    """Open (draft or in review) and past due."""
    return Q(status__in=OPEN_STATUSES, due_at__lt=now or timezone.now())


def overdue_postmortems(*, now: datetime | None = None) -> QuerySet[Postmortem]:
    return Postmortem.objects.filter(overdue_q(now))


def _team_ids(user: User) -> QuerySet:
    """The ids of `user`'s teams, as a subquery."""
    return Team.members.through.objects.filter(user_id=user.pk).values("team_id")


def _visibility_reasons(user: User) -> tuple[Q, ...]:
    """Why an engineer may see a record: no team, one of their teams, they own it, review it or own
    one of its actions. Subqueries rather than joins: no row is repeated, so no DISTINCT."""
    teams = _team_ids(user)
    acting = PreventionAction.objects.filter(owner_id=user.pk).values("postmortem_id")
    return (Q(team__isnull=True), Q(team_id__in=teams), Q(owner=user), Q(reviewer=user), Q(pk__in=acting))


def visible_postmortems(user: User) -> QuerySet[Postmortem]:
    """Leads see every record; engineers see their teams', their own and those of no team.

    One filter (the reasons OR-ed): a list ordered by an indexed column stops at its page instead
    of sorting every visible record. To join on the visible records, use `visible_postmortem_ids`.
    """
    qs = Postmortem.objects.all()
    if is_lead(user):
        return qs
    if not (user and user.is_authenticated):
        return qs.none()
    return qs.filter(reduce(operator.or_, _visibility_reasons(user)))


def visible_postmortem_ids(user: User) -> QuerySet:
    """The ids of the records `user` may see, for `…__in=`: one index read per reason, united.

    Other tables' rows that belong to visible records (actions, hotfix links) are found through
    this: it reads about as many index entries as the user sees, where the OR of
    `visible_postmortems` tests every record in the table.
    """
    if is_lead(user):
        return Postmortem.objects.order_by().values("pk")
    if not (user and user.is_authenticated):
        return Postmortem.objects.none().values("pk")
    first, *rest = (Postmortem.objects.filter(reason).order_by().values("pk") for reason in _visibility_reasons(user))
    return first.union(*rest)


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
            Prefetch("actions", queryset=PreventionAction.objects.select_related("owner", "replaced_by", "issue")),
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


def unassigned_postmortems(user: User) -> QuerySet[Postmortem]:
    """Open records nobody owns (their PR author has no account yet): a lead's to hand out (SPEC §13)."""
    if not is_lead(user):
        return Postmortem.objects.none()
    return (
        Postmortem.objects.filter(owner__isnull=True, status__in=OPEN_STATUSES)
        .select_related("repository")
        .order_by("due_at", "pk")
    )


def repository_named(full_name: str) -> Repository | None:
    """The repository called `full_name` now, else by a former name (see `RepositoryQuerySet.named`)."""
    return Repository.objects.named(full_name)


def review_queue(user: User) -> QuerySet[Postmortem]:
    """Records in review that this lead may approve: not those they own, filed or submitted."""
    if not is_lead(user):
        return Postmortem.objects.none()
    submitted = ReviewEvent.objects.filter(postmortem=OuterRef("pk"), kind=ReviewEventKind.SUBMITTED, actor=user)
    filed = Postmortem.history.filter(id=OuterRef("pk"), history_type="+", history_user=user)
    return (
        Postmortem.objects.filter(status=PostmortemStatus.IN_REVIEW)
        .exclude(owner=user)
        .filter(~Exists(submitted), ~Exists(filed))
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


def expiring_mitigations_for(
    user: User, *, within_days: int = 14, today: date | None = None
) -> QuerySet[PreventionAction]:
    """Temporary mitigations the user owns (or whose record they own) that expire soon or have expired."""
    today = today or timezone.localdate()
    return (
        PreventionAction.objects.filter(
            Q(owner=user) | Q(postmortem__owner=user),
            kind=ActionKind.TEMPORARY_MITIGATION,
            status__in=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS],
            expires_at__lte=today + timedelta(days=within_days),
        )
        .exclude(postmortem__status=PostmortemStatus.DISMISSED)
        .select_related("postmortem", "replaced_by")
        .order_by("expires_at", "pk")
    )


def dismissal_queue(user: User) -> QuerySet[Postmortem]:
    """Records whose PR stopped looking like a hotfix, for a lead to dismiss or keep."""
    if not is_lead(user):
        return Postmortem.objects.none()
    return (
        Postmortem.objects.filter(needs_dismissal_review=True, status__in=OPEN_STATUSES)
        .select_related("owner", "repository")
        .order_by("pk")
    )


def postmortem_list_queryset(user: User) -> QuerySet[Postmortem]:
    """The records list: what the user may see, with what each row shows, in one query."""
    return visible_postmortems(user).select_related("owner", "repository", "category", "team")


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: str
    what: str
    changes: list[str]


def _label(attname: str) -> str:
    return attname.removesuffix("_id").replace("_", " ")


def _history_entries(rows, label, fields: list[str]) -> list[HistoryEntry]:
    """Turn simple-history rows (oldest first per object) into readable entries with field diffs."""
    entries: list[HistoryEntry] = []
    previous: dict[int, object] = {}
    for row in rows:
        before = previous.get(row.id)
        kind = {"+": "created", "~": "changed", "-": "removed"}[row.history_type]
        changes = []
        if before is not None and row.history_type == "~":
            changes = [_label(f) for f in fields if getattr(before, f) != getattr(row, f)]
        previous[row.id] = row
        if row.history_type == "~" and before is not None and not changes:
            continue
        who = row.history_user.get_username() if row.history_user else "system"
        entries.append(HistoryEntry(row.history_date, who, f"{label(row)} {kind}", changes))
    return entries


def postmortem_history(postmortem: Postmortem) -> list[HistoryEntry]:
    """Who changed what on a record, its actions, checklist assessment and missing items; newest first."""
    pm_fields = [f.attname for f in Postmortem._meta.concrete_fields if f.name not in {"updated_at", "reminded_on"}]
    action_fields = [f.attname for f in PreventionAction._meta.concrete_fields if f.name != "updated_at"]
    sources = [
        (postmortem.history.select_related("history_user"), lambda r: "Record", pm_fields),
        (
            PreventionAction.history.filter(postmortem_id=postmortem.pk).select_related("history_user"),
            lambda r: f"Action “{r.description[:50]}”",
            action_fields,
        ),
        (
            ChecklistAssessment.history.filter(postmortem_id=postmortem.pk).select_related("history_user", "item"),
            lambda r: f"Checklist step “{r.item.text[:50]}”",
            ["status", "would_have_caught", "ineffective", "note"],
        ),
        (
            MissingChecklistItem.history.filter(postmortem_id=postmortem.pk).select_related("history_user"),
            lambda r: f"Missing step “{r.text[:50]}”",
            ["text", "promoted_to_id"],
        ),
    ]
    entries: list[HistoryEntry] = []
    for rows, label, fields in sources:
        entries += _history_entries(rows.order_by("history_date", "history_id"), label, fields)
    return sorted(entries, key=lambda e: e.when, reverse=True)


# --- checklists and pull requests ------------------------------------------------


def checklist_version_in_force(repository: Repository | None) -> ChecklistTemplateVersion | None:
    """The newest version of the repository's template, or of the default template."""
    template_id = repository.checklist_template_id if repository else None
    versions = ChecklistTemplateVersion.objects.order_by("-number")
    if template_id:
        return versions.filter(template_id=template_id).first()
    return versions.filter(template__is_default=True).first()


def checklist_version_for(postmortem: Postmortem) -> ChecklistTemplateVersion | None:
    """The checklist version `postmortem` is assessed against.

    A record nobody has assessed yet follows the version in force (a lead may have
    revised the template, or the record moved to another repository); once someone
    has assessed a step, it keeps the version that step belongs to.
    """
    if ChecklistAssessment.objects.filter(postmortem_id=postmortem.pk).exists():
        return postmortem.checklist_version
    return checklist_version_in_force(postmortem.repository) or postmortem.checklist_version


def merged_pr_in(
    repository: Repository | None, number: int, *, among: QuerySet[MergedPullRequest] | None = None
) -> MergedPullRequest | None:
    """The PR `number` merged into a production branch of `repository`, if we recorded it (and it is `among`)."""
    if repository is None:
        return None
    prs = MergedPullRequest.objects.all() if among is None else among
    return prs.select_related("repository").filter(repository=repository, number=number).first()


# --- who may see and do what (SPEC §8) --------------------------------------------


@dataclass(frozen=True)
class MergedPrScope:
    """Which merged PRs a user may see, read once: everything (leads), or an engineer's two parts.

    An engineer sees the PRs of `repository_ids` (their teams' repositories and those of no team)
    and the hotfix PRs outside them that records they may see cover (`covered_elsewhere`). Both are
    read once as lists of ids, so the planner reads an index for each part instead of testing every
    one of a million PRs against two subqueries; the parts never overlap, so a count is the sum of
    two counts (bench/pages).
    """

    everything: bool
    repository_ids: tuple[int, ...] = ()
    covered_elsewhere: tuple[int, ...] = ()

    def apply(self, prs: QuerySet[MergedPullRequest]) -> QuerySet[MergedPullRequest]:
        if self.everything:
            return prs
        return prs.filter(Q(repository_id__in=self.repository_ids) | Q(pk__in=self.covered_elsewhere))

    def count(self, prs: QuerySet[MergedPullRequest]) -> int:
        """How many of `prs` this scope lets through. Give `prs` without the scope (filters only):
        then each part's count reads its own index and nothing else."""
        if self.everything:
            return prs.count()
        in_repositories = prs.filter(repository_id__in=self.repository_ids).count() if self.repository_ids else 0
        elsewhere = prs.filter(pk__in=self.covered_elsewhere).count() if self.covered_elsewhere else 0
        return in_repositories + elsewhere


def merged_pr_scope(user: User) -> MergedPrScope:
    """Leads see every merged PR; an engineer those of their teams' repositories, of repositories
    with no team, and the hotfix PRs of records they may see."""
    if is_lead(user):
        return MergedPrScope(everything=True)
    if not (user and user.is_authenticated):
        return MergedPrScope(everything=False)
    mine = Repository.objects.filter(Q(team__isnull=True) | Q(team_id__in=_team_ids(user)))
    repositories = tuple(mine.order_by("pk").values_list("pk", flat=True))
    elsewhere = (
        HotfixPullRequest.objects.filter(postmortem__in=visible_postmortem_ids(user))
        .exclude(repository_id__in=repositories)
        .order_by("merged_pr_id")
        .values_list("merged_pr_id", flat=True)
    )
    return MergedPrScope(everything=False, repository_ids=repositories, covered_elsewhere=tuple(elsewhere))


def visible_merged_prs(user: User, scope: MergedPrScope | None = None) -> QuerySet[MergedPullRequest]:
    """The merged PRs `user` may see (see `merged_pr_scope`; pass the scope if it is already read)."""
    return (scope or merged_pr_scope(user)).apply(MergedPullRequest.objects.select_related("repository"))


def teams_with_members(user: User) -> QuerySet[Team]:
    """Every team by name; its members shown (`members_shown`) to leads and to the team's own members."""
    teams = Team.objects.prefetch_related("members")
    if is_lead(user):
        return teams.annotate(members_shown=Value(True))
    member = Team.members.through.objects.filter(team_id=OuterRef("pk"), user_id=user.pk)
    return teams.annotate(members_shown=Exists(member))


def postmortem_involvement(postmortem: Postmortem) -> Involvement:
    """Who filed the record (its first history row) and who submitted it, for the approval rule."""
    filed_by = (
        Postmortem.history.filter(id=postmortem.pk, history_type="+")
        .order_by("history_date")
        .values_list("history_user_id", flat=True)
        .first()
    )
    # `review_events` is prefetched on record pages; elsewhere this is one query.
    submitters = frozenset(
        event.actor_id
        for event in postmortem.review_events.all()
        if event.kind == ReviewEventKind.SUBMITTED and event.actor_id
    )
    return Involvement(filed_by_id=filed_by, submitter_ids=submitters)


def allowed_transitions(user: User, postmortem: Postmortem) -> dict[str, bool]:
    """For each workflow move, whether `user` may make it on `postmortem` now (the page's buttons)."""
    involvement = postmortem_involvement(postmortem)
    return {t.value: can_transition(user, postmortem, t, involvement) for t in Transition}


# --- Follow-through (SPEC §11): what the weekly digest and the action reminders read ----

LIVE_ACTION_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
MITIGATION_WARNING_DAYS = 7


def live_actions() -> QuerySet[PreventionAction]:
    """Actions still to do, on records that still count (not dismissed)."""
    return PreventionAction.objects.filter(status__in=LIVE_ACTION_STATUSES).exclude(
        postmortem__status=PostmortemStatus.DISMISSED
    )


def actions_past_due(*, today: date) -> QuerySet[PreventionAction]:
    """Live actions whose due date has passed, by owner then due date."""
    return (
        live_actions()
        .filter(due_date__lt=today)
        .select_related("owner", "postmortem")
        .order_by("owner__username", "due_date", "pk")
    )


def mitigations_expiring(*, today: date, within_days: int = MITIGATION_WARNING_DAYS) -> QuerySet[PreventionAction]:
    """Live temporary mitigations that expire within `within_days` or have expired."""
    return (
        live_actions()
        .filter(kind=ActionKind.TEMPORARY_MITIGATION, expires_at__lte=today + timedelta(days=within_days))
        .select_related("owner", "postmortem")
        .order_by("expires_at", "pk")
    )


@dataclass(frozen=True)
class SlackStatus:
    """What a lead sees of a team's Slack: the last delivery and the last failure (never the URL)."""

    last_sent: SlackMessage | None
    last_failure: SlackMessage | None


def slack_status(team: Team | None) -> SlackStatus:
    """The latest delivered and the latest failed message of a team (None: the default channel's own)."""
    messages = SlackMessage.objects.filter(team=team) if team else SlackMessage.objects.filter(team__isnull=True)
    return SlackStatus(
        last_sent=messages.filter(status=SlackMessageStatus.SENT).order_by("-sent_at", "-pk").first(),
        last_failure=messages.filter(status=SlackMessageStatus.FAILED).order_by("-attempted_at", "-pk").first(),
    )


def actions_without_issue(repository: Repository) -> QuerySet[PreventionAction]:
    """Live actions of a repository's records that have no GitHub issue yet (SPEC §11's offer)."""
    return live_actions().filter(postmortem__repository=repository, issue__isnull=True)
