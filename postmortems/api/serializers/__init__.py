"""Serializers validate input and shape output; they never write (the views call services).

Split by resource; import them from `postmortems.api.serializers`.
"""

from ._common import LONG_TEXT
from .actions import ActionSerializer, ActionStatusSerializer, ActionWriteSerializer
from .assessments import AssessmentInputSerializer, ChecklistEntrySerializer, MissingItemSerializer
from .evidence import EvidenceInputSerializer, EvidenceSerializer
from .github import (
    HotfixPullRequestSerializer,
    LinkHotfixSerializer,
    MergedPullRequestSerializer,
    PullRequestSerializer,
    StagingOverrideInputSerializer,
    WebhookDeliveryDetailSerializer,
    WebhookDeliverySerializer,
)
from .postmortems import PostmortemSerializer, PostmortemWriteSerializer
from .reference import (
    CategorySerializer,
    ChecklistItemSerializer,
    ChecklistReviseSerializer,
    ChecklistTemplateSerializer,
    ChecklistVersionSerializer,
    RepositorySerializer,
    TeamSerializer,
)
from .timeline import TimelineEntrySerializer, TimelineNoteInputSerializer
from .transitions import CommentSerializer, ReasonSerializer

__all__ = [
    "LONG_TEXT",
    "ActionSerializer",
    "ActionStatusSerializer",
    "ActionWriteSerializer",
    "AssessmentInputSerializer",
    "CategorySerializer",
    "ChecklistEntrySerializer",
    "ChecklistItemSerializer",
    "ChecklistReviseSerializer",
    "ChecklistTemplateSerializer",
    "ChecklistVersionSerializer",
    "CommentSerializer",
    "EvidenceInputSerializer",
    "EvidenceSerializer",
    "HotfixPullRequestSerializer",
    "LinkHotfixSerializer",
    "MergedPullRequestSerializer",
    "MissingItemSerializer",
    "PostmortemSerializer",
    "PostmortemWriteSerializer",
    "PullRequestSerializer",
    "ReasonSerializer",
    "RepositorySerializer",
    "StagingOverrideInputSerializer",
    "TeamSerializer",
    "TimelineEntrySerializer",
    "TimelineNoteInputSerializer",
    "WebhookDeliveryDetailSerializer",
    "WebhookDeliverySerializer",
]
