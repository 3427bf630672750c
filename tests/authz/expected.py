"""The expected answer of every endpoint to every caller: the rule table of SPEC §8.

Keys are URL names (or the route, for unnamed patterns). Each entry lists probes: a
method, a path, a body and the answer for (anonymous, engineer of the team, engineer of
another team, lead, staff). The team's engineer owns the records; `LOGIN` is a redirect
to a sign-in page. A new URL pattern without an entry here fails the suite.
"""

from __future__ import annotations

from dataclasses import dataclass

LOGIN = "login"  # 302 to /accounts/login/ or /admin/login/
OK = "ok"  # done (302 elsewhere than a sign-in page) or shown again with the form's errors (200)

Answer = int | str


@dataclass(frozen=True)
class Probe:
    method: str
    path: str
    expect: tuple[Answer, Answer, Answer, Answer, Answer]
    body: dict | list | None = None


def _signed_in(status: int = 200) -> tuple:
    return (LOGIN, status, status, status, status)


def _lead_page(status: int = 200) -> tuple:
    return (LOGIN, 403, 403, status, status)


# The record pages: the member owns the records, the outsider cannot see them.
PAGES: dict[str, list[Probe]] = {
    "home": [Probe("get", "/", _signed_in())],
    "colours_css": [Probe("get", "/ui/colours.css", (200, 200, 200, 200, 200))],
    "postmortem_list": [Probe("get", "/postmortems/", _signed_in())],
    "postmortem_create": [
        Probe("get", "/postmortems/new/", _signed_in()),
        # Engineers open records only in their own teams' repositories.
        Probe("post", "/postmortems/new/", (LOGIN, 302, 400, 302, 302), {"title": "Matrix", "repository": "{repo}"}),
    ],
    "postmortem_detail": [Probe("get", "/postmortems/{draft}/", (LOGIN, 200, 404, 200, 200))],
    "postmortem_edit": [
        Probe("get", "/postmortems/{draft}/edit/", (LOGIN, 200, 404, 200, 200)),
        Probe("get", "/postmortems/{approved}/edit/", (LOGIN, 403, 404, 403, 403)),
    ],
    "postmortem_submit": [Probe("post", "/postmortems/{draft}/submit/", (LOGIN, 302, 404, 302, 302))],
    "postmortem_approve": [Probe("post", "/postmortems/{in_review}/approve/", (LOGIN, 403, 404, 302, 302))],
    "postmortem_request_changes": [
        Probe("post", "/postmortems/{in_review}/request-changes/", (LOGIN, 403, 404, 302, 302), {"comment": "Name it."})
    ],
    "postmortem_dismiss": [
        Probe("post", "/postmortems/{draft}/dismiss/", (LOGIN, 403, 404, 302, 302), {"reason": "Not a hotfix."})
    ],
    "postmortem_link_hotfix": [
        Probe(
            "post",
            "/postmortems/{draft}/link-hotfix/",
            (LOGIN, 302, 404, 302, 302),
            {"repository": "{repo}", "number": "{pr_number}"},
        )
    ],
    # Overriding a computed `skipped` staging answer is a lead's (SPEC §10); the outsider cannot see the PR.
    "merged_pr_staging_override": [
        Probe(
            "post",
            "/merged-prs/{skipped_pr}/staging-override/",
            (LOGIN, 403, 404, 302, 302),
            {"so{skipped_pr}-status": "verified", "so{skipped_pr}-reason": "Squash-merged to stg."},
        )
    ],
    "postmortem_set_introduced_by": [
        Probe("post", "/postmortems/{draft}/introduced-by/", (LOGIN, 302, 404, 302, 302), {"merged_pr": "{pr}"})
    ],
    "postmortem_add_timeline_note": [
        Probe(
            "post",
            "/postmortems/{draft}/timeline-notes/",
            (LOGIN, 302, 404, 302, 302),
            {"at": "2026-03-10T10:00", "text": "Paged the data team"},
        )
    ],
    "action_status": [
        Probe("get", "/actions/{action}/status/", (LOGIN, 200, 404, 200, 200)),
        Probe(
            "post",
            "/actions/{approved_action}/status/",
            (LOGIN, 302, 404, 302, 302),
            {"a{approved_action}-status": "in_progress"},
        ),
    ],
    "settings_index": [Probe("get", "/settings/", _lead_page())],
    "category_list": [
        Probe("get", "/settings/categories/", _lead_page()),
        Probe("post", "/settings/categories/", _lead_page(302), {"name": "Clock skew"}),
    ],
    "category_edit": [Probe("get", "/settings/categories/{category}/", _lead_page())],
    "category_set_active": [
        Probe("post", "/settings/categories/{category}/active/", _lead_page(302), {"active": "false"})
    ],
    "checklist_list": [Probe("get", "/settings/checklists/", _lead_page())],
    "checklist_edit": [Probe("get", "/settings/checklists/{template}/", _lead_page())],
    "missing_item_promote": [Probe("post", "/settings/missing-items/{missing}/promote/", _lead_page(302))],
    "repository_list": [Probe("get", "/settings/repositories/", _lead_page())],
    "repository_edit": [Probe("get", "/settings/repositories/{repo}/", _lead_page())],
    # Follow-through (SPEC §11): a lead files issues for open actions and sets a team's Slack webhook.
    "repository_file_issues": [Probe("post", "/settings/repositories/{repo}/file-issues/", _lead_page(302))],
    "team_list": [Probe("get", "/settings/teams/", _lead_page())],
    "team_edit": [Probe("get", "/settings/teams/forecasting/", _lead_page())],
    "team_slack_test": [Probe("post", "/settings/teams/forecasting/slack-test/", _lead_page(302))],
    # Evidence tokens are a lead's to create (the page shows the new token once) and revoke.
    "evidence_token_create": [
        Probe("post", "/settings/repositories/{repo}/evidence-tokens/", _lead_page(), {"name": "nightly job"})
    ],
    "evidence_token_revoke": [
        Probe("post", "/settings/repositories/{repo}/evidence-tokens/{evidence_token}/revoke/", _lead_page(302))
    ],
    "account_token": [Probe("get", "/account/token/", _signed_in())],
    # Reports: every signed-in user; plotly assets are public (an unknown version is 404).
    "report-monthly": [Probe("get", "/reports/monthly/", _signed_in())],
    "report-monthly-month": [Probe("get", "/reports/monthly/2026-02/", _signed_in())],
    "report-snapshots": [Probe("get", "/reports/snapshots/", _signed_in())],
    "report-snapshot": [Probe("get", "/reports/snapshots/{snapshot}/", _signed_in())],
    "report-plotly-js": [Probe("get", "/reports/assets/plotly-0000.js", (404, 404, 404, 404, 404))],
    "report-plotly-css": [Probe("get", "/reports/assets/plotly-0000.css", (404, 404, 404, 404, 404))],
    # Sign-in and the account's own pages.
    "login": [Probe("get", "/accounts/login/", (200, 200, 200, 200, 200))],
    "logout": [Probe("post", "/accounts/logout/", (LOGIN, LOGIN, LOGIN, LOGIN, LOGIN))],
    "password_change": [Probe("get", "/accounts/password_change/", _signed_in())],
    "password_change_done": [Probe("get", "/accounts/password_change/done/", _signed_in())],
    "password_reset": [Probe("get", "/accounts/password_reset/", (200, 200, 200, 200, 200))],
    "password_reset_done": [Probe("get", "/accounts/password_reset/done/", (200, 200, 200, 200, 200))],
    "password_reset_confirm": [Probe("get", "/accounts/reset/MQ/bad-token/", (200, 200, 200, 200, 200))],
    "password_reset_complete": [Probe("get", "/accounts/reset/done/", (200, 200, 200, 200, 200))],
    # Sign in with GitHub: off in tests (no OAuth client configured), so there is nothing to start.
    "github_login": [Probe("get", "/accounts/github/login/", (404, 404, 404, 404, 404))],
    "github_callback": [Probe("get", "/accounts/github/login/callback/", (404, 404, 404, 404, 404))],
    # Machines and documentation.
    "healthz": [Probe("get", "/healthz", (200, 200, 200, 200, 200))],
    "favicon.ico": [Probe("get", "/favicon.ico", (302, 302, 302, 302, 302))],
    "github-webhook": [Probe("post", "/webhooks/github/", (401, 401, 401, 401, 401), {"zen": "unsigned"})],
    "api-schema": [Probe("get", "/api/schema/", (200, 200, 200, 200, 200))],
    "api-docs": [Probe("get", "/api/docs/", (200, 200, 200, 200, 200))],
}


def _api(status: int = 200) -> tuple:
    return (401, status, status, status, status)


def _api_record(status: int = 200) -> tuple:
    """A record of the member's team: the outsider gets 404, as if it did not exist."""
    return (401, status, 404, status, status)


def _api_lead(status: int = 200) -> tuple:
    return (401, 403, 403, status, status)


API: dict[str, list[Probe]] = {
    "api:api-root": [Probe("get", "/api/v1/", _api())],
    "api:not-found": [Probe("get", "/api/v1/nowhere/", (404, 404, 404, 404, 404))],
    "api-report-monthly": [Probe("get", "/api/v1/reports/monthly/", _api())],
    "api:postmortem-list": [
        Probe("get", "/api/v1/postmortems/", _api()),
        Probe("post", "/api/v1/postmortems/", (401, 201, 400, 201, 201), {"title": "M", "repository": "acme/forecast"}),
        Probe("post", "/api/v1/postmortems/", (401, 400, 400, 201, 201), {"title": "M", "owner": "matrix-lead"}),
    ],
    "api:postmortem-detail": [
        Probe("get", "/api/v1/postmortems/{draft}/", _api_record()),
        Probe("patch", "/api/v1/postmortems/{draft}/", _api_record(), {"summary": "New words"}),
        Probe("patch", "/api/v1/postmortems/{draft}/", (401, 400, 404, 200, 200), {"team": None}),
        Probe("patch", "/api/v1/postmortems/{approved}/", (401, 403, 404, 403, 403), {"summary": "x"}),
        Probe("delete", "/api/v1/postmortems/{draft}/", (401, 405, 405, 405, 405)),
    ],
    "api:postmortem-submit": [Probe("post", "/api/v1/postmortems/{draft}/submit/", _api_record())],
    "api:postmortem-approve": [Probe("post", "/api/v1/postmortems/{in_review}/approve/", (401, 403, 404, 200, 200))],
    "api:postmortem-request-changes": [
        Probe(
            "post", "/api/v1/postmortems/{in_review}/request-changes/", (401, 403, 404, 200, 200), {"comment": "Why?"}
        )
    ],
    "api:postmortem-dismiss": [
        Probe("post", "/api/v1/postmortems/{draft}/dismiss/", (401, 403, 404, 200, 200), {"reason": "Not a hotfix."})
    ],
    "api:postmortem-checklist": [
        Probe("get", "/api/v1/postmortems/{draft}/checklist/", _api_record()),
        Probe(
            "put",
            "/api/v1/postmortems/{draft}/checklist/",
            _api_record(),
            [{"item": "{item}", "status": "followed"}],
        ),
    ],
    "api:postmortem-missing-items": [
        Probe("post", "/api/v1/postmortems/{draft}/missing-items/", _api_record(201), {"text": "Count the rows"})
    ],
    "api:postmortem-timeline": [
        Probe("get", "/api/v1/postmortems/{draft}/timeline/", _api_record()),
        Probe(
            "post",
            "/api/v1/postmortems/{draft}/timeline/",
            _api_record(201),
            {"at": "2026-03-10T10:00:00Z", "text": "Paged the data team"},
        ),
        Probe(
            "post",
            "/api/v1/postmortems/{approved}/timeline/",
            (401, 403, 404, 403, 403),
            {"at": "2026-03-10T10:00:00Z", "text": "Late"},
        ),
    ],
    "api:postmortem-hotfix-prs": [
        Probe("post", "/api/v1/postmortems/{draft}/hotfix-prs/", _api_record(), {"merged_pr": "{pr}"})
    ],
    "api:action-list": [
        Probe("get", "/api/v1/actions/", _api()),
        Probe(
            "post",
            "/api/v1/actions/",
            (401, 201, 400, 201, 201),
            {"postmortem": "{draft}", "description": "Add a contract test", "kind": "test"},
        ),
    ],
    "api:action-detail": [
        Probe("get", "/api/v1/actions/{action}/", _api_record()),
        Probe("patch", "/api/v1/actions/{action}/", _api_record(), {"description": "Sharper"}),
    ],
    "api:action-set-status": [
        Probe("post", "/api/v1/actions/{approved_action}/status/", _api_record(), {"status": "in_progress"})
    ],
    "api:category-list": [
        Probe("get", "/api/v1/categories/", _api()),
        Probe("post", "/api/v1/categories/", _api_lead(201), {"name": "Clock skew"}),
    ],
    "api:category-detail": [
        Probe("get", "/api/v1/categories/{category_slug}/", _api()),
        Probe("patch", "/api/v1/categories/{category_slug}/", _api_lead(), {"name": "Renamed"}),
    ],
    "api:checklist-template-list": [Probe("get", "/api/v1/checklist-templates/", _api())],
    "api:checklist-template-detail": [Probe("get", "/api/v1/checklist-templates/{template}/", _api())],
    "api:checklist-template-versions": [
        Probe("post", "/api/v1/checklist-templates/{template}/versions/", _api_lead(201), {"items": ["Diff it"]})
    ],
    "api:repository-list": [Probe("get", "/api/v1/repositories/", _api())],
    "api:repository-detail": [
        Probe("get", "/api/v1/repositories/{repo}/", _api()),
        Probe("patch", "/api/v1/repositories/{repo}/", _api_lead(), {"postmortem_due_days": 7}),
    ],
    "api:team-list": [Probe("get", "/api/v1/teams/", _api())],
    "api:team-detail": [
        Probe("get", "/api/v1/teams/forecasting/", _api()),
        # Only leads set a team's Slack webhook (write-only; empty removes it).
        Probe("patch", "/api/v1/teams/forecasting/", _api_lead(), {"slack_webhook_url": ""}),
    ],
    # Merged PRs follow visibility: the member's team's PRs are not the outsider's to see.
    "api:merged-pr-list": [Probe("get", "/api/v1/merged-prs/", _api())],
    "api:merged-pr-detail": [Probe("get", "/api/v1/merged-prs/{pr}/", _api_record())],
    "api:merged-pr-staging-override": [
        Probe(
            "post",
            "/api/v1/merged-prs/{skipped_pr}/staging-override/",
            (401, 403, 404, 200, 200),
            {"status": "verified", "reason": "Squash-merged to stg."},
        )
    ],
    # Evidence from a person who may see the repository (pipelines use a repository token, SPEC §10).
    "api:evidence-list": [
        Probe(
            "post",
            "/api/v1/evidence/",
            (401, 201, 403, 201, 201),
            {
                "repository": "acme/forecast",
                "sha": "a" * 40,
                "kind": "check",
                "name": "downstream-e2e",
                "status": "success",
                "external_id": "matrix-1",
            },
        )
    ],
    "api:webhook-delivery-list": [Probe("get", "/api/v1/webhook-deliveries/", _api_lead())],
    "api:webhook-delivery-detail": [Probe("get", "/api/v1/webhook-deliveries/{delivery}/", _api_lead())],
}
