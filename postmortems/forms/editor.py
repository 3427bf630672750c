"""The whole edit page.

`PostmortemEditor` bundles everything the one edit page changes (the record's fields,
its prevention actions, its checklist assessment and missing steps) so that the edit
and submit views can show the rules' reasons next to the fields they concern.
"""

from __future__ import annotations

from django.db import transaction

from .. import services
from ..models import Postmortem, User
from ..workflow import WorkflowError
from .actions import ActionFormSet
from .checklist import AssessmentForm, MissingItemsForm
from .reasons import attach_reasons
from .record_fields import PostmortemFieldsForm


class PostmortemEditor:
    """Every form of the edit page, validated together and saved in one transaction."""

    SECTIONS = ("actions", "checklist", "missing_items", "general")

    def __init__(self, postmortem: Postmortem, user: User, data=None):
        self.postmortem = postmortem
        self.user = user
        actions = list(postmortem.actions.select_related("owner", "replaced_by"))
        users = list(User.objects.filter(is_active=True).order_by("username"))
        self.fields_form = PostmortemFieldsForm(data, instance=postmortem, user=user, prefix="pm")
        self.action_formset = ActionFormSet(data, prefix="actions", actions=actions, users=users)
        self.items = self._checklist_items()
        assessed = {a.item_id: a for a in postmortem.assessments.all()}
        self.assessment_forms = [
            AssessmentForm(data, prefix=f"item-{item.pk}", item=item, initial=self._assessment_initial(assessed, item))
            for item in self.items
        ]
        self.missing = list(postmortem.missing_items.all())
        self.missing_form = MissingItemsForm(data, missing=self.missing, prefix="missing")
        self.errors: dict[str, list[str]] = {section: [] for section in self.SECTIONS}

    def _checklist_items(self) -> list:
        # A record nobody has assessed yet follows the template in force (as the service does).
        version = self.postmortem.checklist_version
        if not self.postmortem.assessments.exists():
            version = services.checklist_version_in_force(self.postmortem.repository) or version
        return list(version.items.all()) if version else []

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
            name = field.removesuffix("_id")
            if name in form.fields:
                form.errors.setdefault(name, form.error_class()).extend(messages)
            else:
                self.errors[field if field in self.errors else "general"].extend(messages)

    def save(self) -> bool:
        """Write everything through the services; on any refusal roll it all back and keep the errors."""
        with transaction.atomic():
            self._save_fields()
            self._save_actions()
            self._save_checklist()
            self._save_missing()
            if self.has_errors or not self._forms_clean():
                transaction.set_rollback(True)
                return False
        return True

    def _forms_clean(self) -> bool:
        every = [self.fields_form, *self.action_formset.forms, self.missing_form, *self.assessment_forms]
        return not any(f.errors for f in every)

    def _save_fields(self) -> None:
        try:
            services.postmortem_update(postmortem=self.postmortem, actor=self.user, **self.fields_form.service_fields())
        except WorkflowError as exc:
            self.add_reasons(exc.reasons)

    def _save_actions(self) -> None:
        formset = self.action_formset
        for form in formset.forms:
            if form.is_blank():
                continue
            action = formset.actions.get(form.cleaned_data["id"])
            remove = form.cleaned_data.get("DELETE", False)
            try:
                if action and remove:
                    services.action_remove(action=action, actor=self.user)
                elif action:
                    services.action_update(action=action, actor=self.user, **formset.resolved(form))
                elif not remove:
                    services.action_create(postmortem=self.postmortem, actor=self.user, **formset.resolved(form))
            except WorkflowError as exc:
                leftover = attach_reasons(form, exc.reasons)
                for messages in leftover.values():
                    for message in messages:
                        form.add_error(None, message)

    def _save_checklist(self) -> None:
        for form in self.assessment_forms:
            data = form.cleaned_data
            if not data.get("status"):
                continue
            try:
                services.assessment_set(
                    postmortem=self.postmortem,
                    actor=self.user,
                    item=form.item,
                    status=data["status"],
                    would_have_caught=data["would_have_caught"],
                    ineffective=data["ineffective"],
                    note=data["note"],
                )
            except WorkflowError as exc:
                for messages in exc.reasons.values():
                    for message in messages:
                        form.add_error(None, message)

    def _save_missing(self) -> None:
        try:
            for pk in self.missing_form.cleaned_data.get("remove", []):
                services.missing_item_remove(missing_item=self.missing_form.missing[int(pk)], actor=self.user)
            for text in self.missing_form.new_texts():
                services.missing_item_add(postmortem=self.postmortem, actor=self.user, text=text)
        except WorkflowError as exc:
            for messages in exc.reasons.values():
                for message in messages:
                    self.missing_form.add_error("new_items", message)
