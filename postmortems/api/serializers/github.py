"""Pull requests (merged and hotfix, and linking one to a record) and stored webhook deliveries."""

from __future__ import annotations

from rest_framework import serializers

from ...choices import DeliveryStatus
from ...models import HotfixPullRequest, MergedPullRequest, WebhookDelivery
from ._common import SafeLinkField


class PullRequestSerializer(serializers.ModelSerializer):
    """A merged PR as the postmortem shows it (`introduced_by`)."""

    repository = serializers.CharField(source="repository.full_name", read_only=True)
    url = SafeLinkField()
    author = serializers.CharField(source="author_login", read_only=True)

    class Meta:
        model = MergedPullRequest
        fields = ["id", "repository", "number", "title", "url", "author", "merged_at"]


class MergedPullRequestSerializer(PullRequestSerializer):
    labels = serializers.ListField(child=serializers.CharField(), read_only=True)

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
