"""What every rule shares: the moves of SPEC §3, the editable fields, and how a rule says no."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta

from ..choices import PostmortemStatus

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
    "effort_hours",
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


def add_reason(reasons: Reasons, field: str, message: str) -> None:
    reasons.setdefault(field, []).append(message)


def merged(*groups: Reasons) -> Reasons:
    """Several rules' reasons as one mapping, keeping every message."""
    reasons: Reasons = {}
    for group in groups:
        for field, messages in group.items():
            reasons.setdefault(field, []).extend(messages)
    return reasons
