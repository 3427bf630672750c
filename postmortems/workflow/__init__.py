"""The rules of SPEC §3 and §8 in one place: transitions, submission requirements, who may do what.

Every function here is plain: it looks at rows already loaded and answers with a
boolean or with reasons keyed by the field they concern. Services enforce them;
views, forms, the API and the admin only ask them. Split by subject; import from
`postmortems.workflow`.
"""

from .access import (
    Involvement,
    can_change_action_status,
    can_edit,
    can_manage_settings,
    can_post_evidence,
    can_see_repository,
    can_transition,
    check_link_pr,
    check_transition,
    filing_reasons,
    in_team,
    is_lead,
    is_owner,
    may_work_in,
    placement_reasons,
)
from .checklist_evidence import SILENT_VERDICTS, evidence_answer, override_reasons
from .core import (
    EDITABLE_FIELDS,
    MIN_ROOT_CAUSE_LENGTH,
    PRIOR_OCCURRENCE_WINDOW,
    TRANSITIONS,
    Move,
    NotAllowed,
    Reasons,
    Transition,
    WorkflowError,
    add_reason,
    merged,
)
from .records import (
    action_reasons,
    category_reasons,
    checklist_gap_kinds,
    hours_reasons,
    introduced_by_reasons,
    prevention_failed,
    submission_reasons,
    time_reasons,
    unknown_field_reasons,
)

__all__ = [
    "EDITABLE_FIELDS",
    "MIN_ROOT_CAUSE_LENGTH",
    "PRIOR_OCCURRENCE_WINDOW",
    "SILENT_VERDICTS",
    "TRANSITIONS",
    "Involvement",
    "Move",
    "NotAllowed",
    "Reasons",
    "Transition",
    "WorkflowError",
    "action_reasons",
    "add_reason",
    "can_change_action_status",
    "can_edit",
    "can_manage_settings",
    "can_post_evidence",
    "can_see_repository",
    "can_transition",
    "category_reasons",
    "check_link_pr",
    "check_transition",
    "checklist_gap_kinds",
    "evidence_answer",
    "filing_reasons",
    "hours_reasons",
    "in_team",
    "introduced_by_reasons",
    "is_lead",
    "is_owner",
    "may_work_in",
    "merged",
    "override_reasons",
    "placement_reasons",
    "prevention_failed",
    "submission_reasons",
    "time_reasons",
    "unknown_field_reasons",
]
