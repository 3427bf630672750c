"""`POST /api/v1/evidence/`: pipelines outside GitHub report deployments and checks (SPEC §10)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from ... import services, workflow
from ...models import EvidenceToken, Repository
from .. import serializers as s
from ..authentication import EvidenceTokenAuthentication
from ..base import ApiViewMixin
from ._common import _deny_unless


def _may_post(request, repository: Repository) -> bool:
    """An evidence token posts for its own repository only; a person for a repository they may see."""
    if isinstance(request.auth, EvidenceToken):
        return request.auth.repository_id == repository.pk
    return workflow.can_post_evidence(request.user, repository)


class EvidenceViewSet(ApiViewMixin, viewsets.GenericViewSet):
    """Facts about commits, posted by pipelines: deployments to an environment and checks' outcomes."""

    # The repository's evidence token first, so a pipeline never needs a person's credentials.
    authentication_classes = [EvidenceTokenAuthentication, TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    serializer_class = s.EvidenceInputSerializer
    queryset = EvidenceToken.objects.none()  # nothing is listed here; the schema needs a model

    @extend_schema(
        summary="Report a deployment or a check of a commit",
        description=(
            "Idempotent on `external_id`: the same `external_id` and `status` again answers 200 with the stored "
            "row; a new status under the same `external_id` (in_progress, then success) is a new row, 201. "
            "Authenticate with the repository's evidence token (`Authorization: Bearer pmev_…`) or a personal "
            "token of someone who may see the repository."
        ),
        request=s.EvidenceInputSerializer,
        responses={
            201: OpenApiResponse(s.EvidenceSerializer, description="A new fact, stored."),
            200: OpenApiResponse(s.EvidenceSerializer, description="This fact was stored before; here it is."),
        },
    )
    def create(self, request):
        data = s.EvidenceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        repository = fields.pop("repository")
        _deny_unless(_may_post(request, repository), f"You may not post evidence for {repository.full_name}.")
        row, created = services.evidence_submit(repository=repository, **fields)
        return Response(
            s.EvidenceSerializer(row).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )
