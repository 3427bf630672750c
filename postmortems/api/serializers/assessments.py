"""A record's checklist: each step and how it fared, assessing a step, and proposing a missing one."""

from __future__ import annotations

from rest_framework import serializers

from ...choices import AssessmentStatus
from ...models import ChecklistItem, MissingChecklistItem
from ._common import LONG_TEXT


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
