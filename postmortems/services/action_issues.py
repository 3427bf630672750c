"""Prevention actions as GitHub issues, outward (SPEC §11): filing them and keeping them in step.

One `ActionIssue` row per action, written with the action; a task then talks to GitHub
after commit (§4's retry rules: transient errors back off and retry, permanent ones are
shown on the action). The issue is never filed twice: its body carries a hidden marker
with the action's id, and before filing, the repository's issues are searched for it —
so an answer lost on the way back, or a worker killed after GitHub created the issue,
finds the issue instead of opening another. The row is locked while we talk to GitHub,
so two tasks never file at once. What comes back from GitHub is `issue_events.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .. import queue
from ..choices import ActionStatus, IssueSyncState, PostmortemStatus
from ..github.client import (
    GitHubClient,
    GitHubError,
    GitHubPermanentError,
    GitHubTransientError,
    IssueInfo,
    client_for,
    github_configured,
)
from ..models import ActionIssue, PreventionAction, Repository, User
from ..selectors import repository_named
from ..workflow import can_manage_settings
from ._common import require
from .writeback import WritebackOutcome, record_url

SYNC_TASK = "postmortems.action_issue_sync"
ACTION_LABEL = "postmortem-action"
LIVE_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
# Looking for our marker among issues updated since the row was written, less this for clock skew.
MARKER_SEARCH_SLACK = timedelta(minutes=10)
# A row still waiting this long was never picked up (broker down when it was queued).
SWEEP_PENDING_AFTER = timedelta(minutes=10)
SWEEP_RETRYING_AFTER = timedelta(minutes=70)


def marker(action_pk: int) -> str:
    """The hidden line in an issue body that says which action it tracks."""
    return f"<!-- postmortem-tracker:action:{action_pk} -->"


def issues_enabled(repository: Repository | None) -> bool:
    return github_configured() and repository is not None and repository.action_issues


def issue_client(full_name: str) -> GitHubClient:
    """A client for the repository the issues live in (with the App, its installation): ours, or a tracking one."""
    return client_for(repository_named(full_name) or Repository(full_name=full_name))


def issue_repository_for(repository: Repository) -> str:
    """Where a repository's action issues are filed: its tracking repository, or itself."""
    return repository.action_issue_repository or repository.full_name


def action_issue_schedule(*, action: PreventionAction, new: bool = False) -> ActionIssue | None:
    """After commit, bring the action's GitHub issue in step; file one for a `new` action that is not won't-do.

    Called by every change of an action (status, owner, removal). Actions of records in a
    repository without `action_issues` (or without a GitHub token) get no issue.
    """
    row = None if new else ActionIssue.objects.filter(action_id=action.pk).first()
    if row is None:
        repository = action.postmortem.repository
        if not new or action.status == ActionStatus.WONT_DO or not issues_enabled(repository):
            return None
        # get_or_create: two leads pressing "file issues" at once still make one row per action.
        row, _ = ActionIssue.objects.get_or_create(
            action=action, defaults={"repository": issue_repository_for(repository)}
        )
    queue.enqueue(SYNC_TASK, row.pk)
    return row


def action_issue_schedule_removed(*, issue_pk: int | None) -> None:
    """After commit, close the issue of an action taken off a draft (its row outlives the action)."""
    if issue_pk is not None:
        queue.enqueue(SYNC_TASK, issue_pk)


def action_issues_file_open(*, repository: Repository, actor: User | None) -> int:
    """File issues for the live actions of a repository's records that have none yet (a lead's button)."""
    if actor is not None:
        require(can_manage_settings(actor), "Only leads file action issues for a repository.")
    if not issues_enabled(repository):
        return 0
    actions = (
        PreventionAction.objects.filter(postmortem__repository=repository, status__in=LIVE_STATUSES, issue__isnull=True)
        .exclude(postmortem__status=PostmortemStatus.DISMISSED)
        .select_related("postmortem__repository")
    )
    filed = 0
    with transaction.atomic():
        for action in actions:
            if action_issue_schedule(action=action, new=True) is not None:
                filed += 1
    return filed


def issue_title(action: PreventionAction) -> str:
    first_line = (action.description.strip().splitlines() or [""])[0]
    return f"[postmortem #{action.postmortem_id}] {first_line}"[:256]


def issue_body(action: PreventionAction) -> str:
    postmortem = action.postmortem
    quoted = "\n".join(f"> {line}" for line in action.description.strip().splitlines())
    due = f"{action.due_date:%Y-%m-%d}" if action.due_date else "not set"
    owner = action.owner.get_username() if action.owner else "nobody yet"
    return (
        f"A prevention action of [postmortem #{postmortem.pk}: {postmortem.title}]({record_url(postmortem)}).\n\n"
        f"{quoted}\n\n"
        f"Kind: **{action.get_kind_display()}** · due **{due}** · owner {owner}\n\n"
        "Close this issue as *completed* from the pull request that does the work (“Fixes #…”): "
        "that pull request becomes the action's evidence. Close it as *not planned* if it will not be done.\n\n"
        f"{marker(action.pk)}"
    )


@dataclass(frozen=True)
class Desired:
    """The issue as the action says it should be."""

    state: str
    state_reason: str
    assignee: str | None  # None: leave the assignees alone

    @classmethod
    def of(cls, action: PreventionAction | None) -> Desired:
        if action is None:  # taken off its draft: nothing left to do
            return cls("closed", "not_planned", None)
        login = (action.owner.github_login or "") if action.owner else ""
        if action.status == ActionStatus.DONE:
            return cls("closed", "completed", login)
        if action.status == ActionStatus.WONT_DO:
            return cls("closed", "not_planned", login)
        return cls("open", "", login)


def action_issue_sync(*, issue_pk: int, final_attempt: bool = False) -> WritebackOutcome:
    """File the action's issue (once) and push the action's status and owner to it."""
    with transaction.atomic():
        row = (
            ActionIssue.objects.select_for_update(of=("self",))
            .select_related("action__owner", "action__postmortem__repository")
            .filter(pk=issue_pk)
            .first()
        )
        if row is None:
            return WritebackOutcome()
        if not github_configured():
            _finish(row, IssueSyncState.DISABLED, "Neither GITHUB_TOKEN nor the GitHub App is set: no issue is filed.")
            return WritebackOutcome()
        if row.number is None and row.action is None:
            _finish(row, IssueSyncState.DONE, "")  # removed before it was ever filed
            return WritebackOutcome()
        client = issue_client(row.repository)
        try:
            if row.number is None:
                _file(client, row, row.action)
            _push(client, row, Desired.of(row.action))
        except GitHubError as exc:
            return _failed(row, exc, final_attempt)
        _finish(row, IssueSyncState.DONE, "")
    return WritebackOutcome()


def _file(client: GitHubClient, row: ActionIssue, action: PreventionAction) -> None:
    found = client.find_issue_with_marker(
        row.repository, label=ACTION_LABEL, marker=marker(action.pk), since=row.created_at - MARKER_SEARCH_SLACK
    )
    if found is None:
        login = action.owner.github_login if action.owner and action.owner.github_login else ""
        found = _create(client, row.repository, action, [login] if login else [])
    _remember(row, found)
    # Stored at once: if anything later in this run fails, the number is not lost with it.
    row.save()


def _create(client: GitHubClient, full_name: str, action: PreventionAction, assignees: list[str]) -> IssueInfo:
    labels = [ACTION_LABEL, action.kind]
    title, body = issue_title(action), issue_body(action)
    try:
        return client.create_issue(full_name, title=title, body=body, labels=labels, assignees=assignees)
    except GitHubPermanentError as exc:
        if exc.status != 422 or not assignees:
            raise
        # GitHub refuses a login it cannot assign here; the issue matters more than its assignee.
        return client.create_issue(full_name, title=title, body=body, labels=labels, assignees=[])


def _push(client: GitHubClient, row: ActionIssue, want: Desired) -> None:
    # A duplicate is as good as not planned: the app has no such reason to push.
    remote_reason = {"": "completed", "duplicate": "not_planned"}.get(row.remote_state_reason, row.remote_state_reason)
    state_differs = row.remote_state != want.state or (want.state == "closed" and remote_reason != want.state_reason)
    assignee_differs = want.assignee is not None and row.remote_assignee.lower() != want.assignee.lower()
    if not (state_differs or assignee_differs):
        return
    info = client.update_issue(
        row.repository,
        row.number,
        state=want.state if state_differs else None,
        state_reason=(want.state_reason or None) if state_differs else None,
        assignees=([want.assignee] if want.assignee else []) if assignee_differs else None,
    )
    _remember(row, info)


def _remember(row: ActionIssue, info: IssueInfo) -> None:
    """What GitHub answered is now the issue as we know it (our own change, not to be applied again)."""
    row.number, row.github_id, row.url = info.number, info.id, info.html_url
    row.remote_state, row.remote_state_reason, row.remote_assignee = info.state, info.state_reason, info.assignee
    if info.updated_at and (row.remote_updated_at is None or info.updated_at > row.remote_updated_at):
        row.remote_updated_at = info.updated_at


def _finish(row: ActionIssue, state: str, error: str) -> None:
    row.state, row.error = state, error
    row.attempts += 1
    row.save()


def _failed(row: ActionIssue, exc: GitHubError, final_attempt: bool) -> WritebackOutcome:
    transient = isinstance(exc, GitHubTransientError) and not final_attempt
    _finish(row, IssueSyncState.RETRYING if transient else IssueSyncState.FAILED, str(exc)[:2000])
    return WritebackOutcome(retry_after=(exc.retry_after or 0.0) if transient else None)


def action_issues_requeue(*, now=None) -> int:
    """Queue again the issue rows whose task never ran or whose retry was lost; returns how many."""
    now = now or timezone.now()
    pending = ActionIssue.objects.filter(state=IssueSyncState.PENDING, updated_at__lt=now - SWEEP_PENDING_AFTER)
    retrying = ActionIssue.objects.filter(state=IssueSyncState.RETRYING, updated_at__lt=now - SWEEP_RETRYING_AFTER)
    pks = list(pending.values_list("pk", flat=True)[:200]) + list(retrying.values_list("pk", flat=True)[:200])
    for pk in pks:
        queue.publish(SYNC_TASK, pk)
    return len(pks)
