"""Settings and reference data: categories, checklist templates, repositories and teams."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ... import selectors, services, workflow
from ...models import ChecklistTemplate, ChecklistTemplateVersion, FailureCategory, Repository, Team
from .. import serializers as s
from ..base import ApiViewMixin
from ..filters import CategoryFilter
from ..permissions import ReadAnyWriteLead


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

    queryset = Repository.objects.select_related("team", "installation").prefetch_related("former_names")
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


class TeamViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Teams; leads set a team's Slack webhook (write-only: read back as configured + last four characters)."""

    queryset = Team.objects.prefetch_related("members")
    serializer_class = s.TeamSerializer
    permission_classes = [ReadAnyWriteLead]
    lookup_field = "slug"
    ordering = ["name"]

    def get_queryset(self):
        return selectors.teams_with_members(self.request.user)

    def perform_update(self, serializer):
        team = serializer.instance
        if "slack_webhook_url" in serializer.validated_data:
            team = services.team_set_slack_webhook(
                team=team, actor=self.request.user, url=serializer.validated_data["slack_webhook_url"]
            )
        serializer.instance = team
