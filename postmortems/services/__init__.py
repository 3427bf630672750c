"""Every write of the domain. Import from `postmortems.services`."""

from .action_issues import action_issue_sync, action_issues_file_open, action_issues_requeue
from .action_reminders import action_reminders_send
from .actions import action_complete, action_create, action_remove, action_set_status, action_update
from .checklists import (
    assessment_set,
    checklist_template_create,
    checklist_template_revise,
    checklist_version_in_force,
    missing_item_add,
    missing_item_promote,
    missing_item_remove,
    postmortem_refresh_gap,
)
from .deliveries import (
    HANDLERS,
    MergedPrOutcome,
    deliveries_requeue,
    delivery_process,
    delivery_reprocess,
    merged_pr_apply,
)
from .issue_events import action_issue_evidence, issues_handle
from .notifications import slack_message_send, slack_messages_requeue, slack_test_send
from .postmortems import (
    EDITABLE_FIELDS,
    postmortem_approve,
    postmortem_create,
    postmortem_dismiss,
    postmortem_flag_not_hotfix,
    postmortem_link_hotfix_pr,
    postmortem_open_for_hotfix,
    postmortem_refresh_anchor,
    postmortem_request_changes,
    postmortem_submission_reasons,
    postmortem_submit,
    postmortem_unflag_hotfix,
    postmortem_update,
    user_for_github_login,
)
from .records import merged_pr_record, repository_register
from .reminders import overdue_reminders_send
from .repositories import repository_update_settings
from .slack_digest import slack_monthly_summary_queue, slack_weekly_digest_send
from .taxonomy import category_create, category_set_active, category_update
from .teams import team_set_slack_webhook
from .writeback import (
    debt_status_schedule,
    debt_status_send,
    hotfix_reminder_comment,
    hotfix_writeback,
    reminder_comment_schedule,
    writeback_schedule,
)

__all__ = [
    "EDITABLE_FIELDS",
    "HANDLERS",
    "MergedPrOutcome",
    "action_complete",
    "action_create",
    "action_issue_evidence",
    "action_issue_sync",
    "action_issues_file_open",
    "action_issues_requeue",
    "action_reminders_send",
    "action_remove",
    "action_set_status",
    "action_update",
    "assessment_set",
    "category_create",
    "category_set_active",
    "category_update",
    "checklist_template_create",
    "checklist_template_revise",
    "checklist_version_in_force",
    "debt_status_schedule",
    "debt_status_send",
    "deliveries_requeue",
    "delivery_process",
    "delivery_reprocess",
    "hotfix_reminder_comment",
    "hotfix_writeback",
    "issues_handle",
    "merged_pr_apply",
    "merged_pr_record",
    "missing_item_add",
    "missing_item_promote",
    "missing_item_remove",
    "overdue_reminders_send",
    "postmortem_approve",
    "postmortem_create",
    "postmortem_dismiss",
    "postmortem_flag_not_hotfix",
    "postmortem_link_hotfix_pr",
    "postmortem_open_for_hotfix",
    "postmortem_refresh_anchor",
    "postmortem_refresh_gap",
    "postmortem_request_changes",
    "postmortem_submission_reasons",
    "postmortem_submit",
    "postmortem_unflag_hotfix",
    "postmortem_update",
    "reminder_comment_schedule",
    "repository_register",
    "repository_update_settings",
    "slack_message_send",
    "slack_messages_requeue",
    "slack_monthly_summary_queue",
    "slack_test_send",
    "slack_weekly_digest_send",
    "team_set_slack_webhook",
    "user_for_github_login",
    "writeback_schedule",
]
