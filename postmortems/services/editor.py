"""The edit page's save: a draft's fields, actions, checklist assessment and missing steps at once.

The page sends everything together and expects all of it kept or none of it: one
service takes the whole change, runs every other service inside one transaction, and
answers with the rules' reasons sorted by the section of the page they concern.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from ..models import ChecklistItem, FailureCategory, MissingChecklistItem, Postmortem, PreventionAction, User
from ..workflow import Reasons, WorkflowError, can_edit, merged
from ._common import require
from .actions import action_create, action_remove, action_update
from .checklists import assessment_set, missing_item_add, missing_item_remove
from .postmortems import postmortem_update


@dataclass(frozen=True)
class ActionChange:
    """One row of the actions section: a new action (`action` None), a change, or a removal."""

    action: PreventionAction | None
    values: dict[str, Any] = field(default_factory=dict)
    remove: bool = False


@dataclass(frozen=True)
class AssessmentChange:
    """How one checklist step fared in this incident."""

    item: ChecklistItem
    status: str
    would_have_caught: bool | None = None
    ineffective: bool = False
    note: str = ""
    override_reason: str = ""


@dataclass
class EditorReasons:
    """What the rules refused, by section: fields, each action row (by position), each step (by item id)."""

    fields: Reasons = field(default_factory=dict)
    actions: dict[int, Reasons] = field(default_factory=dict)
    checklist: dict[int, Reasons] = field(default_factory=dict)
    missing_items: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.fields or self.actions or self.checklist or self.missing_items)


def _refusal(write: Callable[[], object]) -> Reasons:
    """Run one write; the rules' refusal becomes its reasons instead of an exception."""
    try:
        write()
    except WorkflowError as exc:
        return exc.reasons
    return {}


def _save_action(postmortem: Postmortem, actor: User, change: ActionChange) -> Reasons:
    if change.action is not None and change.remove:
        return _refusal(lambda: action_remove(action=change.action, actor=actor))
    if change.action is not None:
        return _refusal(lambda: action_update(action=change.action, actor=actor, **change.values))
    if change.remove:
        return {}
    return _refusal(lambda: action_create(postmortem=postmortem, actor=actor, **change.values))


def _save_assessment(postmortem: Postmortem, actor: User, change: AssessmentChange) -> Reasons:
    return _refusal(
        lambda: assessment_set(
            postmortem=postmortem,
            actor=actor,
            item=change.item,
            status=change.status,
            would_have_caught=change.would_have_caught,
            ineffective=change.ineffective,
            note=change.note,
            override_reason=change.override_reason,
        )
    )


def _save_missing(
    postmortem: Postmortem, actor: User, withdraw: Sequence[MissingChecklistItem], add: Sequence[str]
) -> list[str]:
    reasons: Reasons = {}
    for item in withdraw:
        reasons = merged(reasons, _refusal(lambda item=item: missing_item_remove(missing_item=item, actor=actor)))
    for text in add:
        reasons = merged(
            reasons, _refusal(lambda text=text: missing_item_add(postmortem=postmortem, actor=actor, text=text))
        )
    return [message for messages in reasons.values() for message in messages]


def postmortem_editor_save(
    *,
    postmortem: Postmortem,
    actor: User,
    fields: dict[str, Any],
    contributing_categories: list[FailureCategory] | None = None,
    actions: Sequence[ActionChange] = (),
    assessments: Sequence[AssessmentChange] = (),
    missing_withdraw: Sequence[MissingChecklistItem] = (),
    missing_add: Sequence[str] = (),
) -> EditorReasons:
    """Save everything the edit page changes in one transaction; on any refusal keep nothing.

    Returns the reasons by section (empty when all was saved). Raises NotAllowed when
    `actor` may not edit this record at all.
    """
    require(can_edit(actor, postmortem), "Only the owner or a lead can edit a draft postmortem.")
    reasons = EditorReasons()
    with transaction.atomic():
        reasons.fields = _refusal(
            lambda: postmortem_update(
                postmortem=postmortem, actor=actor, contributing_categories=contributing_categories, **fields
            )
        )
        for position, change in enumerate(actions):
            if found := _save_action(postmortem, actor, change):
                reasons.actions[position] = found
        for change in assessments:
            if found := _save_assessment(postmortem, actor, change):
                reasons.checklist[change.item.pk] = found
        reasons.missing_items = _save_missing(postmortem, actor, missing_withdraw, missing_add)
        if reasons:
            transaction.set_rollback(True)
    if reasons:
        postmortem.refresh_from_db()  # the caller's instance shows what is stored, not the refused change
    return reasons
