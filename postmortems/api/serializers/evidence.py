"""Evidence posted by pipelines (SPEC §10) and evidence rows as the API shows them."""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone
from rest_framework import serializers

from ...choices import EvidenceKind, EvidenceSource, EvidenceStatus, Stage
from ...models import Evidence, Repository

SHA = re.compile(r"^[0-9a-fA-F]{40}$")
# A pipeline's clock may run a little ahead of ours; further ahead is a mistake, not a fact.
CLOCK_SKEW = timedelta(minutes=5)


class EvidenceSerializer(serializers.ModelSerializer):
    """One stored fact about a commit."""

    repository = serializers.CharField(source="repository.full_name", read_only=True)
    kind = serializers.ChoiceField(choices=EvidenceKind.choices, read_only=True)
    stage = serializers.ChoiceField(choices=[("", "none"), *Stage.choices], read_only=True)
    status = serializers.ChoiceField(choices=EvidenceStatus.choices, read_only=True)
    source = serializers.ChoiceField(choices=EvidenceSource.choices, read_only=True)
    external_id = serializers.CharField(read_only=True, help_text="The caller's id, for facts posted to the API.")

    class Meta:
        model = Evidence
        fields = [
            "id",
            "repository",
            "kind",
            "sha",
            "environment",
            "stage",
            "name",
            "status",
            "url",
            "occurred_at",
            "source",
            "external_id",
            "created_at",
        ]
        read_only_fields = fields


class EvidenceInputSerializer(serializers.Serializer):
    """`POST /api/v1/evidence/`: one fact from a pipeline outside GitHub."""

    repository = serializers.CharField(max_length=200, help_text='"owner/name" of a repository the tracker knows.')
    sha = serializers.CharField(min_length=40, max_length=40, help_text="The commit: 40 hex characters.")
    kind = serializers.ChoiceField(choices=EvidenceKind.choices)
    name = serializers.CharField(
        max_length=255, required=False, allow_blank=True, default="", help_text="The check (required for a check)."
    )
    environment = serializers.CharField(
        max_length=255,
        required=False,
        allow_blank=True,
        default="",
        help_text="Where it ran (required for a deployment); mapped to a stage by the repository's rules.",
    )
    status = serializers.ChoiceField(choices=EvidenceStatus.choices)
    url = serializers.URLField(
        max_length=500, required=False, allow_blank=True, default="", help_text="An https link to the run."
    )
    occurred_at = serializers.DateTimeField(required=False, help_text="When it happened; now when left out.")
    external_id = serializers.CharField(
        max_length=200, help_text="Your id for this fact: sending it again with the same status changes nothing."
    )

    def validate_repository(self, value: str) -> Repository:
        repository = Repository.objects.filter(full_name=value).first()
        repository = repository or Repository.objects.filter(full_name__iexact=value).order_by("pk").first()
        if repository is None:
            raise serializers.ValidationError(f"No repository called “{value}” is known here.")
        return repository

    def validate_sha(self, value: str) -> str:
        if not SHA.match(value):
            raise serializers.ValidationError("Give the full commit sha: 40 hex characters.")
        return value.lower()

    def validate_url(self, value: str) -> str:
        if value and not value.lower().startswith("https://"):
            raise serializers.ValidationError("Only https links are kept.")
        return value

    def validate_occurred_at(self, value):
        if value > timezone.now() + CLOCK_SKEW:
            raise serializers.ValidationError("This time is in the future.")
        return value

    def validate_external_id(self, value: str) -> str:
        if not value.strip() or not value.isprintable():
            raise serializers.ValidationError("Use printable characters only.")
        return value

    def validate(self, attrs: dict) -> dict:
        if attrs["kind"] == EvidenceKind.DEPLOYMENT and not attrs.get("environment", "").strip():
            raise serializers.ValidationError({"environment": ["A deployment names its environment."]})
        if attrs["kind"] == EvidenceKind.CHECK and not attrs.get("name", "").strip():
            raise serializers.ValidationError({"name": ["A check has a name."]})
        attrs["name"] = attrs.get("name", "").strip()
        attrs["environment"] = attrs.get("environment", "").strip()
        attrs.setdefault("occurred_at", timezone.now())
        return attrs
