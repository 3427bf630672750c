"""Lead settings: failure categories, checklist templates, repository settings."""

from __future__ import annotations

import re

from django import forms

from ..choices import EvidenceRule, Stage
from ..models import ChecklistTemplate, Repository, Team


class CategoryForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


RULE_SUFFIX = re.compile(r"\s*\[(?P<rule>[a-z_]+)\]\s*$")


def step_line(text: str, evidence_rule: str) -> str:
    """How a step reads in the editor: its text, then its evidence rule in brackets if it has one."""
    return f"{text} [{evidence_rule}]" if evidence_rule else text


class ChecklistRevisionForm(forms.Form):
    items = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        label="Steps, one per line",
        help_text="Saving makes a new version. End a step with "
        + " or ".join(f"[{rule}]" for rule in EvidenceRule.values)
        + " to let deployment evidence answer it.",
    )
    change_note = forms.CharField(required=False, max_length=300, label="What changed")

    def _parsed(self) -> list[tuple[str, str]]:
        steps = []
        for line in self.cleaned_data["items"].splitlines():
            match = RULE_SUFFIX.search(line)
            rule = match["rule"] if match else ""
            text = line[: match.start()] if match else line
            if text.strip():
                steps.append((text.strip(), rule))
        return steps

    def item_list(self) -> list[str]:
        return [text for text, _ in self._parsed()]

    def evidence_rules(self) -> list[str]:
        return [rule for _, rule in self._parsed()]


class ChecklistTemplateCreateForm(ChecklistRevisionForm):
    name = forms.CharField(max_length=200, label="Name", help_text="e.g. “Forecast pipeline release checklist”.")
    change_note = None
    field_order = ["name", "items"]


def _lines(value: str) -> list[str]:
    return [part.strip() for part in value.replace(",", "\n").splitlines() if part.strip()]


def _by_name(item: tuple[str, str]) -> str:
    return item[0].casefold()


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
    # Deployment evidence (SPEC §10).
    environment_stages = forms.CharField(
        required=False,
        label="Environment stages",
        help_text=(
            "One per line, “environment = stage” (development, staging, production or other). Names not "
            "listed follow the defaults: prod, prd, live → production; stg, stage, preprod, uat → staging; "
            "dev, test → development."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    staging_branches = forms.CharField(
        required=False,
        help_text="One per line: a push to one of these is a staging deployment of the commits it brings.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    staging_checks = forms.CharField(
        required=False,
        help_text="One per line: checks or workflows that must succeed in staging (e.g. downstream-e2e). "
        "Empty: a staging deployment alone counts.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    staging_status = forms.BooleanField(
        required=False, label="Write a staging-verified commit status on open PRs into production branches"
    )
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
            "environment_stages": "\n".join(
                f"{name} = {stage}" for name, stage in sorted(repository.environment_stages.items(), key=_by_name)
            ),
            "staging_branches": "\n".join(repository.staging_branches),
            "staging_checks": "\n".join(repository.staging_checks),
            "staging_status": repository.staging_status,
            "action_issues": repository.action_issues,
            "action_issue_repository": repository.action_issue_repository,
        }

    def clean_environment_stages(self) -> dict[str, str]:
        mapping: dict[str, str] = {}
        for line in self.cleaned_data["environment_stages"].splitlines():
            if not line.strip():
                continue
            name, sep, stage = line.partition("=")
            stage = stage.strip().lower()
            if not sep or not name.strip() or stage not in Stage.values:
                raise forms.ValidationError(
                    f"“{line.strip()[:80]}”: write “environment = stage”, the stage one of {', '.join(Stage.values)}."
                )
            mapping[name.strip()] = stage
        return mapping

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        for name in (
            "production_branches",
            "hotfix_labels",
            "hotfix_branch_prefixes",
            "staging_branches",
            "staging_checks",
        ):
            data[name] = _lines(data[name])
        return data


class EvidenceTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, label="Token name", help_text="What will use it, e.g. “Databricks nightly job”."
    )


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
