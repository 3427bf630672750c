"""Pull requests (merged and hotfix, and linking one to a record) and stored webhook deliveries."""

from __future__ import annotations

from rest_framework import serializers

from ...choices import DeliveryStatus, EvidenceKind, EvidenceSource, EvidenceStatus, Stage, StagingVerification
from ...models import Evidence, HotfixPullRequest, MergedPullRequest, WebhookDelivery
from ._common import SafeLinkField


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


class MergedPullRequestSerializer(PullRequestSerializer):
    """A merged PR with its staging verification (SPEC §10); `evidence_rows` is set by the view."""

    labels = serializers.ListField(child=serializers.CharField(), read_only=True)
    staging_verification = serializers.ChoiceField(
        choices=StagingVerification.choices,
        read_only=True,
        help_text="Verified in staging before production, skipped, unknown (no staging evidence yet) or pending.",
    )
    staging_reason = serializers.CharField(read_only=True, help_text="Why it is not verified, in words.")
    reached_production_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="Its first successful production deployment; null while pending."
    )
    evidence = PullRequestEvidenceSerializer(
        source="evidence_rows", many=True, read_only=True, help_text="The facts about its head and merge commits."
    )

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
