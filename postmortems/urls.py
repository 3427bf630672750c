"""Routes of the web app, the monthly report's pages included (the API has its own)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.inbox, name="home"),
    path("ui/colours.css", views.colours_css, name="colours_css"),
    path("postmortems/", views.postmortem_list, name="postmortem_list"),
    path("postmortems/new/", views.postmortem_create, name="postmortem_create"),
    path("postmortems/<int:pk>/", views.postmortem_detail, name="postmortem_detail"),
    path("postmortems/<int:pk>/edit/", views.postmortem_edit, name="postmortem_edit"),
    path("postmortems/<int:pk>/submit/", views.postmortem_submit, name="postmortem_submit"),
    path("postmortems/<int:pk>/approve/", views.postmortem_approve, name="postmortem_approve"),
    path("postmortems/<int:pk>/request-changes/", views.postmortem_request_changes, name="postmortem_request_changes"),
    path("postmortems/<int:pk>/dismiss/", views.postmortem_dismiss, name="postmortem_dismiss"),
    path("postmortems/<int:pk>/link-hotfix/", views.postmortem_link_hotfix, name="postmortem_link_hotfix"),
    path("merged-prs/<int:pk>/staging-override/", views.merged_pr_staging_override, name="merged_pr_staging_override"),
    path(
        "postmortems/<int:pk>/introduced-by/", views.postmortem_set_introduced_by, name="postmortem_set_introduced_by"
    ),
    path(
        "postmortems/<int:pk>/timeline-notes/", views.postmortem_add_timeline_note, name="postmortem_add_timeline_note"
    ),
    path("actions/<int:pk>/status/", views.action_status, name="action_status"),
    path("settings/", views.settings_index, name="settings_index"),
    path("settings/categories/", views.category_list, name="category_list"),
    path("settings/categories/<int:pk>/", views.category_edit, name="category_edit"),
    path("settings/categories/<int:pk>/active/", views.category_set_active, name="category_set_active"),
    path("settings/checklists/", views.checklist_list, name="checklist_list"),
    path("settings/checklists/<int:pk>/", views.checklist_edit, name="checklist_edit"),
    path("settings/missing-items/<int:pk>/promote/", views.missing_item_promote, name="missing_item_promote"),
    path("settings/repositories/", views.repository_list, name="repository_list"),
    path("settings/repositories/<int:pk>/", views.repository_edit, name="repository_edit"),
    path("reports/monthly/", views.monthly_report, name="report-monthly"),
    path("reports/monthly/<str:month>/", views.monthly_report, name="report-monthly-month"),
    path("reports/snapshots/", views.snapshot_list, name="report-snapshots"),
    path("reports/snapshots/<int:pk>/", views.snapshot_detail, name="report-snapshot"),
    path("reports/assets/plotly-<str:digest>.js", views.plotly_js, name="report-plotly-js"),
    path("reports/assets/plotly-<str:digest>.css", views.plotly_css, name="report-plotly-css"),
    path("settings/repositories/<int:pk>/evidence-tokens/", views.evidence_token_create, name="evidence_token_create"),
    path(
        "settings/repositories/<int:pk>/evidence-tokens/<int:token_pk>/revoke/",
        views.evidence_token_revoke,
        name="evidence_token_revoke",
    ),
    path("settings/repositories/<int:pk>/file-issues/", views.repository_file_issues, name="repository_file_issues"),
    path("settings/teams/", views.team_list, name="team_list"),
    path("settings/teams/<slug:slug>/", views.team_edit, name="team_edit"),
    path("settings/teams/<slug:slug>/slack-test/", views.team_slack_test, name="team_slack_test"),
]
