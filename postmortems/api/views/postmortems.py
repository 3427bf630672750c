"""Postmortems: list, read, open and edit a draft, move it through the workflow, and its nested writes."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from ... import selectors, services, workflow
from ...models import Postmortem
from ...workflow import Transition
from .. import serializers as s
from ..base import ApiViewMixin
from ..filters import PostmortemFilter
from ._common import _deny_unless, _edit_message
from .timeline import TimelineMixin

# The body of PUT …/checklist/: 1 to 500 entries (the schema is built from the same arguments).
ASSESSMENTS = {"many": True, "allow_empty": False, "max_length": 500}


@extend_schema_view(
    list=extend_schema(summary="List the postmortems you may see"),
    retrieve=extend_schema(summary="One postmortem with its PRs, actions, checklist and gaps"),
    create=extend_schema(
        summary="Open a draft by hand", request=s.PostmortemWriteSerializer, responses={201: s.PostmortemSerializer}
    ),
    update=extend_schema(
        summary="Replace the editable fields of a draft",
        request=s.PostmortemWriteSerializer,
        responses=s.PostmortemSerializer,
    ),
    partial_update=extend_schema(
        summary="Change some editable fields of a draft",
        request=s.PostmortemWriteSerializer,
        responses=s.PostmortemSerializer,
    ),
)
class PostmortemViewSet(
    TimelineMixin,
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Postmortems. Nothing is deleted: a lead dismisses a record instead."""

    serializer_class = s.PostmortemSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = PostmortemFilter
    ordering_fields = ["id", "created_at", "due_at", "detected_at", "submitted_at", "approved_at", "severity", "status"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return selectors.postmortem_detail_queryset(self.request.user).order_by("-created_at", "-id")

    def _respond(self, postmortem: Postmortem, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=postmortem.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def _editable(self) -> Postmortem:
        postmortem = self.get_object()
        _deny_unless(workflow.can_edit(self.request.user, postmortem), _edit_message(postmortem))
        # Services read related rows afresh; a prefetched instance would hand them stale caches.
        return Postmortem.objects.select_related("repository", "checklist_version").get(pk=postmortem.pk)

    def create(self, request, *args, **kwargs):
        data = s.PostmortemWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        postmortem = services.postmortem_create(actor=request.user, **data.validated_data)
        return self._respond(postmortem, status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        postmortem = self._editable()
        data = s.PostmortemWriteSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        contributing = fields.pop("contributing_categories", None)
        services.postmortem_update(
            postmortem=postmortem, actor=request.user, contributing_categories=contributing, **fields
        )
        return self._respond(postmortem)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    # --- workflow transitions ---------------------------------------------------------

    def _transition(self, transition: Transition, body=None) -> tuple[Postmortem, dict]:
        """Ask the rules first (403/400 on status), then validate the body."""
        postmortem = self.get_object()
        involvement = selectors.postmortem_involvement(postmortem)
        workflow.check_transition(self.request.user, postmortem, transition, involvement)
        if body is None:
            return postmortem, {}
        data = body(data=self.request.data)
        data.is_valid(raise_exception=True)
        return postmortem, data.validated_data

    @extend_schema(
        summary="Submit a draft for review",
        request=None,
        responses={200: s.PostmortemSerializer},
        description="400 lists, per field, every SPEC §3 requirement that is not met.",
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        postmortem, _ = self._transition(Transition.SUBMIT)
        return self._respond(services.postmortem_submit(postmortem=postmortem, actor=request.user))

    @extend_schema(summary="Approve a record in review (leads, not their own)", request=None)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        postmortem, _ = self._transition(Transition.APPROVE)
        return self._respond(services.postmortem_approve(postmortem=postmortem, actor=request.user))

    @extend_schema(summary="Send a record in review back to its owner", request=s.CommentSerializer)
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request, pk=None):
        postmortem, body = self._transition(Transition.REQUEST_CHANGES, s.CommentSerializer)
        updated = services.postmortem_request_changes(
            postmortem=postmortem, actor=request.user, comment=body["comment"]
        )
        return self._respond(updated)

    @extend_schema(summary="Dismiss a record whose PR was not a hotfix (leads)", request=s.ReasonSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        postmortem, body = self._transition(Transition.DISMISS, s.ReasonSerializer)
        return self._respond(
            services.postmortem_dismiss(postmortem=postmortem, actor=request.user, reason=body["reason"])
        )

    # --- nested writes on a draft -------------------------------------------------------

    @extend_schema(
        methods=["GET"],
        summary="The checklist of this record and its assessment",
        description="Paginated like every list; the steps in checklist order.",
        request=None,
        responses=s.ChecklistEntrySerializer(many=True),
        filters=False,  # the record filters do not apply to its steps
    )
    @extend_schema(
        methods=["PUT"],
        summary="Assess checklist steps of a draft",
        description="Sets the assessment of each listed step (all or nothing); steps not listed keep theirs. "
        "Answers with the whole record, its gaps recomputed.",
        request=s.AssessmentInputSerializer(**ASSESSMENTS),
        responses=s.PostmortemSerializer,
    )
    @action(detail=True, methods=["get", "put"])
    def checklist(self, request, pk=None):
        if request.method == "GET":
            entries = self.get_serializer(self.get_object()).data["checklist"]
            return self.get_paginated_response(self.paginate_queryset(entries))
        postmortem = self._editable()
        data = s.AssessmentInputSerializer(data=request.data, **ASSESSMENTS)
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            for entry in data.validated_data:
                services.assessment_set(postmortem=postmortem, actor=request.user, **entry)
        return self._respond(postmortem)

    @extend_schema(
        summary="Propose a step no checklist had (a missing item)",
        request=s.MissingItemSerializer,
        responses={201: s.MissingItemSerializer},
    )
    @action(detail=True, methods=["post"], url_path="missing-items")
    def missing_items(self, request, pk=None):
        postmortem = self._editable()
        data = s.MissingItemSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.missing_item_add(postmortem=postmortem, actor=request.user, text=data.validated_data["text"])
        return Response(s.MissingItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Cover another merged hotfix PR with this draft",
        request=s.LinkHotfixSerializer,
        responses=s.PostmortemSerializer,
    )
    @action(detail=True, methods=["post"], url_path="hotfix-prs")
    def hotfix_prs(self, request, pk=None):
        postmortem = self._editable()
        data = s.LinkHotfixSerializer(data=request.data, merged_prs=selectors.visible_merged_prs(request.user))
        data.is_valid(raise_exception=True)
        services.postmortem_link_hotfix_pr(
            postmortem=postmortem, merged_pr=data.validated_data["merged_pr"], actor=request.user
        )
        return self._respond(postmortem)
