"""Every write of the domain. Import from `postmortems.services`."""

from .action_issues import action_issue_sync, action_issues_file_open, action_issues_requeue
from .action_reminders import action_reminders_send
from .actions import action_complete, action_create, action_remove, action_set_status, action_update
from .checklist_evidence import checklist_evidence_apply, checklist_evidence_refresh
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
    deliveries_process,
    deliveries_requeue,
    delivery_process,
    delivery_reprocess,
    merged_pr_apply,
    verification_sweep,
)
from .editor import ActionChange, AssessmentChange, EditorReasons, postmortem_editor_save
from .evidence import evidence_record, evidence_submit, staging_verification_recompute
from .evidence_tokens import evidence_token_authenticate, evidence_token_create, evidence_token_revoke
from .installations import installation_apply, installation_set_state
from .issue_events import action_issue_evidence, issues_handle
from .notifications import slack_message_send, slack_messages_requeue, slack_test_send
from .postmortems import (
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
from .reminders import newly_overdue_debt_refresh, overdue_reminders_send
from .repositories import repository_event_apply, repository_resolve, repository_update_settings
from .slack_digest import slack_monthly_summary_queue, slack_weekly_digest_send
from .taxonomy import category_create, category_set_active, category_update
from .teams import team_set_slack_webhook
from .timeline_notes import timeline_note_add
from .users import github_sign_in_user, postmortems_assign_to_author, user_create_from_github
from .verification import merged_pr_staging_override
from .writeback import (
    debt_refresh_schedule,
    debt_status_schedule,
    debt_status_send,
    debt_statuses_refresh,
    hotfix_reminder_comment,
    hotfix_writeback,
    reminder_comment_schedule,
    writeback_schedule,
)

__all__ = [
    "HANDLERS",
    "ActionChange",
    "AssessmentChange",
    "EditorReasons",
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
    "checklist_evidence_apply",
    "checklist_evidence_refresh",
    "checklist_template_create",
    "checklist_template_revise",
    "checklist_version_in_force",
    "debt_refresh_schedule",
    "debt_status_schedule",
    "debt_status_send",
    "debt_statuses_refresh",
    "deliveries_process",
    "deliveries_requeue",
    "delivery_process",
    "delivery_reprocess",
    "evidence_record",
    "evidence_submit",
    "evidence_token_authenticate",
    "evidence_token_create",
    "evidence_token_revoke",
    "github_sign_in_user",
    "hotfix_reminder_comment",
    "hotfix_writeback",
    "installation_apply",
    "installation_set_state",
    "issues_handle",
    "merged_pr_apply",
    "merged_pr_record",
    "merged_pr_staging_override",
    "missing_item_add",
    "missing_item_promote",
    "missing_item_remove",
    "newly_overdue_debt_refresh",
    "overdue_reminders_send",
    "postmortem_approve",
    "postmortem_create",
    "postmortem_dismiss",
    "postmortem_editor_save",
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
    "postmortems_assign_to_author",
    "reminder_comment_schedule",
    "repository_event_apply",
    "repository_register",
    "repository_resolve",
    "repository_update_settings",
    "slack_message_send",
    "slack_messages_requeue",
    "slack_monthly_summary_queue",
    "slack_test_send",
    "slack_weekly_digest_send",
    "staging_verification_recompute",
    "team_set_slack_webhook",
    "timeline_note_add",
    "user_create_from_github",
    "user_for_github_login",
    "verification_sweep",
    "writeback_schedule",
]
