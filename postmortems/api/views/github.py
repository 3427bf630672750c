"""What came from GitHub: merged pull requests and stored webhook deliveries (read only)."""

from __future__ import annotations

from functools import cached_property

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from ... import selectors, services
from ...evidence_reads import merged_pr_evidence_attach
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
        return selectors.visible_merged_prs(self.request.user, self.scope).select_related("staging_override_by")

    @cached_property
    def scope(self) -> selectors.MergedPrScope:
        return selectors.merged_pr_scope(self.request.user)

    def count_rows(self, prs) -> int:
        """The list's total (see `CountedPageNumberPagination`): the same filters on every PR, then
        an engineer's two parts counted apart, each from its own index."""
        return self.scope.count(self.filter_queryset(MergedPullRequest.objects.all()))

    @extend_schema(
        summary="Override a skipped staging verification (leads)",
        request=s.StagingOverrideInputSerializer,
        responses=s.MergedPullRequestSerializer,
    )
    @action(detail=True, methods=["post"], url_path="staging-override")
    def staging_override(self, request, pk=None):
        merged_pr = self.get_object()
        data = s.StagingOverrideInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.merged_pr_staging_override(merged_pr=merged_pr, actor=request.user, **data.validated_data)
        return Response(self.get_serializer(merged_pr).data)

    def get_serializer(self, *args, **kwargs):
        # The evidence of every PR shown is read in one query (it names commits, not PRs).
        if args and isinstance(args[0], MergedPullRequest):
            merged_pr_evidence_attach([args[0]])
        elif args and kwargs.get("many"):
            rows = list(args[0])
            merged_pr_evidence_attach(rows)
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
