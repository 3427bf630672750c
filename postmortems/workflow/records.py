"""What a record must hold: its fields, its actions, what submitting needs, its gaps and recurrence."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from ..choices import (
    KINDS_NEEDING_EVIDENCE,
    KINDS_REPLACING_MANUAL_CHECK,
    ActionKind,
    ActionStatus,
    AssessmentStatus,
    DetectionMethod,
    GapKind,
)
from .core import EDITABLE_FIELDS, MIN_ROOT_CAUSE_LENGTH, Reasons, add_reason

if TYPE_CHECKING:
    from ..models import (
        ChecklistAssessment,
        ChecklistItem,
        FailureCategory,
        MergedPullRequest,
        Postmortem,
        PreventionAction,
    )


# --- the fields of a record -------------------------------------------------------


def unknown_field_reasons(names: Iterable[str], *, verb: str = "changed") -> Reasons:
    """Fields a caller tried to set that are not an editor's to set."""
    return {name: [f"This field cannot be {verb} here."] for name in sorted(set(names) - set(EDITABLE_FIELDS))}


def time_reasons(postmortem: Postmortem) -> Reasons:
    reasons: Reasons = {}
    if postmortem.detected_at and postmortem.resolved_at and postmortem.resolved_at < postmortem.detected_at:
        add_reason(reasons, "resolved_at", "Resolved time cannot be before the detection time.")
    return reasons


def hours_reasons(field: str, hours: float | None) -> Reasons:
    """Hours (effort spent, work estimated) are optional, and never negative."""
    if hours is not None and hours < 0:
        return {field: ["Hours cannot be negative."]}
    return {}


def introduced_by_reasons(
    introduced_by: MergedPullRequest | None, repository_id: int | None, *, fixed_at: datetime | None = None
) -> Reasons:
    """The PR that introduced the defect is a merged PR of the record's own repository, merged before the fix
    (`fixed_at`, the earliest hotfix merge): the other order would make the defect's lifetime negative."""
    reasons: Reasons = {}
    if introduced_by is None:
        return reasons
    if repository_id is None:
        add_reason(reasons, "introduced_by", "Set the repository first: the introducing PR is one of its merged PRs.")
    elif introduced_by.repository_id != repository_id:
        add_reason(reasons, "introduced_by", "The introducing PR must be a merged PR of this record's repository.")
    if fixed_at is not None and introduced_by.merged_at > fixed_at:
        add_reason(
            reasons, "introduced_by", "The introducing PR was merged after the hotfix; choose the change it fixed."
        )
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
        add_reason(reasons, "category", f"“{category.name}” is retired; choose an active category.")
    kept = set(current_contributing_ids)
    for extra in contributing or ():
        if not extra.is_active and extra.pk not in kept:
            add_reason(reasons, "contributing_categories", f"“{extra.name}” is retired; choose active categories.")
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
        add_reason(reasons, "evidence_url", f"A done {kind} action needs the URL of what proves it (PR, test, CI job).")
    if status == ActionStatus.WONT_DO and not wont_do_reason.strip():
        add_reason(reasons, "wont_do_reason", "Say why this action will not be done.")
    if kind == ActionKind.TEMPORARY_MITIGATION:
        if expires_at is None:
            add_reason(reasons, "expires_at", "A temporary mitigation needs an expiry date.")
        if replaced_by is None:
            add_reason(reasons, "replaced_by", "Link the permanent action that replaces this temporary mitigation.")
        elif replaced_by.kind == ActionKind.TEMPORARY_MITIGATION:
            add_reason(reasons, "replaced_by", "A temporary mitigation must be replaced by a permanent action.")
        elif self_pk is not None and replaced_by.pk == self_pk:
            add_reason(reasons, "replaced_by", "An action cannot replace itself.")
    elif replaced_by is not None:
        add_reason(reasons, "replaced_by", "Only temporary mitigations are replaced by another action.")
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
            add_reason(reasons, field, message)
    if postmortem.detected_at and postmortem.resolved_at and postmortem.resolved_at < postmortem.detected_at:
        add_reason(reasons, "resolved_at", "Resolved time cannot be before the detection time.")
    if len((postmortem.root_cause or "").strip()) < MIN_ROOT_CAUSE_LENGTH:
        add_reason(reasons, "root_cause", f"Explain the root cause in at least {MIN_ROOT_CAUSE_LENGTH} characters.")
    if postmortem.category_id is None:
        add_reason(reasons, "category", "Choose a failure category.")


def _action_set_reasons(postmortem: Postmortem, actions: Sequence[PreventionAction], reasons: Reasons) -> None:
    live = [a for a in actions if a.status != ActionStatus.WONT_DO]
    if not any(a.owner_id and a.due_date for a in live):
        add_reason(reasons, "actions", "Add at least one prevention action with an owner and a due date.")
    for action in live:
        if not action.owner_id or not action.due_date:
            add_reason(reasons, "actions", f"Action “{action.description[:60]}” needs an owner and a due date.")
    if postmortem.detection_method == DetectionMethod.MANUAL_CHECK and not any(
        a.kind in KINDS_REPLACING_MANUAL_CHECK for a in live
    ):
        add_reason(
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
                add_reason(reasons, "actions", f"Action “{action.description[:60]}”: {message}")


def _checklist_reasons(
    items: Sequence[ChecklistItem], assessments: Sequence[ChecklistAssessment], reasons: Reasons
) -> None:
    by_item = {a.item_id: a for a in assessments}
    if not items:
        add_reason(reasons, "checklist", "This record has no checklist to assess; ask a lead to set one up.")
    for item in items:
        assessment = by_item.get(item.pk)
        if assessment is None:
            add_reason(reasons, "checklist", f"Assess the step “{item.text}”.")
        elif assessment.status == AssessmentStatus.SKIPPED and assessment.would_have_caught is None:
            add_reason(reasons, "checklist", f"Say whether following “{item.text}” would have caught this incident.")


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


def prevention_failed(
    prior_actions: Iterable[Sequence[tuple[str, datetime | None]]], *, incident_at: datetime | None = None
) -> bool:
    """True when some prior occurrence had actions and every one of them was done before this incident.

    Each prior occurrence is a list of (status, completed_at). An action finished only after
    the new incident was detected did not get the chance to prevent it; one done without a
    completion time (older records) counts as done before.
    """

    def done_in_time(status: str, completed_at: datetime | None) -> bool:
        before = incident_at is None or completed_at is None or completed_at <= incident_at
        return status == ActionStatus.DONE and before

    return any(actions and all(done_in_time(*action) for action in actions) for actions in prior_actions)
