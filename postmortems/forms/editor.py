"""The whole edit page.

`PostmortemEditor` bundles everything the one edit page changes (the record's fields,
its prevention actions, its checklist assessment and missing steps) so that the edit
and submit views can show the rules' reasons next to the fields they concern.
"""

from __future__ import annotations

from .. import selectors, services
from ..models import Postmortem, User
from ..services import ActionChange, AssessmentChange, EditorReasons
from .actions import ActionForm, ActionFormSet
from .checklist import AssessmentForm, MissingItemsForm
from .reasons import attach_reasons
from .record_fields import PostmortemFieldsForm

# Rules speak of the record's fields; a few are edited through a differently named form field.
FORM_FIELD_FOR = {"introduced_by": "introduced_by_number"}


class PostmortemEditor:
    """Every form of the edit page, validated together; one service saves them in one transaction."""

    SECTIONS = ("actions", "checklist", "missing_items", "general")

    def __init__(self, postmortem: Postmortem, user: User, data=None):
        self.postmortem = postmortem
        self.user = user
        actions = list(postmortem.actions.select_related("owner", "replaced_by"))
        users = list(User.objects.filter(is_active=True).order_by("username"))
        self.fields_form = PostmortemFieldsForm(data, instance=postmortem, user=user, prefix="pm")
        self.action_formset = ActionFormSet(data, prefix="actions", actions=actions, users=users)
        version = selectors.checklist_version_for(postmortem)
        self.items = list(version.items.all()) if version else []
        assessed = {a.item_id: a for a in postmortem.assessments.all()}
        self.assessment_forms = [
            AssessmentForm(
                data,
                prefix=f"item-{item.pk}",
                item=item,
                assessment=assessed.get(item.pk),
                initial=self._assessment_initial(assessed, item),
            )
            for item in self.items
        ]
        self.missing = list(postmortem.missing_items.all())
        self.missing_form = MissingItemsForm(data, missing=self.missing, prefix="missing")
        self.errors: dict[str, list[str]] = {section: [] for section in self.SECTIONS}

    @staticmethod
    def _assessment_initial(assessed: dict, item) -> dict:
        found = assessed.get(item.pk)
        if found is None:
            return {}
        caught = {True: "yes", False: "no"}.get(found.would_have_caught, "")
        return {
            "status": found.status,
            "would_have_caught": caught,
            "ineffective": found.ineffective,
            "note": found.note,
            "override_reason": found.override_reason,
        }

    @property
    def has_errors(self) -> bool:
        return any(self.errors.values())

    def is_valid(self) -> bool:
        forms_ok = [self.fields_form.is_valid(), self.action_formset.is_valid(), self.missing_form.is_valid()]
        forms_ok += [f.is_valid() for f in self.assessment_forms]
        return all(forms_ok)

    def add_reasons(self, reasons: dict[str, list[str]]) -> None:
        """Show the rules' reasons (e.g. from a refused submit) next to what they concern."""
        form = self.fields_form
        for field, messages in reasons.items():
            name = FORM_FIELD_FOR.get(field, field.removesuffix("_id"))
            if name in form.fields:
                form.errors.setdefault(name, form.error_class()).extend(messages)
            else:
                self.errors[field if field in self.errors else "general"].extend(messages)

    # --- shaping the forms' data for the service ------------------------------------

    def _action_rows(self) -> list[ActionForm]:
        return [form for form in self.action_formset.forms if not form.is_blank()]

    def _action_changes(self, rows: list[ActionForm]) -> list[ActionChange]:
        formset = self.action_formset
        return [
            ActionChange(
                action=formset.actions.get(form.cleaned_data["id"]),
                values=formset.resolved(form),
                remove=bool(form.cleaned_data.get("DELETE")),
            )
            for form in rows
        ]

    def _assessment_changes(self) -> list[AssessmentChange]:
        return [
            AssessmentChange(
                item=form.item,
                status=form.cleaned_data["status"],
                would_have_caught=form.cleaned_data["would_have_caught"],
                ineffective=form.cleaned_data["ineffective"],
                note=form.cleaned_data["note"],
                override_reason=form.cleaned_data["override_reason"],
            )
            for form in self.assessment_forms
            # Only the steps the person touched: an untouched evidence answer stays the evidence's, even
            # when the same save changes the introducing PR and the evidence answers the step anew.
            if form.cleaned_data.get("status") and form.has_changed()
        ]

    def save(self) -> bool:
        """Hand everything to the editor service; on a refusal show each reason where it belongs."""
        fields = self.fields_form.service_fields()
        contributing = fields.pop("contributing_categories")
        rows = self._action_rows()
        withdraw = [self.missing_form.missing[int(pk)] for pk in self.missing_form.cleaned_data.get("remove", [])]
        reasons = services.postmortem_editor_save(
            postmortem=self.postmortem,
            actor=self.user,
            fields=fields,
            contributing_categories=contributing,
            actions=self._action_changes(rows),
            assessments=self._assessment_changes(),
            missing_withdraw=withdraw,
            missing_add=self.missing_form.new_texts(),
        )
        self._show(reasons, rows)
        return not reasons

    def _show(self, reasons: EditorReasons, rows: list[ActionForm]) -> None:
        self.add_reasons(reasons.fields)
        for position, found in reasons.actions.items():
            form = rows[position]
            for messages in attach_reasons(form, found).values():
                for message in messages:
                    form.add_error(None, message)
        by_item = {form.item.pk: form for form in self.assessment_forms}
        for item_pk, found in reasons.checklist.items():
            for messages in found.values():
                for message in messages:
                    by_item[item_pk].add_error(None, message)
        for message in reasons.missing_items:
            self.missing_form.add_error("new_items", message)
