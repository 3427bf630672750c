"""Pull requests (merged and hotfix, and linking one to a record) and stored webhook deliveries."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ...choices import (
    DeliveryStatus,
    EvidenceKind,
    EvidenceSource,
    EvidenceStatus,
    Stage,
    StagingOverride,
    StagingVerification,
)
from ...models import Evidence, HotfixPullRequest, MergedPullRequest, WebhookDelivery
from ._common import LONG_TEXT, SafeLinkField


class PullRequestSerializer(serializers.ModelSerializer):
    """A merged PR as the postmortem shows it (`introduced_by`)."""

    repository = serializers.CharField(source="repository.full_name", read_only=True)
    url = SafeLinkField()
    author = serializers.CharField(source="author_login", read_only=True)

    class Meta:
        model = MergedPullRequest
        fields = ["id", "repository", "number", "title", "url", "author", "merged_at"]


class PullRequestEvidenceSerializer(serializers.ModelSerializer):
    """One fact about the PR's head or merge commit (SPEC §10)."""

    kind = serializers.ChoiceField(choices=EvidenceKind.choices, read_only=True)
    stage = serializers.ChoiceField(choices=[("", "none"), *Stage.choices], read_only=True)
    status = serializers.ChoiceField(choices=EvidenceStatus.choices, read_only=True)
    source = serializers.ChoiceField(choices=EvidenceSource.choices, read_only=True)
    url = SafeLinkField(help_text="The run or deployment: https link, or null when the address given is not one.")

    class Meta:
        model = Evidence
        fields = ["id", "kind", "sha", "environment", "stage", "name", "status", "url", "occurred_at", "source"]
        read_only_fields = fields


class StagingOverrideSerializer(serializers.Serializer):
    """A lead's answer over a computed `skipped`, with why."""

    status = serializers.ChoiceField(choices=StagingOverride.choices, source="staging_override")
    reason = serializers.CharField(source="staging_override_reason", max_length=LONG_TEXT)
    by = serializers.CharField(source="staging_override_by.username", read_only=True, allow_null=True, default=None)
    at = serializers.DateTimeField(source="staging_override_at", read_only=True)


class StagingOverrideInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=StagingOverride.choices, help_text="The answer that holds.")
    reason = serializers.CharField(max_length=LONG_TEXT, help_text="Why the computed `skipped` is wrong here.")


class MergedPullRequestSerializer(PullRequestSerializer):
    """A merged PR with its staging verification (SPEC §10); `evidence_rows` is set by the view."""

    labels = serializers.ListField(child=serializers.CharField(), read_only=True)
    staging_verification = serializers.ChoiceField(
        choices=StagingVerification.choices,
        source="effective_staging_verification",
        read_only=True,
        help_text="The answer that holds: a lead's override when there is one, else the computed answer.",
    )
    computed_staging_verification = serializers.ChoiceField(
        choices=StagingVerification.choices,
        source="staging_verification",
        read_only=True,
        help_text="Verified in staging before production, skipped, unknown (no staging evidence yet) or pending, "
        "as the evidence says.",
    )
    staging_override = serializers.SerializerMethodField()
    staging_reason = serializers.CharField(read_only=True, help_text="Why it is not verified, in words.")
    reached_production_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="Its first successful production deployment; null while pending."
    )
    evidence = PullRequestEvidenceSerializer(
        source="evidence_rows", many=True, read_only=True, help_text="The facts about its head and merge commits."
    )

    @extend_schema_field(StagingOverrideSerializer(allow_null=True))
    def get_staging_override(self, obj: MergedPullRequest) -> dict | None:
        return StagingOverrideSerializer(obj).data if obj.staging_override else None

    class Meta(PullRequestSerializer.Meta):
        fields = [
            *PullRequestSerializer.Meta.fields,
            "merge_commit_sha",
            "base_branch",
            "head_branch",
            "head_sha",
            "labels",
            "is_hotfix",
            "staging_verification",
            "computed_staging_verification",
            "staging_override",
            "staging_reason",
            "reached_production_at",
            "evidence",
        ]


class HotfixPullRequestSerializer(serializers.ModelSerializer):
    """A hotfix PR covered by a postmortem."""

    repository = serializers.CharField(source="merged_pr.repository.full_name", read_only=True)
    number = serializers.IntegerField(source="merged_pr.number", read_only=True)
    title = serializers.CharField(source="merged_pr.title", read_only=True)
    url = SafeLinkField(source="merged_pr.url")
    author = serializers.CharField(source="merged_pr.author_login", read_only=True)
    merged_at = serializers.DateTimeField(source="merged_pr.merged_at", read_only=True)

    class Meta:
        model = HotfixPullRequest
        fields = ["repository", "number", "title", "url", "author", "merged_at", "no_longer_hotfix"]


class LinkHotfixSerializer(serializers.Serializer):
    merged_pr = serializers.PrimaryKeyRelatedField(
        queryset=MergedPullRequest.objects.select_related("repository"), help_text="Merged PR id."
    )

    def __init__(self, *args, merged_prs=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only PRs the caller may see can be named (others read as "does not exist").
        if merged_prs is not None:
            self.fields["merged_pr"].queryset = merged_prs


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
    payload = serializers.JSONField(
        read_only=True,
        allow_null=True,
        help_text="The body as GitHub sent it; null once pruned after the retention period.",
    )

    class Meta(WebhookDeliverySerializer.Meta):
        fields = [*WebhookDeliverySerializer.Meta.fields, "payload"]
        read_only_fields = fields
