"""API views: an access-checked fetch, a serializer, a service call, a response.

Visibility comes from `selectors.visible_postmortems` (others' records answer 404);
permission questions are asked of `workflow`; every write is a `services` call.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from .. import selectors, services, workflow
from ..models import (
    ChecklistTemplate,
    ChecklistTemplateVersion,
    FailureCategory,
    MergedPullRequest,
    Postmortem,
    PreventionAction,
    Repository,
    Team,
    WebhookDelivery,
)
from ..workflow import Transition
from . import serializers as s
from .base import ApiViewMixin
from .filters import ActionFilter, CategoryFilter, MergedPullRequestFilter, PostmortemFilter, WebhookDeliveryFilter
from .permissions import IsLead, ReadAnyWriteLead


def _deny_unless(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _edit_message(postmortem: Postmortem) -> str:
    if postmortem.status != "draft":
        return f"This postmortem is {postmortem.get_status_display().lower()}; only a draft can be edited."
    return "Only the owner or a lead can edit a draft postmortem."


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
        fields = dict(data.validated_data)
        contributing = fields.pop("contributing_categories", None)
        with transaction.atomic():
            postmortem = services.postmortem_create(actor=request.user, **fields)
            if contributing:
                services.postmortem_update(
                    postmortem=postmortem, actor=request.user, contributing_categories=contributing
                )
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
        workflow.check_transition(self.request.user, postmortem, transition)
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
        request=None,
        responses=s.ChecklistEntrySerializer(many=True),
    )
    @extend_schema(
        methods=["PUT"],
        summary="Assess checklist steps of a draft",
        description="Sets the assessment of each listed step (all or nothing); steps not listed keep theirs. "
        "Answers with the whole record, its gaps recomputed.",
        request=s.AssessmentInputSerializer(many=True),
        responses=s.PostmortemSerializer,
    )
    @action(detail=True, methods=["get", "put"])
    def checklist(self, request, pk=None):
        if request.method == "GET":
            postmortem = self.get_object()
            return Response(self.get_serializer(postmortem).data["checklist"])
        postmortem = self._editable()
        data = s.AssessmentInputSerializer(data=request.data, many=True, allow_empty=False, max_length=500)
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
        data = s.LinkHotfixSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.postmortem_link_hotfix_pr(
            postmortem=postmortem, merged_pr=data.validated_data["merged_pr"], actor=request.user
        )
        return self._respond(postmortem)


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
        visible = selectors.visible_postmortems(self.request.user)
        return PreventionAction.objects.filter(postmortem__in=visible).select_related("owner", "postmortem")

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
        if "postmortem" in fields and fields.pop("postmortem").pk != action_.postmortem_id:
            return Response({"postmortem": ["An action cannot move to another postmortem."]}, status=400)
        if not partial:
            # A full replace resets what was left out, as PUT promises.
            defaults = {"owner": None, "due_date": None, "evidence_url": "", "expires_at": None, "replaced_by": None}
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


class CategoryViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The failure taxonomy. Leads add, rename and retire (`is_active: false`) categories."""

    queryset = FailureCategory.objects.all()
    serializer_class = s.CategorySerializer
    permission_classes = [ReadAnyWriteLead]
    lookup_field = "slug"
    filterset_class = CategoryFilter
    ordering_fields = ["name", "slug"]
    ordering = ["name"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        category = services.category_create(
            actor=self.request.user,
            name=data["name"],
            description=data.get("description", ""),
            slug=data.get("slug", ""),
        )
        if data.get("is_active") is False:
            category = services.category_set_active(category=category, actor=self.request.user, active=False)
        serializer.instance = category

    def perform_update(self, serializer):
        data = serializer.validated_data
        category = serializer.instance
        if "slug" in data and data["slug"] != category.slug:
            raise workflow.WorkflowError({"slug": ["A category's slug never changes."]})
        with transaction.atomic():
            category = services.category_update(
                category=category, actor=self.request.user, name=data.get("name"), description=data.get("description")
            )
            if "is_active" in data and data["is_active"] != category.is_active:
                category = services.category_set_active(
                    category=category, actor=self.request.user, active=data["is_active"]
                )
        serializer.instance = category


class ChecklistTemplateViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Deploy checklists with every version and its items. Editing makes a new version."""

    serializer_class = s.ChecklistTemplateSerializer
    permission_classes = [ReadAnyWriteLead]
    ordering_fields = ["name", "id"]
    ordering = ["name"]

    def get_queryset(self):
        versions = ChecklistTemplateVersion.objects.select_related("created_by").prefetch_related("items")
        return ChecklistTemplate.objects.prefetch_related(Prefetch("versions", queryset=versions))

    @extend_schema(
        summary="Make a new version of the template (leads)",
        request=s.ChecklistReviseSerializer,
        responses={201: s.ChecklistVersionSerializer},
    )
    @action(detail=True, methods=["post"])
    def versions(self, request, pk=None):
        template = self.get_object()
        data = s.ChecklistReviseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.checklist_template_revise(template=template, actor=request.user, **data.validated_data)
        return Response(s.ChecklistVersionSerializer(version).data, status=status.HTTP_201_CREATED)


class RepositoryViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Repositories and their hotfix settings; leads change the settings."""

    queryset = Repository.objects.select_related("team")
    serializer_class = s.RepositorySerializer
    permission_classes = [ReadAnyWriteLead]
    ordering_fields = ["full_name", "id"]
    ordering = ["full_name"]

    def perform_update(self, serializer):
        repository = serializer.instance
        data = dict(serializer.validated_data)
        # The service always sets template and team; keep them unless the request names them.
        data.setdefault("checklist_template", repository.checklist_template)
        data.setdefault("team", repository.team)
        serializer.instance = services.repository_update_settings(
            repository=repository, actor=self.request.user, **data
        )


class TeamViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Team.objects.prefetch_related("members")
    serializer_class = s.TeamSerializer
    permission_classes = [IsAuthenticated]
    lookup_field = "slug"
    ordering = ["name"]


class MergedPullRequestViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Every PR merged into a production branch (the denominator of the hotfix rate)."""

    queryset = MergedPullRequest.objects.select_related("repository")
    serializer_class = s.MergedPullRequestSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = MergedPullRequestFilter
    ordering_fields = ["merged_at", "number", "id"]
    ordering = ["-merged_at", "-id"]


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
