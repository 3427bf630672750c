"""A record's checklist: each step and how it fared, assessing a step, and proposing a missing one."""

from __future__ import annotations

from rest_framework import serializers

from ...choices import AssessmentSource, AssessmentStatus, EvidenceRule
from ...models import ChecklistItem, MissingChecklistItem
from ._common import LONG_TEXT


class EvidenceLinkSerializer(serializers.Serializer):
    """One fact an evidence answer rests on."""

    label = serializers.CharField()
    url = serializers.CharField(allow_blank=True)
    id = serializers.IntegerField(allow_null=True, help_text="The evidence row.")


class ChecklistEntrySerializer(serializers.Serializer):
    """One step of the record's checklist version and how it fared (`status` null until assessed)."""

    item = serializers.IntegerField(help_text="Checklist item id.")
    position = serializers.IntegerField()
    text = serializers.CharField()
    evidence_rule = serializers.ChoiceField(
        choices=EvidenceRule.choices, allow_blank=True, help_text="Evidence that answers this step; blank: none."
    )
    status = serializers.ChoiceField(choices=AssessmentStatus.choices, allow_null=True)
    would_have_caught = serializers.BooleanField(allow_null=True)
    ineffective = serializers.BooleanField()
    note = serializers.CharField(allow_blank=True)
    source = serializers.ChoiceField(
        choices=AssessmentSource.choices,
        allow_null=True,
        help_text="Who answered: `evidence` (pre-filled from the introducing PR) or `person`; null until assessed.",
    )
    evidence = EvidenceLinkSerializer(many=True, help_text="What the evidence answer rests on.")
    evidence_status = serializers.ChoiceField(
        choices=AssessmentStatus.choices, allow_blank=True, help_text="What the evidence said; blank: nothing."
    )
    evidence_reason = serializers.CharField(allow_blank=True)
    override_reason = serializers.CharField(allow_blank=True, help_text="Why a person's answer differs.")


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
    override_reason = serializers.CharField(
        max_length=LONG_TEXT,
        allow_blank=True,
        required=False,
        default="",
        help_text="Required when `status` differs from what the deployment evidence said (`evidence_status`).",
    )


class MissingItemSerializer(serializers.ModelSerializer):
    text = serializers.CharField(max_length=300)

    class Meta:
        model = MissingChecklistItem
        fields = ["id", "text", "proposed_at", "promoted_to"]
        read_only_fields = ["id", "proposed_at", "promoted_to"]
