"""Every endpoint and transition × every kind of caller, in one table.

Callers: anonymous, the record's owner (an engineer), another engineer of the same
team, a lead, and a staff user. Scripts sign in with a token; the token page is a
web page and uses the session.
"""

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.utils import timezone

from postmortems import services
from postmortems.models import ChecklistTemplate, WebhookDelivery
from tests.factories import (
    FailureCategoryFactory,
    LeadFactory,
    MergedPullRequestFactory,
    PostmortemFactory,
    RepositoryFactory,
    TeamFactory,
    ready_to_submit,
)

from .conftest import client_for

ROLES = ("anon", "owner", "other", "lead", "staff")


@dataclass(frozen=True)
class Row:
    method: str
    url: str
    body: dict | list | None
    expected: tuple[int, int, int, int, int]  # anon, owner, other engineer, lead, staff


ASSESS = [{"item": "{item}", "status": "skipped", "would_have_caught": True}]

MATRIX: dict[str, Row] = {
    # postmortems
    "list postmortems": Row("get", "/api/v1/postmortems/", None, (401, 200, 200, 200, 200)),
    "read a team draft": Row("get", "/api/v1/postmortems/{draft}/", None, (401, 200, 200, 200, 200)),
    "read another team's record": Row("get", "/api/v1/postmortems/{hidden}/", None, (401, 404, 404, 200, 200)),
    "open a draft": Row("post", "/api/v1/postmortems/", {"title": "Nightly export failed"}, (401, 201, 201, 201, 201)),
    "edit a draft": Row("patch", "/api/v1/postmortems/{draft}/", {"summary": "New words"}, (401, 200, 403, 200, 200)),
    "replace a draft": Row("put", "/api/v1/postmortems/{draft}/", {"title": "Renamed"}, (401, 200, 403, 200, 200)),
    "edit a record in review": Row(
        "patch", "/api/v1/postmortems/{in_review}/", {"summary": "x"}, (401, 403, 403, 403, 403)
    ),
    "edit an approved record": Row(
        "patch", "/api/v1/postmortems/{approved}/", {"summary": "x"}, (401, 403, 403, 403, 403)
    ),
    "edit another team's record": Row(
        "patch", "/api/v1/postmortems/{hidden}/", {"summary": "x"}, (401, 404, 404, 200, 200)
    ),
    "delete a record": Row("delete", "/api/v1/postmortems/{draft}/", None, (401, 405, 405, 405, 405)),
    # transitions
    "submit": Row("post", "/api/v1/postmortems/{draft}/submit/", None, (401, 200, 403, 200, 200)),
    "submit a record in review": Row(
        "post", "/api/v1/postmortems/{in_review}/submit/", None, (401, 400, 400, 400, 400)
    ),
    "approve": Row("post", "/api/v1/postmortems/{in_review}/approve/", None, (401, 403, 403, 200, 200)),
    "approve a draft": Row("post", "/api/v1/postmortems/{draft}/approve/", None, (401, 400, 400, 400, 400)),
    "approve another team's record": Row(
        "post", "/api/v1/postmortems/{hidden}/approve/", None, (401, 404, 404, 400, 400)
    ),
    "request changes": Row(
        "post",
        "/api/v1/postmortems/{in_review}/request-changes/",
        {"comment": "Name the column."},
        (401, 403, 403, 200, 200),
    ),
    "dismiss": Row(
        "post", "/api/v1/postmortems/{draft}/dismiss/", {"reason": "Not a hotfix."}, (401, 403, 403, 200, 200)
    ),
    # nested parts of a record
    "read the checklist": Row("get", "/api/v1/postmortems/{draft}/checklist/", None, (401, 200, 200, 200, 200)),
    "assess the checklist": Row("put", "/api/v1/postmortems/{draft}/checklist/", ASSESS, (401, 200, 403, 200, 200)),
    "assess an approved record": Row(
        "put", "/api/v1/postmortems/{approved}/checklist/", ASSESS, (401, 403, 403, 403, 403)
    ),
    "add a missing item": Row(
        "post",
        "/api/v1/postmortems/{draft}/missing-items/",
        {"text": "Compare row counts with yesterday"},
        (401, 201, 403, 201, 201),
    ),
    "link a hotfix PR": Row(
        "post", "/api/v1/postmortems/{draft}/hotfix-prs/", {"merged_pr": "{pr}"}, (401, 200, 403, 200, 200)
    ),
    # actions
    "list actions": Row("get", "/api/v1/actions/", None, (401, 200, 200, 200, 200)),
    "read an action": Row("get", "/api/v1/actions/{action}/", None, (401, 200, 200, 200, 200)),
    "read another team's action": Row("get", "/api/v1/actions/{hidden_action}/", None, (401, 404, 404, 200, 200)),
    "add an action": Row(
        "post",
        "/api/v1/actions/",
        {"postmortem": "{draft}", "description": "Add a contract test", "kind": "test"},
        (401, 201, 403, 201, 201),
    ),
    "edit an action": Row("patch", "/api/v1/actions/{action}/", {"description": "Sharper"}, (401, 200, 403, 200, 200)),
    "edit an approved record's action": Row(
        "patch", "/api/v1/actions/{approved_action}/", {"description": "x"}, (401, 403, 403, 403, 403)
    ),
    "start an action": Row(
        "post", "/api/v1/actions/{action}/status/", {"status": "in_progress"}, (401, 200, 403, 200, 200)
    ),
    "finish an approved record's action": Row(
        "post",
        "/api/v1/actions/{approved_action}/status/",
        {"status": "done", "evidence_url": "https://github.com/acme/app/pull/9"},
        (401, 200, 403, 200, 200),
    ),
    "delete an action": Row("delete", "/api/v1/actions/{action}/", None, (401, 405, 405, 405, 405)),
    # settings and reference data
    "list categories": Row("get", "/api/v1/categories/", None, (401, 200, 200, 200, 200)),
    "add a category": Row("post", "/api/v1/categories/", {"name": "Clock skew"}, (401, 403, 403, 201, 201)),
    "rename a category": Row("patch", "/api/v1/categories/{category}/", {"name": "Renamed"}, (401, 403, 403, 200, 200)),
    "list checklist templates": Row("get", "/api/v1/checklist-templates/", None, (401, 200, 200, 200, 200)),
    "revise a checklist": Row(
        "post",
        "/api/v1/checklist-templates/{template}/versions/",
        {"items": ["Run downstream jobs in staging", "Compare row counts"]},
        (401, 403, 403, 201, 201),
    ),
    "list repositories": Row("get", "/api/v1/repositories/", None, (401, 200, 200, 200, 200)),
    "change repository settings": Row(
        "patch", "/api/v1/repositories/{repo}/", {"postmortem_due_days": 7}, (401, 403, 403, 200, 200)
    ),
    "list teams": Row("get", "/api/v1/teams/", None, (401, 200, 200, 200, 200)),
    "list merged PRs": Row("get", "/api/v1/merged-prs/", None, (401, 200, 200, 200, 200)),
    "post evidence": Row(
        "post",
        "/api/v1/evidence/",
        {
            "repository": "acme/forecast",
            "sha": "0123456789abcdef0123456789abcdef01234567",
            "kind": "check",
            "name": "downstream-e2e",
            "status": "success",
            "external_id": "run-1",
        },
        (401, 201, 201, 201, 201),
    ),
    "post evidence for another team's repository": Row(
        "post",
        "/api/v1/evidence/",
        {
            "repository": "acme/billing",
            "sha": "0123456789abcdef0123456789abcdef01234567",
            "kind": "check",
            "name": "downstream-e2e",
            "status": "success",
            "external_id": "run-1",
        },
        (401, 403, 403, 201, 201),
    ),
    "list webhook deliveries": Row("get", "/api/v1/webhook-deliveries/", None, (401, 403, 403, 200, 200)),
    "read a webhook delivery": Row("get", "/api/v1/webhook-deliveries/{delivery}/", None, (401, 403, 403, 200, 200)),
    # documentation, health and the token page
    "OpenAPI schema": Row("get", "/api/schema/", None, (200, 200, 200, 200, 200)),
    "API docs": Row("get", "/api/docs/", None, (200, 200, 200, 200, 200)),
    "health": Row("get", "/healthz", None, (200, 200, 200, 200, 200)),
    "token page": Row("get", "/account/token/", None, (302, 200, 200, 200, 200)),
}


@pytest.fixture
def world(engineer, other_engineer, lead, staff, settings):
    """A team both engineers belong to, its records in each state, and another team's record."""
    settings.REDIS_URL = ""  # healthz reports the in-process broker; Redis has its own tests
    team = TeamFactory(slug="forecasting")
    team.members.add(engineer, other_engineer)
    repo = RepositoryFactory(full_name="acme/forecast", team=team)
    draft = ready_to_submit(owner=engineer, repository=repo)
    in_review = services.postmortem_submit(postmortem=ready_to_submit(owner=engineer, repository=repo), actor=engineer)
    approved = services.postmortem_submit(postmortem=ready_to_submit(owner=engineer, repository=repo), actor=engineer)
    approved = services.postmortem_approve(postmortem=approved, actor=LeadFactory(username="approver"))
    hidden = ready_to_submit(repository=RepositoryFactory(full_name="acme/billing", team=TeamFactory(slug="billing")))
    PostmortemFactory(repository=repo, owner=engineer)  # a second draft so lists have rows
    pr = MergedPullRequestFactory(repository=repo, is_hotfix=True)
    delivery = WebhookDelivery.objects.create(
        delivery_id="d-1", event="pull_request", action="closed", payload={"number": 1}, received_at=timezone.now()
    )
    return {
        "draft": draft.pk,
        "in_review": in_review.pk,
        "approved": approved.pk,
        "hidden": hidden.pk,
        "item": draft.checklist_version.items.first().pk,
        "action": draft.actions.get().pk,
        "approved_action": approved.actions.get().pk,
        "hidden_action": hidden.actions.get().pk,
        "pr": pr.pk,
        "category": FailureCategoryFactory(slug="clock-drift").slug,
        "template": ChecklistTemplate.objects.get(is_default=True).pk,
        "repo": repo.pk,
        "delivery": delivery.pk,
        "users": {"anon": None, "owner": engineer, "other": other_engineer, "lead": lead, "staff": staff},
    }


def _fill(value, ids):
    if isinstance(value, str):
        filled = value.format(**ids)
        return int(filled) if value.startswith("{") and filled.isdigit() else filled
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def _call(world, row: Row, role: str):
    user = world["users"][role]
    url = row.url.format(**world)
    if url.startswith("/account/"):
        client = Client()
        if user:
            client.force_login(user)
        return getattr(client, row.method)(url)
    client = client_for(user)
    kwargs = {} if row.body is None else {"data": _fill(row.body, world), "format": "json"}
    return getattr(client, row.method)(url, **kwargs)


def test_permission_matrix(world):
    """Each cell runs in a savepoint that is rolled back, so every caller meets the same records."""
    mismatches = []
    for name, row in MATRIX.items():
        for role, expected in zip(ROLES, row.expected, strict=True):
            cache.clear()  # throttle counters
            with transaction.atomic():
                response = _call(world, row, role)
                transaction.set_rollback(True)
            if response.status_code != expected:
                mismatches.append((name, role, expected, response.status_code, response.content[:300]))
            elif role == "anon" and expected == 401:
                assert response["WWW-Authenticate"] == "Token", name
    assert mismatches == []
