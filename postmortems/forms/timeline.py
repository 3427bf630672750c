"""The record page's deployment-story forms: a hand-written timeline line, and setting the introducing PR."""

from __future__ import annotations

from django import forms

from ._common import DATETIME_WIDGET


class TimelineNoteForm(forms.Form):
    at = forms.DateTimeField(widget=DATETIME_WIDGET, label="When")
    text = forms.CharField(max_length=300, label="What happened", help_text="One line, e.g. “Paged the data team”.")


class IntroducedByForm(forms.Form):
    """One click on a suggested PR: its id, checked against the PRs the user may see."""

    merged_pr = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
