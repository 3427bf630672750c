"""Prevention actions: read, add and change on a draft, and move their status at any time."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from ... import selectors, services, workflow
from ...models import PreventionAction
from .. import serializers as s
from ..base import ApiViewMixin
from ..filters import ActionFilter
from ._common import _deny_unless, _edit_message


@extend_schema_view(
    create=extend_schema(
        summary="Add a prevention action to a draft",
        request=s.ActionWriteSerializer,
        responses={201: s.ActionSerializer},
    ),
    update=extend_schema(summary="Replace what an action is (draft records)", request=s.ActionWriteSerializer),
    partial_update=extend_schema(summary="Change what an action is (draft records)", request=s.ActionWriteSerializer),
)
class ActionViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Prevention actions of the records you may see. Status changes also after approval."""

    serializer_class = s.ActionSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = ActionFilter
    ordering_fields = ["id", "due_date", "status", "kind", "completed_at"]
    ordering = ["id"]

    def get_queryset(self):
        visible = selectors.visible_postmortem_ids(self.request.user)
        return PreventionAction.objects.filter(postmortem__in=visible).select_related("owner", "postmortem", "issue")

    def _write_serializer(self, **kwargs) -> s.ActionWriteSerializer:
        visible = selectors.visible_postmortems(self.request.user)
        return s.ActionWriteSerializer(data=self.request.data, visible_postmortems=visible, **kwargs)

    def create(self, request, *args, **kwargs):
        data = self._write_serializer()
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        postmortem = fields.pop("postmortem")
        _deny_unless(workflow.can_edit(request.user, postmortem), _edit_message(postmortem))
        created = services.action_create(postmortem=postmortem, actor=request.user, **fields)
        return Response(s.ActionSerializer(created).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        action_ = self.get_object()
        _deny_unless(workflow.can_edit(request.user, action_.postmortem), _edit_message(action_.postmortem))
        data = self._write_serializer(partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if not partial:
            # A full replace resets what was left out, as PUT promises.
            defaults = {
                "owner": None,
                "due_date": None,
                "evidence_url": "",
                "expires_at": None,
                "replaced_by": None,
                "estimate_hours": None,
            }
            fields = {**defaults, **fields}
        updated = services.action_update(action=action_, actor=request.user, **fields)
        return Response(s.ActionSerializer(updated).data)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(
        summary="Move an action along: open, in_progress, done (with evidence) or wont_do (with a reason)",
        request=s.ActionStatusSerializer,
        responses=s.ActionSerializer,
    )
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        action_ = self.get_object()
        _deny_unless(
            workflow.can_change_action_status(request.user, action_, action_.postmortem),
            "Only the action's owner, the record's owner or a lead can change this action.",
        )
        data = s.ActionStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        updated = services.action_set_status(action=action_, actor=request.user, **data.validated_data)
        return Response(s.ActionSerializer(updated).data)
