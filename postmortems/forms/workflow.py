"""Workflow and small forms: the record page's transitions, action status, opening and linking records."""

from __future__ import annotations

from django import forms

from ..choices import ActionStatus, Severity
from ..models import Repository, Team, User
from ..selectors import merged_pr_in, visible_merged_prs
from ._common import NOT_CHOSEN


class RequestChangesForm(forms.Form):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="What needs to change", max_length=5000, required=False
    )


class DismissForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label="Why dismiss this record", max_length=5000, required=False
    )


class ActionStatusForm(forms.Form):
    """Move one action along; done needs the evidence URL for provable kinds (the service decides)."""

    status = forms.ChoiceField(choices=ActionStatus.choices)
    evidence_url = forms.URLField(
        required=False, label="Evidence URL", help_text="The PR, test or CI job that proves it.", assume_scheme="https"
    )
    wont_do_reason = forms.CharField(required=False, label="Reason (for won't do)", max_length=2000)


class CreatePostmortemForm(forms.Form):
    """Open a record by hand, for an incident without a hotfix PR."""

    title = forms.CharField(max_length=300)
    repository = forms.ModelChoiceField(queryset=Repository.objects.all(), required=False)
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False)
    severity = forms.ChoiceField(choices=NOT_CHOSEN + Severity.choices, required=False)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="Markdown.")


class LinkHotfixForm(forms.Form):
    """Cover another merged hotfix PR with this record (one incident, several PRs)."""

    repository = forms.ModelChoiceField(queryset=Repository.objects.all())
    number = forms.IntegerField(min_value=1, label="PR number")

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        data = super().clean()
        if data.get("repository") and data.get("number"):
            # Only PRs this user may see can be named; whether they may link it is the service's call.
            pr = merged_pr_in(data["repository"], data["number"], among=visible_merged_prs(self.user))
            if pr is None:
                raise forms.ValidationError("We have no record of that PR being merged into a production branch.")
            data["merged_pr"] = pr
        return data
