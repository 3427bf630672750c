"""The domain models, split by concern; import them from `postmortems.models`."""

from .actions import PreventionAction
from .checklists import (
    ChecklistAssessment,
    ChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateVersion,
    MissingChecklistItem,
)
from .evidence import (
    EVIDENCE_TOKEN_PREFIX,
    BranchCommit,
    Evidence,
    EvidenceToken,
    OpenPullRequest,
    VerificationDue,
    evidence_token_hash,
)
from .followthrough import ActionIssue, ActionReminder, SlackMessage
from .github import HotfixPullRequest, MergedPullRequest, Repository, WebhookDelivery
from .installations import GitHubInstallation, RepositoryName
from .people import ENGINEERS_GROUP, LEADS_GROUP, Team, User
from .postmortem import OPEN_STATUSES, FailureCategory, Postmortem, ReviewEvent
from .reports import ReportSnapshot
from .timeline import TimelineNote

__all__ = [
    "ENGINEERS_GROUP",
    "EVIDENCE_TOKEN_PREFIX",
    "LEADS_GROUP",
    "OPEN_STATUSES",
    "ActionIssue",
    "ActionReminder",
    "BranchCommit",
    "ChecklistAssessment",
    "ChecklistItem",
    "ChecklistTemplate",
    "ChecklistTemplateVersion",
    "Evidence",
    "EvidenceToken",
    "FailureCategory",
    "GitHubInstallation",
    "HotfixPullRequest",
    "MergedPullRequest",
    "MissingChecklistItem",
    "OpenPullRequest",
    "Postmortem",
    "PreventionAction",
    "ReportSnapshot",
    "Repository",
    "RepositoryName",
    "ReviewEvent",
    "SlackMessage",
    "Team",
    "TimelineNote",
    "User",
    "VerificationDue",
    "WebhookDelivery",
    "evidence_token_hash",
]
