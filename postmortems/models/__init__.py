"""The domain models, split by concern; import them from `postmortems.models`."""

from .actions import PreventionAction
from .checklists import (
    ChecklistAssessment,
    ChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateVersion,
    MissingChecklistItem,
)
from .followthrough import ActionIssue, ActionReminder, SlackMessage
from .github import HotfixPullRequest, MergedPullRequest, Repository, WebhookDelivery
from .people import ENGINEERS_GROUP, LEADS_GROUP, Team, User
from .postmortem import OPEN_STATUSES, FailureCategory, Postmortem, ReviewEvent
from .reports import ReportSnapshot

__all__ = [
    "ENGINEERS_GROUP",
    "LEADS_GROUP",
    "OPEN_STATUSES",
    "ActionIssue",
    "ActionReminder",
    "ChecklistAssessment",
    "ChecklistItem",
    "ChecklistTemplate",
    "ChecklistTemplateVersion",
    "FailureCategory",
    "HotfixPullRequest",
    "MergedPullRequest",
    "MissingChecklistItem",
    "Postmortem",
    "PreventionAction",
    "ReportSnapshot",
    "Repository",
    "ReviewEvent",
    "SlackMessage",
    "Team",
    "User",
    "WebhookDelivery",
]
