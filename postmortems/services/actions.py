"""Writes to prevention actions."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from ..choices import ActionKind, ActionStatus
from ..models import ActionIssue, Postmortem, PreventionAction, User
from ..workflow import WorkflowError, action_reasons, can_change_action_status, can_edit, hours_reasons
from ._common import require, saved_by
from .action_issues import action_issue_schedule, action_issue_schedule_removed

_EDIT_FIELDS = (
    "description",
    "kind",
    "owner",
    "due_date",
    "evidence_url",
    "expires_at",
    "replaced_by",
    "estimate_hours",
)


def _validate(action: PreventionAction) -> None:
    reasons: dict[str, list[str]] = {}
    if not (action.description or "").strip():
        reasons["description"] = ["Describe the action."]
    if action.kind not in ActionKind.values:
        reasons["kind"] = [f"Unknown action kind {action.kind!r}."]
    if action.status not in ActionStatus.values:
        reasons["status"] = [f"Unknown action status {action.status!r}."]
    if action.replaced_by is not None and action.replaced_by.postmortem_id != action.postmortem_id:
        reasons["replaced_by"] = ["The replacing action must belong to the same postmortem."]
    for field, messages in action_reasons(
        kind=action.kind,
        status=action.status,
        evidence_url=action.evidence_url,
        wont_do_reason=action.wont_do_reason,
        expires_at=action.expires_at,
        replaced_by=action.replaced_by,
        self_pk=action.pk,
    ).items():
        reasons.setdefault(field, []).extend(messages)
    for field, messages in hours_reasons("estimate_hours", action.estimate_hours).items():
        reasons.setdefault(field, []).extend(messages)
    if reasons:
        raise WorkflowError(reasons)


def action_create(
    *,
    postmortem: Postmortem,
    actor: User | None,
    description: str,
    kind: str,
    owner: User | None = None,
    due_date: date | None = None,
    evidence_url: str = "",
    expires_at: date | None = None,
    replaced_by: PreventionAction | None = None,
    estimate_hours: float | None = None,
) -> PreventionAction:
    """Add a prevention action to a draft postmortem."""
    if actor is not None:
        require(can_edit(actor, postmortem), "Only the owner or a lead can edit a draft postmortem.")
    action = PreventionAction(
        postmortem=postmortem,
        description=(description or "").strip(),
        kind=kind,
        owner=owner,
        due_date=due_date,
        evidence_url=evidence_url or "",
        expires_at=expires_at,
        replaced_by=replaced_by,
        estimate_hours=estimate_hours,
    )
    _validate(action)
    saved_by(action, actor)
    action.save()
    action_issue_schedule(action=action, new=True)  # its GitHub issue, after commit (SPEC §11)
    return action


def action_update(*, action: PreventionAction, actor: User | None, **fields) -> PreventionAction:
    """Change what an action is (description, kind, owner, dates) while its record is a draft."""
    if actor is not None:
        require(can_edit(actor, action.postmortem), "Only the owner or a lead can edit a draft postmortem.")
    if "postmortem" in fields and fields.pop("postmortem").pk != action.postmortem_id:
        raise WorkflowError({"postmortem": ["An action cannot move to another postmortem."]})
    unknown = set(fields) - set(_EDIT_FIELDS)
    if unknown:
        raise WorkflowError({name: ["This field cannot be changed here."] for name in sorted(unknown)})
    owner_before = action.owner_id
    for name, value in fields.items():
        setattr(action, name, value)
    _validate(action)
    saved_by(action, actor)
    action.save()
    if action.owner_id != owner_before:
        action_issue_schedule(action=action)  # the issue's assignee follows the owner
    return action


def action_set_status(
    *,
    action: PreventionAction,
    actor: User | None,
    status: str,
    evidence_url: str | None = None,
    wont_do_reason: str | None = None,
) -> PreventionAction:
    """Move an action along (also after approval). Done needs evidence for provable kinds."""
    if actor is not None:
        require(
            can_change_action_status(actor, action, action.postmortem),
            "Only the action's owner, the record's owner or a lead can change this action.",
        )
    with transaction.atomic():
        action = (
            PreventionAction.objects.select_for_update(of=("self",)).select_related("replaced_by").get(pk=action.pk)
        )
        if evidence_url is not None:
            action.evidence_url = evidence_url.strip()
        if wont_do_reason is not None:
            action.wont_do_reason = wont_do_reason.strip()
        if status != action.status:
            action.completed_at = timezone.now() if status == ActionStatus.DONE else None
        action.status = status
        _validate(action)
        saved_by(action, actor)
        action.save()
        action_issue_schedule(action=action)  # the issue's state follows the action's
    return action


def action_complete(*, action: PreventionAction, actor: User | None, evidence_url: str = "") -> PreventionAction:
    """Mark an action done, with the URL of what proves it."""
    return action_set_status(action=action, actor=actor, status=ActionStatus.DONE, evidence_url=evidence_url)


def action_remove(*, action: PreventionAction, actor: User | None) -> None:
    """Take an action off a draft; its history keeps what it was. Approved records keep theirs."""
    if actor is not None:
        require(can_edit(actor, action.postmortem), "Only the owner or a lead can edit a draft postmortem.")
    if action.replaces.exists():
        raise WorkflowError({"actions": ["A temporary mitigation points at this action; change that first."]})
    saved_by(action, actor)
    issue_pk = ActionIssue.objects.filter(action_id=action.pk).values_list("pk", flat=True).first()
    action.delete()
    action_issue_schedule_removed(issue_pk=issue_pk)  # its issue is closed as not planned
