"""The `staging-verified` commit status on open PRs into production branches (SPEC §10), against a local GitHub."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
from django.utils import timezone

from postmortems import services
from postmortems.models import Evidence, OpenPullRequest
from postmortems.services.staging_status import STAGING_CONTEXT
from tests.factories import RepositoryFactory
from tests.github.conftest import load_payload
from tests.github.fake_github import Reply

pytestmark = pytest.mark.django_db

OPENED = load_payload("pull_request.opened.json")
HEAD = OPENED["pull_request"]["head"]["sha"]
STATUSES = rf"/repos/Codertocat/Hello-World/statuses/{HEAD}"


@pytest.fixture
def repository():
    return RepositoryFactory(
        full_name="Codertocat/Hello-World", default_branch="master", staging_status=True, staging_checks=["e2e"]
    )


def staging_statuses(fake_github) -> list[tuple[str, str]]:
    return [
        (call.json["state"], call.json["description"])
        for call in fake_github.calls("POST", STATUSES)
        if call.json["context"] == STAGING_CONTEXT
    ]


def post_fact(repository, key: str, minutes_ago: int, django_capture_on_commit_callbacks, **fields) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_submit(
            repository=repository,
            external_id=key,
            sha=HEAD,
            status="success",
            occurred_at=timezone.now() - timedelta(minutes=minutes_ago),
            **fields,
        )


def test_pending_when_opened_then_success_once_staging_and_its_checks_pass(
    deliver, fake_github, repository, django_capture_on_commit_callbacks
):
    deliver(OPENED)
    assert OpenPullRequest.objects.get().head_sha == HEAD
    assert staging_statuses(fake_github) == [("pending", f"{HEAD[:7]} not deployed to staging yet")]
    post_fact(repository, "stg", 10, django_capture_on_commit_callbacks, kind="deployment", environment="staging")
    assert staging_statuses(fake_github)[-1] == ("pending", "waiting for e2e in staging")
    post_fact(repository, "e2e", 5, django_capture_on_commit_callbacks, kind="check", name="e2e")
    state, description = staging_statuses(fake_github)[-1]
    assert (state, description.startswith("Verified in staging")) == ("success", True)


def test_a_check_before_the_staging_deployment_does_not_count(
    deliver, fake_github, repository, django_capture_on_commit_callbacks
):
    deliver(OPENED)
    post_fact(repository, "e2e", 20, django_capture_on_commit_callbacks, kind="check", name="e2e")
    post_fact(repository, "stg", 10, django_capture_on_commit_callbacks, kind="deployment", environment="staging")
    assert staging_statuses(fake_github)[-1][0] == "pending"


def test_no_status_unless_the_repository_asks_or_for_a_pr_into_another_branch(deliver, fake_github, repository):
    other_base = copy.deepcopy(OPENED)
    other_base["pull_request"]["base"]["ref"] = "feature-x"
    deliver(other_base)
    repository.staging_status = False
    repository.save()
    deliver(OPENED)
    assert staging_statuses(fake_github) == []
    assert not OpenPullRequest.objects.exists()


def test_a_closed_pr_is_forgotten(deliver, fake_github, repository):
    deliver(OPENED)
    closed = copy.deepcopy(OPENED)
    closed["action"] = "closed"
    closed["pull_request"]["state"] = "closed"
    deliver(closed)
    assert not OpenPullRequest.objects.exists()


def test_a_github_outage_is_retried_like_the_postmortem_status(deliver, fake_github, repository, monkeypatch):
    delays = []
    monkeypatch.setattr("postmortems.tasks.retry_delay", lambda retries, hint: delays.append(hint) or 0)
    fake_github.route(
        "POST",
        STATUSES,
        Reply(502, {"message": "bad gateway"}),
        Reply(201, fake_github.fixture("repos.create-commit-status.201.json")),
    )
    deliver(OPENED)
    assert len(fake_github.calls("POST", STATUSES)) == 2
    assert delays == [0.0]


def test_a_check_on_what_a_staging_branch_push_deployed_verifies_the_heads_it_brought(
    deliver, fake_github, repository, django_capture_on_commit_callbacks
):
    after = "f" * 40
    deliver(OPENED)
    Evidence.objects.create(
        repository=repository,
        kind="deployment",
        sha=HEAD,
        environment="stg",
        stage="staging",
        status="success",
        occurred_at=timezone.now() - timedelta(minutes=10),
        source="github",
        source_key=f"push:{after}:{HEAD}",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_submit(
            repository=repository,
            external_id="e2e-after",
            sha=after,
            kind="check",
            name="e2e",
            status="success",
            occurred_at=timezone.now(),
        )
    assert staging_statuses(fake_github)[-1][0] == "success"
