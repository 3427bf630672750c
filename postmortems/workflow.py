"""The rules of SPEC §3 in one place: transitions, submission requirements, who may do what.

Every function here is plain: it looks at rows already loaded and answers with a
boolean or with reasons keyed by the field they concern. Services enforce them;
views, forms and the API only ask them.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from .choices import (
    KINDS_NEEDING_EVIDENCE,
    KINDS_REPLACING_MANUAL_CHECK,
    ActionKind,
    ActionStatus,
    AssessmentStatus,
    DetectionMethod,
    GapKind,
    PostmortemStatus,
)

if TYPE_CHECKING:
    from .models import (
        ChecklistAssessment,
        ChecklistItem,
        FailureCategory,
        MergedPullRequest,
        Postmortem,
        PreventionAction,
        User,
    )

Reasons = dict[str, list[str]]

MIN_ROOT_CAUSE_LENGTH = 40
PRIOR_OCCURRENCE_WINDOW = timedelta(days=180)

# The fields an editor sets on a draft, in the order the edit page and the API show them.
# Everything else (status, dates of the workflow, gaps) moves only through the workflow.
# The edit form, the API's write serializer and the services all derive from this one list.
EDITABLE_FIELDS: tuple[str, ...] = (
    "title",
    "severity",
    "summary",
    "impact",
    "detected_at",
    "resolved_at",
    "detection_method",
    "caught_in",
    "trigger",
    "root_cause",
    "category",
    "contributing_categories",
    "owner",
    "repository",
    "team",
    "introduced_by",
)


class Transition(enum.StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    DISMISS = "dismiss"


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str


TRANSITIONS: dict[Transition, Move] = {
    Transition.SUBMIT: Move(frozenset({PostmortemStatus.DRAFT}), PostmortemStatus.IN_REVIEW),
    Transition.APPROVE: Move(frozenset({PostmortemStatus.IN_REVIEW}), PostmortemStatus.APPROVED),
    Transition.REQUEST_CHANGES: Move(frozenset({PostmortemStatus.IN_REVIEW}), PostmortemStatus.DRAFT),
    Transition.DISMISS: Move(
        frozenset({PostmortemStatus.DRAFT, PostmortemStatus.IN_REVIEW}), PostmortemStatus.DISMISSED
    ),
}


class WorkflowError(Exception):
    """A change the rules refuse; `reasons` maps field names to what is wrong."""

    def __init__(self, reasons: Reasons):
        self.reasons = reasons
        super().__init__("; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in reasons.items()))


class NotAllowed(Exception):
    """The user may not do this to this record."""


def _add(reasons: Reasons, field: str, message: str) -> None:
    reasons.setdefault(field, []).append(message)


def merged(*groups: Reasons) -> Reasons:
    """Several rules' reasons as one mapping, keeping every message."""
    reasons: Reasons = {}
    for group in groups:
        for field, messages in group.items():
            reasons.setdefault(field, []).extend(messages)
    return reasons


# --- who may do what -------------------------------------------------------------


def is_lead(user: User | None) -> bool:
    return bool(user and user.is_authenticated and user.is_lead)


def is_owner(user: User | None, postmortem: Postmortem) -> bool:
    return bool(user and user.is_authenticated and postmortem.owner_id == user.pk)


def can_edit(user: User | None, postmortem: Postmortem) -> bool:
    """Owners (and leads) edit a draft; nothing else is editable."""
    if postmortem.status != PostmortemStatus.DRAFT:
        return False
    return is_owner(user, postmortem) or is_lead(user)


def can_transition(user: User | None, postmortem: Postmortem, transition: Transition) -> bool:
    if postmortem.status not in TRANSITIONS[transition].sources:
        return False
    if transition is Transition.SUBMIT:
        return is_owner(user, postmortem) or is_lead(user)
    if transition in (Transition.APPROVE, Transition.REQUEST_CHANGES):
        # A lead never reviews their own record.
        return is_lead(user) and not is_owner(user, postmortem)
    return is_lead(user)


def can_change_action_status(user: User | None, action: PreventionAction, postmortem: Postmortem) -> bool:
    """Action status stays editable after approval; a dismissed record is closed."""
    if not (user and user.is_authenticated) or postmortem.status == PostmortemStatus.DISMISSED:
        return False
    return action.owner_id == user.pk or is_owner(user, postmortem) or is_lead(user)


def can_manage_settings(user: User | None) -> bool:
    """Categories, checklist templates and repository settings are for leads."""
    return is_lead(user)


def check_transition(user: User | None, postmortem: Postmortem, transition: Transition) -> str:
    """The target status, or NotAllowed/WorkflowError explaining why not."""
    move = TRANSITIONS[transition]
    if postmortem.status not in move.sources:
        raise WorkflowError(
            {"status": [f"Cannot {transition.value.replace('_', ' ')} a record that is {postmortem.status}."]}
        )
    if not can_transition(user, postmortem, transition):
        if transition in (Transition.APPROVE, Transition.REQUEST_CHANGES) and is_owner(user, postmortem):
            raise NotAllowed("You cannot review your own postmortem.")
        raise NotAllowed(f"You may not {transition.value.replace('_', ' ')} this postmortem.")
    return move.target


# --- the fields of a record -------------------------------------------------------


def unknown_field_reasons(names: Iterable[str], *, verb: str = "changed") -> Reasons:
    """Fields a caller tried to set that are not an editor's to set."""
    return {name: [f"This field cannot be {verb} here."] for name in sorted(set(names) - set(EDITABLE_FIELDS))}


def time_reasons(postmortem: Postmortem) -> Reasons:
    reasons: Reasons = {}
    if postmortem.detected_at and postmortem.resolved_at and postmortem.resolved_at < postmortem.detected_at:
        _add(reasons, "resolved_at", "Resolved time cannot be before the detection time.")
    return reasons


def introduced_by_reasons(introduced_by: MergedPullRequest | None, repository_id: int | None) -> Reasons:
    """The PR that introduced the defect is a merged PR of the record's own repository."""
    reasons: Reasons = {}
    if introduced_by is None:
        return reasons
    if repository_id is None:
        _add(reasons, "introduced_by", "Set the repository first: the introducing PR is one of its merged PRs.")
    elif introduced_by.repository_id != repository_id:
        _add(reasons, "introduced_by", "The introducing PR must be a merged PR of this record's repository.")
    return reasons


def category_reasons(
    *,
    category: FailureCategory | None,
    contributing: Iterable[FailureCategory] | None,
    current_category_id: int | None,
    current_contributing_ids: Iterable[int] = (),
) -> Reasons:
    """A retired category stays on the records that have it, but nobody newly chooses it."""
    reasons: Reasons = {}
    if category is not None and not category.is_active and category.pk != current_category_id:
        _add(reasons, "category", f"“{category.name}” is retired; choose an active category.")
    kept = set(current_contributing_ids)
    for extra in contributing or ():
        if not extra.is_active and extra.pk not in kept:
            _add(reasons, "contributing_categories", f"“{extra.name}” is retired; choose active categories.")
    return reasons


# --- the rules of one action ------------------------------------------------------


def action_reasons(
    *,
    kind: str,
    status: str,
    evidence_url: str,
    wont_do_reason: str,
    expires_at: date | None,
    replaced_by: PreventionAction | None,
    self_pk: int | None = None,
) -> Reasons:
    """What is wrong with an action on its own, whatever the state of its postmortem."""
    reasons: Reasons = {}
    if status == ActionStatus.DONE and kind in KINDS_NEEDING_EVIDENCE and not evidence_url:
        _add(reasons, "evidence_url", f"A done {kind} action needs the URL of what proves it (PR, test, CI job).")
    if status == ActionStatus.WONT_DO and not wont_do_reason.strip():
        _add(reasons, "wont_do_reason", "Say why this action will not be done.")
    if kind == ActionKind.TEMPORARY_MITIGATION:
        if expires_at is None:
            _add(reasons, "expires_at", "A temporary mitigation needs an expiry date.")
        if replaced_by is None:
            _add(reasons, "replaced_by", "Link the permanent action that replaces this temporary mitigation.")
        elif replaced_by.kind == ActionKind.TEMPORARY_MITIGATION:
            _add(reasons, "replaced_by", "A temporary mitigation must be replaced by a permanent action.")
        elif self_pk is not None and replaced_by.pk == self_pk:
            _add(reasons, "replaced_by", "An action cannot replace itself.")
    elif replaced_by is not None:
        _add(reasons, "replaced_by", "Only temporary mitigations are replaced by another action.")
    return reasons


# --- submission -----------------------------------------------------------------


def _field_reasons(postmortem: Postmortem, reasons: Reasons) -> None:
    required = {
        "title": "Give the postmortem a title.",
        "severity": "Choose a severity.",
        "summary": "Summarise what happened.",
        "impact": "Describe the customer or business impact.",
        "detected_at": "Say when the incident was detected.",
        "resolved_at": "Say when the incident was resolved.",
        "detection_method": "Say how the incident was detected.",
        "trigger": "Say what triggered the incident.",
    }
    for field, message in required.items():
        value = getattr(postmortem, field)
        if value is None or (isinstance(value, str) and not value.strip()):
            _add(reasons, field, message)
    if postmortem.detected_at and postmortem.resolved_at and postmortem.resolved_at < postmortem.detected_at:
        _add(reasons, "resolved_at", "Resolved time cannot be before the detection time.")
    if len((postmortem.root_cause or "").strip()) < MIN_ROOT_CAUSE_LENGTH:
        _add(reasons, "root_cause", f"Explain the root cause in at least {MIN_ROOT_CAUSE_LENGTH} characters.")
    if postmortem.category_id is None:
        _add(reasons, "category", "Choose a failure category.")


def _action_set_reasons(postmortem: Postmortem, actions: Sequence[PreventionAction], reasons: Reasons) -> None:
    live = [a for a in actions if a.status != ActionStatus.WONT_DO]
    if not any(a.owner_id and a.due_date for a in live):
        _add(reasons, "actions", "Add at least one prevention action with an owner and a due date.")
    for action in live:
        if not action.owner_id or not action.due_date:
            _add(reasons, "actions", f"Action “{action.description[:60]}” needs an owner and a due date.")
    if postmortem.detection_method == DetectionMethod.MANUAL_CHECK and not any(
        a.kind in KINDS_REPLACING_MANUAL_CHECK for a in live
    ):
        _add(
            reasons,
            "actions",
            "It was caught by eyeballing: add an automation, monitoring or test action that replaces the manual check.",
        )
    for action in actions:
        problems = action_reasons(
            kind=action.kind,
            status=action.status,
            evidence_url=action.evidence_url,
            wont_do_reason=action.wont_do_reason,
            expires_at=action.expires_at,
            replaced_by=action.replaced_by,
            self_pk=action.pk,
        )
        for messages in problems.values():
            for message in messages:
                _add(reasons, "actions", f"Action “{action.description[:60]}”: {message}")


def _checklist_reasons(
    items: Sequence[ChecklistItem], assessments: Sequence[ChecklistAssessment], reasons: Reasons
) -> None:
    by_item = {a.item_id: a for a in assessments}
    if not items:
        _add(reasons, "checklist", "This record has no checklist to assess; ask a lead to set one up.")
    for item in items:
        assessment = by_item.get(item.pk)
        if assessment is None:
            _add(reasons, "checklist", f"Assess the step “{item.text}”.")
        elif assessment.status == AssessmentStatus.SKIPPED and assessment.would_have_caught is None:
            _add(reasons, "checklist", f"Say whether following “{item.text}” would have caught this incident.")


def submission_reasons(
    postmortem: Postmortem,
    *,
    actions: Sequence[PreventionAction],
    checklist_items: Sequence[ChecklistItem],
    assessments: Sequence[ChecklistAssessment],
) -> Reasons:
    """Everything that stops `postmortem` from being submitted, keyed by field. Empty means ready."""
    reasons: Reasons = {}
    _field_reasons(postmortem, reasons)
    _action_set_reasons(postmortem, actions, reasons)
    _checklist_reasons(checklist_items, assessments, reasons)
    return reasons


# --- checklist gaps and recurrence ----------------------------------------------


def checklist_gap_kinds(assessments: Iterable[ChecklistAssessment], missing_item_count: int) -> list[str]:
    """The gap kinds of an incident, in report order; ['none'] when the checklist held."""
    assessments = list(assessments)
    kinds = []
    if any(a.status == AssessmentStatus.SKIPPED and a.would_have_caught for a in assessments):
        kinds.append(GapKind.SKIPPED.value)
    if any(a.status == AssessmentStatus.FOLLOWED and a.ineffective for a in assessments):
        kinds.append(GapKind.INEFFECTIVE.value)
    if missing_item_count:
        kinds.append(GapKind.MISSING.value)
    return kinds or [GapKind.NONE.value]


def prevention_failed(prior_action_statuses: Iterable[Sequence[str]]) -> bool:
    """True when some prior occurrence had actions and every one of them was done."""
    return any(statuses and all(s == ActionStatus.DONE for s in statuses) for statuses in prior_action_statuses)
