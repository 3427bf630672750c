"""What came from GitHub: merged pull requests and stored webhook deliveries (read only)."""

from __future__ import annotations

from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated

from ... import selectors
from ...models import MergedPullRequest, WebhookDelivery
from .. import serializers as s
from ..base import ApiViewMixin
from ..filters import MergedPullRequestFilter, WebhookDeliveryFilter
from ..permissions import IsLead


class MergedPullRequestViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Every PR merged into a production branch (the denominator of the hotfix rate)."""

    # The schema reads the model from here; the rows come from get_queryset (SPEC §8 visibility).
    queryset = MergedPullRequest.objects.select_related("repository")
    serializer_class = s.MergedPullRequestSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = MergedPullRequestFilter
    ordering_fields = ["merged_at", "number", "id"]
    ordering = ["-merged_at", "-id"]

    def get_queryset(self):
        return selectors.visible_merged_prs(self.request.user)

    def get_serializer(self, *args, **kwargs):
        # The evidence of every PR shown is read in one query (it names commits, not PRs).
        if args and isinstance(args[0], MergedPullRequest):
            selectors.merged_pr_evidence_attach([args[0]])
        elif args and kwargs.get("many"):
            rows = list(args[0])
            selectors.merged_pr_evidence_attach(rows)
            args = (rows, *args[1:])
        return super().get_serializer(*args, **kwargs)


class WebhookDeliveryViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """GitHub deliveries as stored (leads only)."""

    permission_classes = [IsLead]
    filterset_class = WebhookDeliveryFilter
    ordering_fields = ["received_at", "id"]
    ordering = ["-received_at", "-id"]

    def get_queryset(self):
        deliveries = WebhookDelivery.objects.all()
        # Payloads can be large; only the detail shows one.
        return deliveries if self.action == "retrieve" else deliveries.defer("payload")

    def get_serializer_class(self):
        return s.WebhookDeliveryDetailSerializer if self.action == "retrieve" else s.WebhookDeliverySerializer
