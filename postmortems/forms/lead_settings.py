"""Lead settings: failure categories, checklist templates, repository settings."""

from __future__ import annotations

from django import forms

from ..models import ChecklistTemplate, Repository, Team


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
    action_issues = forms.BooleanField(
        required=False, label="File each new prevention action as a GitHub issue (needs Issues: read & write)"
    )
    action_issue_repository = forms.CharField(
        required=False,
        max_length=200,
        label="Tracking repository for action issues",
        help_text='"owner/name"; empty files them in this repository.',
    )

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
            "action_issues": repository.action_issues,
            "action_issue_repository": repository.action_issue_repository,
        }

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("production_branches", "hotfix_labels", "hotfix_branch_prefixes"):
            data[name] = _lines(data[name])
        return data


class TeamSlackForm(forms.Form):
    """A team's Slack incoming webhook: written here, never shown back (only its last four characters)."""

    slack_webhook_url = forms.CharField(
        required=False,
        max_length=500,
        label="Slack incoming-webhook URL",
        help_text="Paste a new URL to replace the current one; leave empty to keep it.",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    remove = forms.BooleanField(required=False, label="Remove the team's webhook (use the default one)")
