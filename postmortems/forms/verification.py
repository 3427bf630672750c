"""A lead's answer over a computed `skipped` staging verification (SPEC §10)."""

from __future__ import annotations

from django import forms

from ..choices import StagingOverride


class StagingOverrideForm(forms.Form):
    status = forms.ChoiceField(choices=StagingOverride.choices, label="The answer that holds")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why the evidence is wrong here",
        max_length=5000,
        help_text="E.g. staging was deployed from a squash of another PR with a different commit.",
    )
