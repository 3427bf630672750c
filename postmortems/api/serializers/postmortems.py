"""Postmortems: the whole record as read, and the fields an editor writes."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ...choices import CaughtIn, DetectionMethod, GapKind, Severity, Trigger
from ...models import FailureCategory, MergedPullRequest, Postmortem, Repository, Team, User
from ...workflow import EDITABLE_FIELDS
from ._common import LONG_TEXT, RepositoryNameField
from .actions import ActionSerializer
from .assessments import ChecklistEntrySerializer, MissingItemSerializer
from .github import HotfixPullRequestSerializer, PullRequestSerializer


class PostmortemSerializer(serializers.ModelSerializer):
    """A postmortem with everything SPEC §6 names, as read."""

    url = serializers.HyperlinkedIdentityField(view_name="api:postmortem-detail")
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    contributing_categories = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    reviewer = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    repository = serializers.SlugRelatedField(slug_field="full_name", read_only=True, allow_null=True)
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    # Blank until the owner fills them in; documented as "one of the choices, or blank".
    severity = serializers.ChoiceField(choices=Severity.choices, allow_blank=True, read_only=True)
    detection_method = serializers.ChoiceField(choices=DetectionMethod.choices, allow_blank=True, read_only=True)
    caught_in = serializers.ChoiceField(choices=CaughtIn.choices, allow_blank=True, read_only=True)
    trigger = serializers.ChoiceField(choices=Trigger.choices, allow_blank=True, read_only=True)
    overdue = serializers.SerializerMethodField()
    hotfix_prs = HotfixPullRequestSerializer(many=True, read_only=True)
    actions = ActionSerializer(many=True, read_only=True)
    checklist = serializers.SerializerMethodField()
    checklist_version = serializers.SerializerMethodField()
    missing_items = MissingItemSerializer(many=True, read_only=True)
    gap_kind = serializers.ChoiceField(choices=GapKind.choices, allow_blank=True, read_only=True)
    gap_kinds = serializers.ListField(child=serializers.ChoiceField(choices=GapKind.choices), read_only=True)
    prior_occurrences = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    introduced_by = PullRequestSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Postmortem
        fields = [
            "id",
            "url",
            "title",
            "status",
            "severity",
            "summary",
            "impact",
            "detected_at",
            "resolved_at",
            "detection_method",
            "caught_in",
            "trigger",
            "root_cause",
            "category",
            "contributing_categories",
            "owner",
            "reviewer",
            "repository",
            "team",
            "due_at",
            "submitted_at",
            "approved_at",
            "dismissed_at",
            "dismissal_reason",
            "overdue",
            "hotfix_prs",
            "actions",
            "checklist_version",
            "checklist",
            "missing_items",
            "gap_kind",
            "gap_kinds",
            "prior_occurrences",
            "introduced_by",
            "recurred_despite_prevention",
            "effort_hours",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_overdue(self, obj: Postmortem) -> bool:
        return obj.is_overdue()

    @extend_schema_field(OpenApiTypes.INT)
    def get_checklist_version(self, obj: Postmortem) -> int | None:
        return obj.checklist_version.number if obj.checklist_version_id else None

    @extend_schema_field(ChecklistEntrySerializer(many=True))
    def get_checklist(self, obj: Postmortem) -> list[dict]:
        version = obj.checklist_version
        items = list(version.items.all()) if version else []
        by_item = {a.item_id: a for a in obj.assessments.all()}
        entries = []
        for item in items:
            assessment = by_item.get(item.pk)
            entries.append(
                {
                    "item": item.pk,
                    "position": item.position,
                    "text": item.text,
                    "evidence_rule": item.evidence_rule,
                    "status": assessment.status if assessment else None,
                    "would_have_caught": assessment.would_have_caught if assessment else None,
                    "ineffective": assessment.ineffective if assessment else False,
                    "note": assessment.note if assessment else "",
                    "source": assessment.source if assessment else None,
                    "evidence": assessment.evidence if assessment else [],
                    "evidence_status": assessment.evidence_status if assessment else "",
                    "evidence_reason": assessment.evidence_reason if assessment else "",
                    "override_reason": assessment.override_reason if assessment else "",
                }
            )
        return entries


# It only shapes: which values are allowed (a retired category, another repository's PR,
# someone else as owner) is the services' call, so the API and the edit page agree.
# (The docstring below is the schema's description.)
class PostmortemWriteSerializer(serializers.ModelSerializer):
    """The fields an editor sets on a draft; workflow fields move only through the transition endpoints."""

    title = serializers.CharField(max_length=300)
    severity = serializers.ChoiceField(choices=Severity.choices, allow_blank=True, required=False)
    summary = serializers.CharField(max_length=LONG_TEXT, allow_blank=True, required=False)
    impact = serializers.CharField(max_length=LONG_TEXT, allow_blank=True, required=False)
    detected_at = serializers.DateTimeField(allow_null=True, required=False)
    resolved_at = serializers.DateTimeField(allow_null=True, required=False)
    detection_method = serializers.ChoiceField(choices=DetectionMethod.choices, allow_blank=True, required=False)
    caught_in = serializers.ChoiceField(choices=CaughtIn.choices, allow_blank=True, required=False)
    trigger = serializers.ChoiceField(choices=Trigger.choices, allow_blank=True, required=False)
    root_cause = serializers.CharField(max_length=LONG_TEXT, allow_blank=True, required=False)
    category = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=FailureCategory.objects.all(),
        allow_null=True,
        required=False,
        help_text="Slug of an active failure category.",
    )
    contributing_categories = serializers.SlugRelatedField(
        slug_field="slug", queryset=FailureCategory.objects.all(), many=True, required=False
    )
    owner = serializers.SlugRelatedField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        required=False,
        help_text="Username; only a lead reassigns a record.",
    )
    repository = RepositoryNameField(queryset=Repository.objects.all(), allow_null=True, required=False)
    team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all(), allow_null=True, required=False)
    introduced_by = serializers.PrimaryKeyRelatedField(
        queryset=MergedPullRequest.objects.all(),
        allow_null=True,
        required=False,
        help_text="Id of the merged PR that introduced the defect.",
    )

    class Meta:
        model = Postmortem
        fields = EDITABLE_FIELDS
