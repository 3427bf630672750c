"""Prevention actions as GitHub issues, coming back (SPEC §11): `issues` deliveries change the action.

closed as completed → done (for kinds that need evidence, only with the pull request
that closed the issue, read from its timeline; otherwise the action stays open with a
note); closed as not planned → won't do; reopened → open; assigned → owner, when the
login is a user who may see the record. Every delivery first records the issue as
GitHub says it is now, with its `updated_at`: one older than what we already know
(late, or out of order) changes nothing, and one that only echoes a change the app
made finds the action already there.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction

from .. import queue
from ..choices import KINDS_NEEDING_EVIDENCE, ActionStatus, DeliveryStatus, PostmortemStatus
from ..github.client import GitHubError, GitHubTransientError, TimelineEntry
from ..github.events import IssuesEvent, parse_issues, payload_action
from ..models import ActionIssue, PreventionAction
from ..selectors import visible_postmortems
from .action_issues import LIVE_STATUSES, issue_client
from .actions import action_set_status, action_update
from .postmortems import user_for_github_login
from .writeback import WritebackOutcome

EVIDENCE_TASK = "postmortems.action_issue_evidence"
NO_EVIDENCE_NOTE = "closed on GitHub without a linked change — add the evidence"
HANDLED_ACTIONS = frozenset({"closed", "reopened", "assigned", "edited"})
# Closing reasons that mean "will not be done here" (GitHub added `duplicate` after `not_planned`).
NOT_DONE_REASONS = {"not_planned": "not planned", "duplicate": "a duplicate"}
_SHA = re.compile(r"^[0-9a-f]{40}$")


def issues_handle(payload: Any) -> str:
    """Apply one `issues` delivery to the action whose issue it is; returns the delivery's outcome."""
    if payload_action(payload) not in HANDLED_ACTIONS:
        return DeliveryStatus.IGNORED  # opened, labeled, ...: nothing to do, whatever else the payload holds
    event = parse_issues(payload)
    row = _locked_row(event)
    if row is None:
        return DeliveryStatus.IGNORED  # not an issue we filed
    if row.remote_updated_at and event.updated_at and event.updated_at < row.remote_updated_at:
        return DeliveryStatus.IGNORED  # older than what we know: late or out of order
    _remember(row, event)
    action = row.action
    if action is not None and action.postmortem.status != PostmortemStatus.DISMISSED:
        _apply(row, action, event)
    row.save()
    return DeliveryStatus.PROCESSED


def _locked_row(event: IssuesEvent) -> ActionIssue | None:
    rows = ActionIssue.objects.select_for_update(of=("self",)).select_related("action__owner", "action__postmortem")
    return (
        rows.filter(github_id=event.issue_id).first()
        or rows.filter(repository__iexact=event.repository_full_name, number=event.number).first()
    )


def _remember(row: ActionIssue, event: IssuesEvent) -> None:
    row.github_id = row.github_id or event.issue_id
    row.url = event.html_url if event.html_url.startswith("https://") else row.url
    row.remote_state = event.state or row.remote_state
    row.remote_state_reason = event.state_reason if event.state == "closed" else ""
    if event.action == "assigned":
        row.remote_assignee = event.assignee_login
    if event.updated_at:
        row.remote_updated_at = event.updated_at


def _apply(row: ActionIssue, action: PreventionAction, event: IssuesEvent) -> None:
    if event.action == "closed" and event.state_reason in NOT_DONE_REASONS:
        row.note = ""
        if action.status != ActionStatus.WONT_DO:
            how = NOT_DONE_REASONS[event.state_reason]
            reason = f"closed as {how} on GitHub by @{event.sender_login or 'someone'}"
            action_set_status(action=action, actor=None, status=ActionStatus.WONT_DO, wont_do_reason=reason)
    elif event.action == "closed":  # completed, or no reason given (GitHub's default is completed)
        if action.status == ActionStatus.DONE:
            return  # already done: an echo of the app's own change
        if action.kind in KINDS_NEEDING_EVIDENCE:
            queue.enqueue(EVIDENCE_TASK, row.pk)  # the timeline says which change closed it
        else:
            row.note = ""
            action_set_status(action=action, actor=None, status=ActionStatus.DONE)
    elif event.action == "reopened":
        row.note = ""
        if action.status not in LIVE_STATUSES:
            action_set_status(action=action, actor=None, status=ActionStatus.OPEN, wont_do_reason="")
    elif event.action == "assigned":
        _assign(action, event.assignee_login)
    # `edited`: the title or body changed on GitHub. The action keeps its own wording (its
    # record may be approved and read-only); only the issue as we know it was refreshed.


def _assign(action: PreventionAction, login: str) -> None:
    user = user_for_github_login(login)
    if user is None or action.owner_id == user.pk:
        return
    # Only someone who may see the record can own its action (SPEC §8).
    if not visible_postmortems(user).filter(pk=action.postmortem_id).exists():
        return
    action_update(action=action, actor=None, owner=user)


def closing_change(entries: list[TimelineEntry], *, repository: str) -> str | None:
    """The URL of the change that closed an issue, from its timeline; None when there is none.

    A merged pull request that refers to the issue (`cross-referenced`, `connected`)
    first, the latest one; else the commit a `closed` event names. Only https links.
    """
    for entry in reversed(entries):
        if (
            entry.event in {"cross-referenced", "connected"}
            and entry.source_is_pull_request
            and entry.source_merged
            and entry.source_url.startswith("https://")
        ):
            return entry.source_url
    for entry in reversed(entries):
        if entry.event == "closed" and _SHA.match(entry.commit_id):
            return f"https://github.com/{entry.commit_repository or repository}/commit/{entry.commit_id}"
    return None


def action_issue_evidence(*, issue_pk: int, final_attempt: bool = False) -> WritebackOutcome:
    """After a close as completed: done with the change that closed the issue, or open with the note."""
    with transaction.atomic():
        row = (
            ActionIssue.objects.select_for_update(of=("self",))
            .select_related("action__postmortem")
            .filter(pk=issue_pk)
            .first()
        )
        action = row.action if row else None
        if action is None or action.status not in LIVE_STATUSES or row.remote_state != "closed":
            return WritebackOutcome()  # reopened, or settled, since the delivery asked
        if row.remote_state_reason not in ("", "completed"):
            return WritebackOutcome()
        try:
            timeline = issue_client(row.repository).issue_timeline(row.repository, row.number)
        except GitHubError as exc:
            transient = isinstance(exc, GitHubTransientError) and not final_attempt
            row.error = f"Reading the issue's timeline: {exc}"[:2000]
            row.save(update_fields=["error", "updated_at"])
            return WritebackOutcome(retry_after=(exc.retry_after or 0.0) if transient else None)
        evidence = closing_change(timeline, repository=row.repository)
        if evidence:
            action_set_status(action=action, actor=None, status=ActionStatus.DONE, evidence_url=evidence)
            row.note = ""
        else:
            row.note = NO_EVIDENCE_NOTE
        row.error = ""
        row.save(update_fields=["note", "error", "updated_at"])
    return WritebackOutcome()
