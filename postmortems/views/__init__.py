"""The web pages. Each module is one area; `urls.py` imports them from here."""

from .assets import colours_css
from .follow_through import repository_file_issues, team_edit, team_list, team_slack_test
from .inbox import inbox
from .lead_settings import (
    category_edit,
    category_list,
    category_set_active,
    checklist_edit,
    checklist_list,
    evidence_token_create,
    evidence_token_revoke,
    missing_item_promote,
    repository_edit,
    repository_list,
    settings_index,
)
from .plotly_assets import plotly_css, plotly_js
from .record_evidence import postmortem_add_timeline_note, postmortem_set_introduced_by
from .records import postmortem_create, postmortem_detail, postmortem_edit, postmortem_list
from .reports import monthly_report, snapshot_detail, snapshot_list
from .verification import merged_pr_staging_override
from .workflow import (
    action_status,
    postmortem_approve,
    postmortem_dismiss,
    postmortem_link_hotfix,
    postmortem_request_changes,
    postmortem_submit,
)

__all__ = [
    "action_status",
    "category_edit",
    "category_list",
    "category_set_active",
    "checklist_edit",
    "checklist_list",
    "colours_css",
    "evidence_token_create",
    "evidence_token_revoke",
    "inbox",
    "merged_pr_staging_override",
    "missing_item_promote",
    "monthly_report",
    "plotly_css",
    "plotly_js",
    "postmortem_add_timeline_note",
    "postmortem_approve",
    "postmortem_create",
    "postmortem_detail",
    "postmortem_dismiss",
    "postmortem_edit",
    "postmortem_link_hotfix",
    "postmortem_list",
    "postmortem_request_changes",
    "postmortem_set_introduced_by",
    "postmortem_submit",
    "repository_edit",
    "repository_file_issues",
    "repository_list",
    "settings_index",
    "snapshot_detail",
    "snapshot_list",
    "team_edit",
    "team_list",
    "team_slack_test",
]
