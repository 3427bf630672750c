"""The record's own fields on the edit page."""

from __future__ import annotations

import copy

from django import forms
from django.db.models import Q

from ..models import FailureCategory, MergedPullRequest, Postmortem, User
from ..selectors import merged_pr_in
from ..workflow import EDITABLE_FIELDS, is_lead
from ._common import DATETIME_WIDGET


class PostmortemFieldsForm(forms.ModelForm):
    """The editable fields of a draft; the owner and team fields only for leads."""

    introduced_by_number = forms.IntegerField(
        required=False,
        min_value=1,
        label="Introducing PR number",
        help_text="The PR that introduced the defect, if known (same repository).",
    )

    class Meta:
        model = Postmortem
        # The introducing PR is chosen by number (`introduced_by_number`), the rest as the rules list them.
        fields = [name for name in EDITABLE_FIELDS if name != "introduced_by"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "impact": forms.Textarea(attrs={"rows": 3}),
            "root_cause": forms.Textarea(attrs={"rows": 5}),
            "detected_at": DATETIME_WIDGET,
            "resolved_at": DATETIME_WIDGET,
            "contributing_categories": forms.CheckboxSelectMultiple,
            "effort_hours": forms.NumberInput(attrs={"min": 0, "step": 0.5}),
        }
        help_texts = {
            "summary": "Markdown. What happened, in a few sentences.",
            "impact": "Markdown. Who noticed what, for how long.",
            "root_cause": "Markdown; at least 40 characters to submit. Why it happened, not just what.",
            "effort_hours": (
                "Optional. Engineer-hours the incident and its hotfix took; the report sets them against upkeep."
            ),
        }

    def __init__(self, *args, user: User, **kwargs):
        # Validation writes onto the instance; give it a copy so a refused form leaves the record alone.
        kwargs["instance"] = copy.copy(kwargs["instance"])
        super().__init__(*args, **kwargs)
        record = self.instance
        # Offer active categories, and the retired ones the record already has (it may keep them).
        categories = FailureCategory.objects.filter(Q(is_active=True) | Q(pk=record.category_id))
        self.fields["category"].queryset = categories
        kept = record.contributing_categories.all() if record.pk else FailureCategory.objects.none()
        self.fields["contributing_categories"].queryset = FailureCategory.objects.filter(
            Q(is_active=True) | Q(pk__in=kept.values("pk"))
        )
        self.fields["contributing_categories"].required = False
        if is_lead(user):
            self.fields["owner"].queryset = User.objects.filter(is_active=True).order_by("username")
        else:
            # Re-owning and re-teaming a record are a lead's moves (SPEC §8).
            del self.fields["owner"]
            del self.fields["team"]
        if record.introduced_by_id:
            self.initial["introduced_by_number"] = record.introduced_by.number
        for name in ("severity", "detection_method", "caught_in", "trigger"):
            self.fields[name].required = False

    def clean_introduced_by_number(self) -> MergedPullRequest | None:
        number = self.cleaned_data.get("introduced_by_number")
        if not number:
            return None
        repository = self.cleaned_data.get("repository") or self.instance.repository
        found = merged_pr_in(repository, number)
        if found is None:
            raise forms.ValidationError("We have no record of that PR being merged in this repository.")
        return found

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        contributing = list(data.pop("contributing_categories", []))
        data["introduced_by"] = data.pop("introduced_by_number", None)
        return {"contributing_categories": contributing, **data}
