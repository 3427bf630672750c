"""Settings and reference data: categories, checklist templates, teams and repositories."""

from __future__ import annotations

from rest_framework import serializers

from ...choices import EvidenceRule, Stage
from ...models import ChecklistItem, ChecklistTemplate, ChecklistTemplateVersion, FailureCategory, Repository, Team
from ._common import LONG_TEXT


class CategorySerializer(serializers.ModelSerializer):
    name = serializers.CharField(
        max_length=120, help_text="Unique. On creation with a blank slug, it needs a letter or digit to make one."
    )
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
        fields = ["id", "position", "text", "evidence_rule"]


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
        child=serializers.CharField(max_length=300),
        min_length=1,
        max_length=200,
        help_text="The steps, in order; each step once (compared ignoring case and surrounding spaces).",
    )
    evidence_rules = serializers.ListField(
        child=serializers.ChoiceField(choices=EvidenceRule.choices, allow_blank=True),
        required=False,
        default=None,
        allow_null=True,
        help_text="One per step, in the same order: the evidence that answers it, or '' for none. "
        "Omitted: no step has a rule.",
    )
    change_note = serializers.CharField(max_length=300, allow_blank=True, required=False, default="")


class TeamSerializer(serializers.ModelSerializer):
    """A team; leads set its Slack webhook, which is never read back (only whether there is one and its end)."""

    members = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)
    slack_webhook_url = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="Slack incoming-webhook URL (https://hooks.slack.com/services/...); empty removes it.",
    )
    slack_webhook_configured = serializers.BooleanField(read_only=True)
    slack_webhook_hint = serializers.CharField(read_only=True, help_text="The webhook URL's last four characters.")

    class Meta:
        model = Team
        fields = [
            "id",
            "slug",
            "name",
            "members",
            "slack_webhook_url",
            "slack_webhook_configured",
            "slack_webhook_hint",
        ]
        read_only_fields = ["id", "slug", "name", "members"]

    def to_representation(self, instance: Team) -> dict:
        data = super().to_representation(instance)
        # Who is in a team is for its members and leads (selectors.teams_with_members decides).
        if not getattr(instance, "members_shown", False):
            data["members"] = []
        return data


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
    # Deployment evidence (SPEC §10).
    environment_stages = serializers.DictField(
        child=serializers.ChoiceField(choices=Stage.choices),
        required=False,
        help_text="{environment name: stage}, overriding the default names (prod → production, stg → staging, …).",
    )
    staging_branches = serializers.ListField(
        child=serializers.CharField(max_length=255),
        max_length=100,
        required=False,
        help_text="A push to one of these is a staging deployment of the commits it brings.",
    )
    staging_checks = serializers.ListField(
        child=serializers.CharField(max_length=255),
        max_length=100,
        required=False,
        help_text="Checks or workflows that must succeed in staging; empty: a staging deployment alone counts.",
    )
    staging_status = serializers.BooleanField(
        required=False, help_text="Write a `staging-verified` commit status on open PRs into production branches."
    )
    installation_id = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="The GitHub App installation acting for it (null: token or not known yet).",
    )
    active = serializers.BooleanField(
        read_only=True, help_text="False once removed from the App's installation or deleted on GitHub; history kept."
    )
    installation_state = serializers.SerializerMethodField(
        help_text="active, suspended or revoked; null without an App installation."
    )
    installation_message = serializers.SerializerMethodField(
        help_text="Why GitHub refused the installation, if it did."
    )
    former_names = serializers.SlugRelatedField(
        slug_field="full_name", many=True, read_only=True, help_text="Names before renames and transfers."
    )
    action_issue_repository = serializers.CharField(
        max_length=200, allow_blank=True, required=False, help_text='"owner/name" of a tracking repository, or empty.'
    )

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
            "environment_stages",
            "staging_branches",
            "staging_checks",
            "staging_status",
            "installation_id",
            "installation_state",
            "installation_message",
            "active",
            "former_names",
            "action_issues",
            "action_issue_repository",
            "created_at",
        ]
        read_only_fields = ["id", "full_name", "default_branch", "created_at"]

    def get_installation_state(self, repository: Repository) -> str | None:
        return repository.installation.state if repository.installation else None

    def get_installation_message(self, repository: Repository) -> str:
        return repository.installation.state_message if repository.installation else ""
