"""Prevention actions on the edit page: one form per action row and their formset."""

from __future__ import annotations

from django import forms

from ..choices import ActionKind
from ..models import PreventionAction, User
from ._common import DATE_WIDGET, NOT_CHOSEN


def _user_choices(users: list[User]) -> list[tuple[str, str]]:
    return NOT_CHOSEN + [(str(u.pk), u.get_full_name() or u.username) for u in users]


class ActionForm(forms.Form):
    """One prevention action row; an empty extra row is ignored, a ticked "Remove" takes it off."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(choices=ActionKind.choices, initial=ActionKind.AUTOMATION)
    owner = forms.ChoiceField(required=False)
    due_date = forms.DateField(required=False, widget=DATE_WIDGET)
    evidence_url = forms.URLField(required=False, label="Tracking or evidence URL", assume_scheme="https")
    expires_at = forms.DateField(
        required=False, widget=DATE_WIDGET, label="Expires on", help_text="Temporary mitigations only."
    )
    estimate_hours = forms.FloatField(
        required=False,
        min_value=0,
        label="Estimate (hours)",
        help_text="Engineer-hours the work needs; the report sets them against hotfix hours.",
    )
    replaced_by = forms.ChoiceField(
        required=False,
        label="Replaced by",
        help_text="Temporary mitigations only: the saved permanent action that replaces it.",
    )

    def __init__(self, *args, owner_choices, action_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owner_choices
        self.fields["replaced_by"].choices = action_choices

    def is_blank(self) -> bool:
        return not self.cleaned_data.get("id") and not (self.cleaned_data.get("description") or "").strip()


class BaseActionFormSet(forms.BaseFormSet):
    def __init__(self, *args, actions: list[PreventionAction], users: list[User], **kwargs):
        self.actions = {a.pk: a for a in actions}
        self.users = {u.pk: u for u in users}
        kwargs["initial"] = [
            {
                "id": a.pk,
                "description": a.description,
                "kind": a.kind,
                "owner": a.owner_id,
                "due_date": a.due_date,
                "evidence_url": a.evidence_url,
                "expires_at": a.expires_at,
                "replaced_by": a.replaced_by_id,
                "estimate_hours": a.estimate_hours,
            }
            for a in actions
        ]
        kwargs["form_kwargs"] = {
            "owner_choices": _user_choices(users),
            "action_choices": NOT_CHOSEN + [(str(a.pk), a.description[:60]) for a in actions],
        }
        super().__init__(*args, **kwargs)

    def clean(self):
        # Only the shape here (each id is an action of this record); the services judge the rows.
        for form in self.forms:
            if not form.is_valid() or form.cleaned_data.get("DELETE") or form.is_blank():
                continue
            if form.cleaned_data["id"] and form.cleaned_data["id"] not in self.actions:
                form.add_error(None, "This action belongs to another record.")

    def resolved(self, form: ActionForm) -> dict:
        """The form's values with ids turned into the rows the services want."""
        data = form.cleaned_data
        owner = self.users.get(int(data["owner"])) if data["owner"] else None
        replaced_by = self.actions.get(int(data["replaced_by"])) if data["replaced_by"] else None
        return {
            "description": data["description"],
            "kind": data["kind"],
            "owner": owner,
            "due_date": data["due_date"],
            "evidence_url": data["evidence_url"],
            "expires_at": data["expires_at"],
            "replaced_by": replaced_by,
            "estimate_hours": data["estimate_hours"],
        }


ActionFormSet = forms.formset_factory(ActionForm, formset=BaseActionFormSet, extra=2, can_delete=True)
