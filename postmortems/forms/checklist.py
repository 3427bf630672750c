"""Checklist assessment and missing steps on the edit page."""

from __future__ import annotations

from django import forms

from ..choices import AssessmentStatus
from ..models import MissingChecklistItem
from ._common import NOT_CHOSEN


class AssessmentForm(forms.Form):
    """How one step of the checklist version in force fared in this incident."""

    status = forms.ChoiceField(choices=NOT_CHOSEN + AssessmentStatus.choices, required=False, label="This step was")
    would_have_caught = forms.TypedChoiceField(
        choices=[("", "—"), ("yes", "Yes"), ("no", "No")],
        coerce=lambda v: v == "yes",
        empty_value=None,
        required=False,
        label="If skipped: would following it have caught this?",
    )
    ineffective = forms.BooleanField(required=False, label="If followed: it should have caught this and did not")
    note = forms.CharField(required=False, max_length=2000, widget=forms.TextInput)
    override_reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.TextInput,
        label="If your answer differs from the deployment evidence: why",
    )

    def __init__(self, *args, item, assessment=None, **kwargs):
        self.item = item
        self.assessment = assessment  # what the evidence said, shown beside the answer
        super().__init__(*args, **kwargs)


class MissingItemsForm(forms.Form):
    """Steps no checklist had that would have caught it: withdraw proposed ones, propose new ones."""

    remove = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Withdraw these proposed steps"
    )
    new_items = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Propose missing steps",
        help_text="One per line: steps no checklist had that would have caught this incident.",
    )

    def __init__(self, *args, missing: list[MissingChecklistItem], **kwargs):
        super().__init__(*args, **kwargs)
        self.missing = {m.pk: m for m in missing}
        self.fields["remove"].choices = [(str(m.pk), m.text) for m in missing if not m.promoted_to_id]

    def new_texts(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("new_items", "").splitlines() if line.strip()]
