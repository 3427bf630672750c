"""Values from a payload that end up in a GitHub API path (SPEC §8): a sha is 40 hex
characters and a repository `owner/name` follows GitHub's rules, or no request is made.

A signed delivery once carried `merge_commit_sha: "../../../../user/keys#"`, and the
commit-status call became `POST /user/keys` with our token.
"""

from __future__ import annotations

import pytest

from postmortems.choices import DeliveryStatus, WritebackState
from postmortems.github.client import GitHubClient, GitHubPermanentError
from postmortems.github.events import parse_pull_request
from postmortems.models import HotfixPullRequest, MergedPullRequest, Repository, WebhookDelivery
from tests.github.conftest import hotfix_payload, merged_payload

pytestmark = pytest.mark.django_db

HOSTILE_SHAS = ["../../../../user/keys#", "../../../user/keys", "abc%2F..%2F..", "0" * 39 + "/", "HEAD"]
HOSTILE_NAMES = ["../..", "Codertocat/..", "../user", "Codertocat/Hello-World/../../../user", "user/keys#"]


def _outside_the_repository(fake) -> list[str]:
    return [f"{r.method} {r.path}" for r in fake.requests if not r.path.startswith("/repos/Codertocat/Hello-World/")]


@pytest.mark.parametrize("sha", HOSTILE_SHAS)
def test_a_hostile_merge_sha_is_dropped_and_never_sent(deliver, fake_github, sha):
    response = deliver(hotfix_payload(merge_commit_sha=sha))
    assert response.status_code == 202
    assert WebhookDelivery.objects.get().status == DeliveryStatus.PROCESSED
    assert MergedPullRequest.objects.get().merge_commit_sha == ""
    hotfix = HotfixPullRequest.objects.get()
    # The comment (a valid path) is posted; the status has no commit to go on, and says so.
    assert hotfix.comment_state == WritebackState.DONE
    assert hotfix.commit_status_state == WritebackState.FAILED
    assert "no merge commit" in hotfix.writeback_error
    assert fake_github.calls("POST", r"/repos/Codertocat/Hello-World/issues/\d+/comments")
    assert not fake_github.calls("POST", r".*/statuses/.*")
    assert _outside_the_repository(fake_github) == []


@pytest.mark.parametrize("sha", HOSTILE_SHAS)
def test_the_client_refuses_a_hostile_sha_without_any_request(fake_github, sha):
    client = GitHubClient()
    with pytest.raises(GitHubPermanentError, match="nothing was sent"):
        client.create_status(
            "Codertocat/Hello-World", sha, state="pending", context="postmortem", target_url="", description="x"
        )
    assert fake_github.requests == []


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_the_client_refuses_a_hostile_repository_name_without_any_request(fake_github, name):
    client = GitHubClient()
    calls = [
        lambda: client.create_comment(name, 1, "body"),
        lambda: client.create_status(name, "a" * 40, state="pending", context="c", target_url="", description="x"),
        lambda: client.repository(name),
        lambda: client.closed_pulls_page(name, base="main", page=0),
        lambda: client.hook_deliveries(name, 1),
        lambda: client.redeliver(name, 1, 2),
    ]
    for call in calls:
        with pytest.raises(GitHubPermanentError, match="nothing was sent"):
            call()
    assert fake_github.requests == []


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_delivery_for_a_hostile_repository_name_fails_with_a_reason(deliver, fake_github, name):
    payload = hotfix_payload()
    payload["repository"]["full_name"] = name
    assert deliver(payload).status_code == 202
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == "Bad payload: `repository.full_name` is not a GitHub `owner/name`."
    assert not Repository.objects.exists()
    assert fake_github.requests == []


def test_a_hostile_head_sha_is_dropped():
    payload = merged_payload()
    payload["pull_request"]["head"]["sha"] = "../../../../user/keys#"
    assert parse_pull_request(payload).head_sha == ""
    payload["pull_request"]["head"]["sha"] = "a" * 40
    assert parse_pull_request(payload).head_sha == "a" * 40
