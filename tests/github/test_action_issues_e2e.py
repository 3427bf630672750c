"""End to end on PostgreSQL with a real Celery worker (SPEC §11): an action is filed as an issue on
the local GitHub; an `issues` closed-as-completed delivery brings it back done with the PR that
closed it as evidence — or, without one, still open with the note."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
import requests
from django.utils.dateparse import parse_datetime

from postmortems import services
from postmortems.choices import ActionKind, ActionStatus
from postmortems.github.webhooks import signature_for
from postmortems.models import ActionIssue, PreventionAction
from postmortems.services.issue_events import NO_EVIDENCE_NOTE
from tests.factories import EngineerFactory, PostmortemFactory, RepositoryFactory, TeamFactory
from tests.github.fake_github import FakeGitHub
from tests.github.issues import issues_payload
from tests.support.e2e_worker import celery_worker, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

REPO = "acme/forecast"


@pytest.fixture
def github(settings):
    server = FakeGitHub().start()
    server.issues = server.serve_issues()
    settings.GITHUB_API_URL, settings.GITHUB_TOKEN = server.base_url, "test-token"
    settings.SITE_URL = "https://pm.example.com"
    yield server
    server.stop()


@pytest.fixture
def worker(postgres_required, redis_url, settings, tmp_path, github):
    """A real worker on the test database and Redis, pointed at the local GitHub."""
    env = {"GITHUB_TOKEN": "test-token", "GITHUB_API_URL": github.base_url, "SITE_URL": settings.SITE_URL}
    with celery_worker(settings, redis_url, tmp_path / "worker.log", **env) as proc:
        yield proc


def post_delivery(live_server, settings, payload) -> None:
    body = json.dumps(payload).encode()
    response = requests.post(
        f"{live_server.url}/webhooks/github/",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-GitHub-Event": "issues",
            "X-GitHub-Delivery": str(uuid.uuid4()),
            "X-Hub-Signature-256": signature_for(body, settings.GITHUB_WEBHOOK_SECRET),
        },
        timeout=30,
    )
    assert response.status_code == 202, response.text


def filed_action(github, worker, kind: str) -> tuple[PreventionAction, dict]:
    team = TeamFactory(slug="forecasting")
    owner = EngineerFactory(username=f"owner-{kind}", github_login=f"owner-{kind}-gh")
    team.members.add(owner)
    repository = RepositoryFactory(full_name=REPO, team=team, action_issues=True)
    record = PostmortemFactory(repository=repository, team=team, owner=owner)
    action = services.action_create(
        postmortem=record, actor=None, description=f"Prevent it ({kind})", kind=kind, owner=owner
    )
    row = wait_for(lambda: ActionIssue.objects.filter(action=action, number__isnull=False).first())
    assert row is not None, worker.log_path.read_text()
    return action, github.issues.issues[(REPO, row.number)]


def closed_payload(issue: dict) -> dict:
    """Closed as completed, a minute after the issue as we know it: newer, so it is applied."""
    later = parse_datetime(issue["updated_at"]) + timedelta(minutes=1)
    return issues_payload(
        "closed",
        repository=REPO,
        number=issue["number"],
        issue_id=issue["id"],
        updated_at=later.strftime("%Y-%m-%dT%H:%M:%SZ"),
        state_reason="completed",
    )


def test_a_closed_issue_with_its_pull_request_makes_the_action_done(live_server, settings, github, worker):
    action, issue = filed_action(github, worker, ActionKind.TEST)
    posted = github.calls("POST", rf"/repos/{REPO}/issues")
    assert len(posted) == 1 and posted[0].json["labels"] == ["postmortem-action", "test"]
    assert posted[0].json["assignees"] == ["owner-test-gh"]
    pr_url = github.issues.close_by_pull_request(REPO, issue["number"], pull_number=88)
    post_delivery(live_server, settings, closed_payload(issue))
    done = wait_for(lambda: PreventionAction.objects.filter(pk=action.pk, status=ActionStatus.DONE).first())
    assert done is not None, worker.log_path.read_text()
    assert done.evidence_url == pr_url
    assert worker.poll() is None


def test_a_closed_issue_without_a_linked_change_leaves_the_action_open_with_the_note(
    live_server, settings, github, worker
):
    action, issue = filed_action(github, worker, ActionKind.MONITORING)
    post_delivery(live_server, settings, closed_payload(issue))
    noted = wait_for(lambda: ActionIssue.objects.filter(action=action, note=NO_EVIDENCE_NOTE).first())
    assert noted is not None, worker.log_path.read_text()
    assert PreventionAction.objects.get(pk=action.pk).status == ActionStatus.OPEN
    assert len(github.calls("GET", rf"/repos/{REPO}/issues/{issue['number']}/timeline")) == 1
