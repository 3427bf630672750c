"""Serializers validate input and shape output; they never write (the views call services)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..choices import (
    ActionKind,
    ActionStatus,
    AssessmentStatus,
    CaughtIn,
    DeliveryStatus,
    DetectionMethod,
    GapKind,
    Severity,
    Trigger,
)
from ..models import (
    ChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateVersion,
    FailureCategory,
    HotfixPullRequest,
    MergedPullRequest,
    MissingChecklistItem,
    Postmortem,
    PreventionAction,
    Repository,
    Team,
    User,
    WebhookDelivery,
)

# Free text is bounded so one request cannot store megabytes in a record.
LONG_TEXT = 20_000


def _username(user: User | None) -> str | None:
    return user.get_username() if user else None


# --- pull requests -------------------------------------------------------------------


class PullRequestSerializer(serializers.ModelSerializer):
    """A merged PR as the postmortem shows it (`introduced_by`)."""

    repository = serializers.CharField(source="repository.full_name", read_only=True)
    url = serializers.URLField(read_only=True)
    author = serializers.CharField(source="author_login", read_only=True)

    class Meta:
        model = MergedPullRequest
        fields = ["id", "repository", "number", "title", "url", "author", "merged_at"]


class MergedPullRequestSerializer(PullRequestSerializer):
    class Meta(PullRequestSerializer.Meta):
        fields = [
            *PullRequestSerializer.Meta.fields,
            "merge_commit_sha",
            "base_branch",
            "head_branch",
            "labels",
            "is_hotfix",
        ]


class HotfixPullRequestSerializer(serializers.ModelSerializer):
    """A hotfix PR covered by a postmortem."""

    repository = serializers.CharField(source="merged_pr.repository.full_name", read_only=True)
    number = serializers.IntegerField(source="merged_pr.number", read_only=True)
    title = serializers.CharField(source="merged_pr.title", read_only=True)
    url = serializers.URLField(source="merged_pr.url", read_only=True)
    author = serializers.CharField(source="merged_pr.author_login", read_only=True)
    merged_at = serializers.DateTimeField(source="merged_pr.merged_at", read_only=True)

    class Meta:
        model = HotfixPullRequest
        fields = ["repository", "number", "title", "url", "author", "merged_at", "no_longer_hotfix"]


# --- actions -------------------------------------------------------------------------


class ActionSerializer(serializers.ModelSerializer):
    """A prevention action, as read."""

    owner = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    # Blank until there is evidence, so not documented as a URI.
    evidence_url = serializers.CharField(read_only=True, help_text="Tracking issue, PR, test or CI job; may be blank.")

    class Meta:
        model = PreventionAction
        fields = [
            "id",
            "postmortem",
            "description",
            "kind",
            "owner",
            "due_date",
            "status",
            "completed_at",
            "expires_at",
            "replaced_by",
            "evidence_url",
            "wont_do_reason",
        ]
        read_only_fields = fields


class ActionWriteSerializer(serializers.Serializer):
    """What an action is. `postmortem` is needed to create one and cannot change afterwards."""

    postmortem = serializers.PrimaryKeyRelatedField(queryset=Postmortem.objects.none())
    description = serializers.CharField(max_length=LONG_TEXT)
    kind = serializers.ChoiceField(choices=ActionKind.choices)
    owner = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.filter(is_active=True), allow_null=True, required=False
    )
    due_date = serializers.DateField(allow_null=True, required=False)
    evidence_url = serializers.URLField(max_length=500, allow_blank=True, required=False)
    expires_at = serializers.DateField(allow_null=True, required=False, help_text="Temporary mitigations only.")
    replaced_by = serializers.PrimaryKeyRelatedField(
        queryset=PreventionAction.objects.none(),
        allow_null=True,
        required=False,
        help_text="Id of the permanent action (same postmortem) that replaces a temporary mitigation.",
    )

    def __init__(self, *args, visible_postmortems=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only records (and their actions) the caller may see can be referred to.
        if visible_postmortems is not None:
            self.fields["postmortem"].queryset = visible_postmortems
            self.fields["replaced_by"].queryset = PreventionAction.objects.filter(
                postmortem__in=visible_postmortems
            ).select_related("postmortem")


class ActionStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ActionStatus.choices)
    evidence_url = serializers.URLField(
        max_length=500,
        allow_blank=True,
        required=False,
        help_text="Required to mark a test, automation, monitoring or checklist action done.",
    )
    wont_do_reason = serializers.CharField(
        max_length=LONG_TEXT, allow_blank=True, required=False, help_text="Required for `wont_do`."
    )


# --- checklist -----------------------------------------------------------------------


class ChecklistEntrySerializer(serializers.Serializer):
    """One step of the record's checklist version and how it fared (`status` null until assessed)."""

    item = serializers.IntegerField(help_text="Checklist item id.")
    position = serializers.IntegerField()
    text = serializers.CharField()
    status = serializers.ChoiceField(choices=AssessmentStatus.choices, allow_null=True)
    would_have_caught = serializers.BooleanField(allow_null=True)
    ineffective = serializers.BooleanField()
    note = serializers.CharField(allow_blank=True)


class AssessmentInputSerializer(serializers.Serializer):
    item = serializers.PrimaryKeyRelatedField(queryset=ChecklistItem.objects.all(), help_text="Checklist item id.")
    status = serializers.ChoiceField(choices=AssessmentStatus.choices)
    would_have_caught = serializers.BooleanField(
        allow_null=True, required=False, default=None, help_text="For a skipped step: would it have caught this?"
    )
    ineffective = serializers.BooleanField(
        required=False, default=False, help_text="For a followed step: it should have caught this and did not."
    )
    note = serializers.CharField(max_length=LONG_TEXT, allow_blank=True, required=False, default="")


class MissingItemSerializer(serializers.ModelSerializer):
    text = serializers.CharField(max_length=300)

    class Meta:
        model = MissingChecklistItem
        fields = ["id", "text", "proposed_at", "promoted_to"]
        read_only_fields = ["id", "proposed_at", "promoted_to"]


class LinkHotfixSerializer(serializers.Serializer):
    merged_pr = serializers.PrimaryKeyRelatedField(
        queryset=MergedPullRequest.objects.select_related("repository"), help_text="Merged PR id."
    )


# --- postmortems ---------------------------------------------------------------------


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
                    "status": assessment.status if assessment else None,
                    "would_have_caught": assessment.would_have_caught if assessment else None,
                    "ineffective": assessment.ineffective if assessment else False,
                    "note": assessment.note if assessment else "",
                }
            )
        return entries


class PostmortemWriteSerializer(serializers.Serializer):
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
        queryset=FailureCategory.objects.filter(is_active=True),
        allow_null=True,
        required=False,
        help_text="Slug of an active failure category.",
    )
    contributing_categories = serializers.SlugRelatedField(
        slug_field="slug", queryset=FailureCategory.objects.filter(is_active=True), many=True, required=False
    )
    owner = serializers.SlugRelatedField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        required=False,
        help_text="Username; only a lead reassigns a record.",
    )
    repository = serializers.SlugRelatedField(
        slug_field="full_name", queryset=Repository.objects.all(), allow_null=True, required=False
    )
    team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all(), allow_null=True, required=False)
    introduced_by = serializers.PrimaryKeyRelatedField(
        queryset=MergedPullRequest.objects.all(),
        allow_null=True,
        required=False,
        help_text="Id of the merged PR that introduced the defect.",
    )


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=LONG_TEXT, help_text="What the owner needs to change.")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=LONG_TEXT, help_text="Why this record is dismissed.")


# --- settings and reference data -------------------------------------------------------


class CategorySerializer(serializers.ModelSerializer):
    name = serializers.CharField(max_length=120)
    slug = serializers.SlugField(
        max_length=120, required=False, allow_blank=True, help_text="Set once, on creation; from the name if blank."
    )
    description = serializers.CharField(max_length=LONG_TEXT, allow_blank=True, required=False)
    is_active = serializers.BooleanField(required=False, help_text="False retires the category.")

    class Meta:
        model = FailureCategory
        fields = ["id", "slug", "name", "description", "is_active"]
        read_only_fields = ["id"]


class ChecklistItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChecklistItem
        fields = ["id", "position", "text"]


class ChecklistVersionSerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    items = ChecklistItemSerializer(many=True, read_only=True)

    class Meta:
        model = ChecklistTemplateVersion
        fields = ["id", "number", "created_at", "created_by", "change_note", "items"]


class ChecklistTemplateSerializer(serializers.ModelSerializer):
    versions = ChecklistVersionSerializer(many=True, read_only=True)

    class Meta:
        model = ChecklistTemplate
        fields = ["id", "name", "is_default", "created_at", "versions"]


class ChecklistReviseSerializer(serializers.Serializer):
    items = serializers.ListField(
        child=serializers.CharField(max_length=300), min_length=1, max_length=200, help_text="The steps, in order."
    )
    change_note = serializers.CharField(max_length=300, allow_blank=True, required=False, default="")


class TeamSerializer(serializers.ModelSerializer):
    members = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)

    class Meta:
        model = Team
        fields = ["id", "slug", "name", "members"]


class RepositorySerializer(serializers.ModelSerializer):
    """A repository and its settings; leads change the settings."""

    team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all(), allow_null=True, required=False)
    checklist_template = serializers.PrimaryKeyRelatedField(
        queryset=ChecklistTemplate.objects.all(),
        allow_null=True,
        required=False,
        help_text="Template id; null means the default template.",
    )
    production_branches = serializers.ListField(
        child=serializers.CharField(max_length=255), max_length=100, required=False
    )
    hotfix_labels = serializers.ListField(child=serializers.CharField(max_length=255), max_length=100, required=False)
    hotfix_branch_prefixes = serializers.ListField(
        child=serializers.CharField(max_length=255), max_length=100, required=False
    )
    hotfix_title_pattern = serializers.CharField(max_length=255, allow_blank=True, required=False)
    postmortem_due_days = serializers.IntegerField(min_value=1, max_value=365, required=False)

    class Meta:
        model = Repository
        fields = [
            "id",
            "full_name",
            "default_branch",
            "team",
            "production_branches",
            "hotfix_labels",
            "hotfix_branch_prefixes",
            "hotfix_title_pattern",
            "checklist_template",
            "postmortem_due_days",
            "writeback_enabled",
            "debt_status_enabled",
            "created_at",
        ]
        read_only_fields = ["id", "full_name", "default_branch", "created_at"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "delivery_id",
            "event",
            "action",
            "status",
            "attempts",
            "last_error",
            "received_at",
            "processed_at",
        ]
        read_only_fields = fields


class WebhookDeliveryDetailSerializer(WebhookDeliverySerializer):
    payload = serializers.JSONField(read_only=True)

    class Meta(WebhookDeliverySerializer.Meta):
        fields = [*WebhookDeliverySerializer.Meta.fields, "payload"]
        read_only_fields = fields
