"""API views: an access-checked fetch, a serializer, a service call, a response.

Visibility comes from `selectors.visible_postmortems` (others' records answer 404);
permission questions are asked of `workflow`; every write is a `services` call.
Each module is one resource; `urls.py` imports the viewsets from here.
"""

from .actions import ActionViewSet
from .evidence import EvidenceViewSet
from .github import MergedPullRequestViewSet, WebhookDeliveryViewSet
from .postmortems import PostmortemViewSet
from .reference import CategoryViewSet, ChecklistTemplateViewSet, RepositoryViewSet, TeamViewSet

__all__ = [
    "ActionViewSet",
    "CategoryViewSet",
    "ChecklistTemplateViewSet",
    "EvidenceViewSet",
    "MergedPullRequestViewSet",
    "PostmortemViewSet",
    "RepositoryViewSet",
    "TeamViewSet",
    "WebhookDeliveryViewSet",
]
