"""Forms of the web app: they validate and shape input; the services do the writes.

`PostmortemEditor` bundles everything the one edit page changes (the record's fields,
its prevention actions, its checklist assessment and missing steps) so that the edit
and submit views can show the rules' reasons next to the fields they concern.
"""

from __future__ import annotations

import copy

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from . import services
from .choices import ActionKind, ActionStatus, AssessmentStatus, PostmortemStatus, Severity
from .models import (
    ChecklistTemplate,
    FailureCategory,
    MergedPullRequest,
    MissingChecklistItem,
    Postmortem,
    PreventionAction,
    Repository,
    Team,
    User,
)
from .selectors import month_bounds, overdue_q
from .workflow import WorkflowError, is_lead

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
NOT_CHOSEN = [("", "—")]


def _user_choices(users: list[User]) -> list[tuple[str, str]]:
    return NOT_CHOSEN + [(str(u.pk), u.get_full_name() or u.username) for u in users]


def attach_reasons(form: forms.BaseForm, reasons: dict[str, list[str]]) -> dict[str, list[str]]:
    """Put each reason on the form field it names; return the reasons no field of this form owns."""
    leftover: dict[str, list[str]] = {}
    for field, messages in reasons.items():
        name = field.removesuffix("_id")
        target = name if name in form.fields else None
        for message in messages:
            if target:
                form.add_error(target, message)
            else:
                leftover.setdefault(field, []).append(message)
    return leftover


def show_reasons(form: forms.BaseForm, reasons: dict[str, list[str]]) -> None:
    """Each reason next to the field it names; the others as the form's own errors."""
    for messages in attach_reasons(form, reasons).values():
        form.add_error(None, messages)


# --- the record's own fields --------------------------------------------------------


class PostmortemFieldsForm(forms.ModelForm):
    """The editable fields of a draft; the owner field only for leads."""

    introduced_by_number = forms.IntegerField(
        required=False,
        min_value=1,
        label="Introducing PR number",
        help_text="The PR that introduced the defect, if known (same repository).",
    )

    class Meta:
        model = Postmortem
        fields = [
            "title",
            "severity",
            "summary",
            "impact",
            "detected_at",
            "resolved_at",
            "detection_method",
            "caught_in",
            "trigger",
            "root_cause",
            "category",
            "contributing_categories",
            "owner",
            "repository",
            "team",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "impact": forms.Textarea(attrs={"rows": 3}),
            "root_cause": forms.Textarea(attrs={"rows": 5}),
            "detected_at": DATETIME_WIDGET,
            "resolved_at": DATETIME_WIDGET,
            "contributing_categories": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "summary": "Markdown. What happened, in a few sentences.",
            "impact": "Markdown. Who noticed what, for how long.",
            "root_cause": "Markdown; at least 40 characters to submit. Why it happened, not just what.",
        }

    def __init__(self, *args, user: User, **kwargs):
        # Validation writes onto the instance; give it a copy so a refused form leaves the record alone.
        kwargs["instance"] = copy.copy(kwargs["instance"])
        super().__init__(*args, **kwargs)
        record = self.instance
        categories = FailureCategory.objects.filter(Q(is_active=True) | Q(pk=record.category_id))
        self.fields["category"].queryset = categories
        self.fields["contributing_categories"].queryset = FailureCategory.objects.filter(is_active=True)
        self.fields["contributing_categories"].required = False
        if is_lead(user):
            self.fields["owner"].queryset = User.objects.filter(is_active=True).order_by("username")
        else:
            del self.fields["owner"]
        if record.introduced_by_id:
            self.initial["introduced_by_number"] = record.introduced_by.number
        for name in ("severity", "detection_method", "caught_in", "trigger"):
            self.fields[name].required = False

    def clean_introduced_by_number(self) -> MergedPullRequest | None:
        number = self.cleaned_data.get("introduced_by_number")
        if not number:
            return None
        repository = self.cleaned_data.get("repository") or self.instance.repository
        found = MergedPullRequest.objects.filter(repository=repository, number=number).first()
        if found is None:
            raise forms.ValidationError("We have no record of that PR being merged in this repository.")
        return found

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        contributing = list(data.pop("contributing_categories", []))
        data["introduced_by"] = data.pop("introduced_by_number", None)
        return {"contributing_categories": contributing, **data}


# --- prevention actions --------------------------------------------------------------


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
            }
            for a in actions
        ]
        kwargs["form_kwargs"] = {
            "owner_choices": _user_choices(users),
            "action_choices": NOT_CHOSEN + [(str(a.pk), a.description[:60]) for a in actions],
        }
        super().__init__(*args, **kwargs)

    def clean(self):
        for form in self.forms:
            if not form.is_valid() or form.cleaned_data.get("DELETE") or form.is_blank():
                continue
            if form.cleaned_data["id"] and form.cleaned_data["id"] not in self.actions:
                form.add_error(None, "This action belongs to another record.")
            if not form.cleaned_data["description"].strip():
                form.add_error("description", "Describe the action.")

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
        }


ActionFormSet = forms.formset_factory(ActionForm, formset=BaseActionFormSet, extra=2, can_delete=True)


# --- checklist assessment and missing steps ---------------------------------------------


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

    def __init__(self, *args, item, **kwargs):
        self.item = item
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


# --- the whole edit page ------------------------------------------------------------------


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


# --- workflow and small forms -----------------------------------------------------------


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

    def clean(self):
        data = super().clean()
        if data.get("repository") and data.get("number"):
            pr = MergedPullRequest.objects.filter(repository=data["repository"], number=data["number"]).first()
            if pr is None:
                raise forms.ValidationError("We have no record of that PR being merged into a production branch.")
            data["merged_pr"] = pr
        return data


# --- lead settings ----------------------------------------------------------------------------


class CategoryForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ChecklistRevisionForm(forms.Form):
    items = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}), label="Steps, one per line", help_text="Saving makes a new version."
    )
    change_note = forms.CharField(required=False, max_length=300, label="What changed")

    def item_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]


class ChecklistTemplateCreateForm(ChecklistRevisionForm):
    name = forms.CharField(max_length=200, label="Name", help_text="e.g. “Forecast pipeline release checklist”.")
    change_note = None
    field_order = ["name", "items"]


def _lines(value: str) -> list[str]:
    return [part.strip() for part in value.replace(",", "\n").splitlines() if part.strip()]


class RepositorySettingsForm(forms.Form):
    production_branches = forms.CharField(
        required=False,
        help_text="One per line; empty means the default branch.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    hotfix_labels = forms.CharField(required=False, help_text="One per line.", widget=forms.Textarea(attrs={"rows": 2}))
    hotfix_branch_prefixes = forms.CharField(
        required=False, help_text="One per line, e.g. hotfix/", widget=forms.Textarea(attrs={"rows": 2})
    )
    hotfix_title_pattern = forms.CharField(required=False, max_length=255, help_text="A regular expression.")
    postmortem_due_days = forms.IntegerField(min_value=1, max_value=365, label="Days to complete a postmortem")
    writeback_enabled = forms.BooleanField(required=False, label="Comment on hotfix PRs and set the commit status")
    debt_status_enabled = forms.BooleanField(
        required=False, label="Fail new PRs (postmortem-debt) while postmortems are overdue"
    )
    checklist_template = forms.ModelChoiceField(
        queryset=ChecklistTemplate.objects.all(), required=False, empty_label="The default template"
    )
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False, empty_label="No team")

    @staticmethod
    def initial_for(repository: Repository) -> dict:
        return {
            "production_branches": "\n".join(repository.production_branches),
            "hotfix_labels": "\n".join(repository.hotfix_labels),
            "hotfix_branch_prefixes": "\n".join(repository.hotfix_branch_prefixes),
            "hotfix_title_pattern": repository.hotfix_title_pattern,
            "postmortem_due_days": repository.postmortem_due_days,
            "writeback_enabled": repository.writeback_enabled,
            "debt_status_enabled": repository.debt_status_enabled,
            "checklist_template": repository.checklist_template_id,
            "team": repository.team_id,
        }

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("production_branches", "hotfix_labels", "hotfix_branch_prefixes"):
            data[name] = _lines(data[name])
        return data


# --- the records list ----------------------------------------------------------------------


SORTS = {
    "-created": ("-created_at", "-pk"),
    "created": ("created_at", "pk"),
    "due": ("due_at", "pk"),
    "-due": ("-due_at", "-pk"),
    "severity": ("severity", "-created_at", "-pk"),
    "title": ("title", "pk"),
    "status": ("status", "-created_at", "-pk"),
}


class PostmortemFilter(django_filters.FilterSet):
    """Filters of `/postmortems/`; every one is a query parameter so the URL keeps the state."""

    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.ChoiceFilter(choices=PostmortemStatus.choices, empty_label="Any status")
    severity = django_filters.ChoiceFilter(choices=Severity.choices, empty_label="Any severity")
    repository = django_filters.ModelChoiceFilter(
        queryset=Repository.objects.all(), to_field_name="full_name", empty_label="Any repository"
    )
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all(), to_field_name="slug", empty_label="Any team")
    category = django_filters.ModelChoiceFilter(
        queryset=FailureCategory.objects.all(), to_field_name="slug", empty_label="Any category"
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        label="Overdue",
        widget=forms.Select(choices=[("", "Overdue or not"), ("true", "Overdue"), ("false", "Not overdue")]),
    )
    month = django_filters.CharFilter(method="filter_month", label="Month (YYYY-MM)")
    sort = django_filters.ChoiceFilter(
        method="sort_by",
        empty_label="Newest first",
        label="Sort",
        choices=[
            ("created", "Oldest first"),
            ("due", "Due soonest"),
            ("-due", "Due latest"),
            ("severity", "Severity"),
            ("title", "Title"),
            ("status", "Status"),
        ],
    )

    class Meta:
        model = Postmortem
        fields: list[str] = []

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        q = Q()
        for word in value.split()[:8]:
            q &= Q(title__icontains=word) | Q(summary__icontains=word) | Q(root_cause__icontains=word)
        return queryset.filter(q)

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())

    def filter_month(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        try:
            start, end = month_bounds(value.strip())
        except ValidationError:
            return queryset.none()
        queryset = queryset.filter(anchor_at__gte=start)
        return queryset.filter(anchor_at__lt=end) if end else queryset

    def sort_by(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.order_by(*SORTS.get(value, SORTS["-created"]))

    @property
    def qs(self) -> QuerySet:
        queryset = super().qs
        if not (self.form.is_valid() and self.form.cleaned_data.get("sort")):
            queryset = queryset.order_by(*SORTS["-created"])
        return queryset
