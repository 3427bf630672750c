"""Write-back through PyGithub, pointed at a local GitHub that serves the recorded REST examples."""

from __future__ import annotations

import time

import pytest

from postmortems import services
from postmortems.choices import PostmortemStatus, WritebackState
from postmortems.github.client import GitHubClient, GitHubPermanentError, GitHubRateLimited, GitHubTransientError
from postmortems.models import HotfixPullRequest, Postmortem
from postmortems.services.writeback import retry_delay
from postmortems.tasks import GITHUB_WRITEBACK_MAX_RETRIES
from tests.factories import LeadFactory, RepositoryFactory
from tests.github.conftest import MERGE_SHA, hotfix_payload, load_payload
from tests.github.fake_github import Reply

pytestmark = pytest.mark.django_db

COMMENTS = r"/repos/Codertocat/Hello-World/issues/2/comments"
STATUSES = rf"/repos/Codertocat/Hello-World/statuses/{MERGE_SHA}"


def open_hotfix(deliver) -> HotfixPullRequest:
    assert deliver(hotfix_payload()).status_code == 202
    return HotfixPullRequest.objects.select_related("postmortem").get()


def test_opening_a_hotfix_comments_once_and_sets_pending(deliver, fake_github):
    hotfix = open_hotfix(deliver)
    postmortem = hotfix.postmortem
    url = f"https://pm.example.com/postmortems/{postmortem.pk}/"

    (comment,) = fake_github.calls("POST", COMMENTS)
    assert comment.headers["authorization"] == "token test-token"
    assert url in comment.json["body"]
    assert f"due **{postmortem.due_at:%Y-%m-%d}" in comment.json["body"]
    (status,) = fake_github.calls("POST", STATUSES)
    assert status.json == {
        "state": "pending",
        "target_url": url,
        "description": f"Postmortem #{postmortem.pk} open, due {postmortem.due_at:%Y-%m-%d}",
        "context": "postmortem",
    }
    assert (hotfix.comment_id, hotfix.comment_state) == (1, WritebackState.DONE)  # id from the REST example
    assert (hotfix.commit_status, hotfix.commit_status_state) == ("pending", WritebackState.DONE)
    assert hotfix.writeback_error == ""

    # Running the write-back again (a redelivery, a retry) never posts a second comment.
    services.hotfix_writeback(hotfix_pk=hotfix.pk)
    assert deliver(hotfix_payload()).status_code == 202
    assert len(fake_github.calls("POST", COMMENTS)) == 1
    assert len(fake_github.calls("POST", STATUSES)) == 1


def test_approval_sets_success_and_dismissal_clears_pending(deliver, fake_github, django_capture_on_commit_callbacks):
    hotfix = open_hotfix(deliver)
    postmortem = hotfix.postmortem
    Postmortem.objects.filter(pk=postmortem.pk).update(status=PostmortemStatus.IN_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        services.postmortem_approve(postmortem=postmortem, actor=LeadFactory(username="approver"))
    last = fake_github.calls("POST", STATUSES)[-1].json
    assert (last["state"], last["context"]) == ("success", "postmortem")
    assert last["target_url"] == f"https://pm.example.com/postmortems/{postmortem.pk}/"
    hotfix.refresh_from_db()
    assert hotfix.commit_status == "success"
    assert len(fake_github.calls("POST", COMMENTS)) == 1


def test_dismissal_sets_success_with_reason(deliver, fake_github, django_capture_on_commit_callbacks):
    hotfix = open_hotfix(deliver)
    with django_capture_on_commit_callbacks(execute=True):
        services.postmortem_dismiss(postmortem=hotfix.postmortem, actor=LeadFactory(username="dl"), reason="Docs only.")
    last = fake_github.calls("POST", STATUSES)[-1].json
    assert last["state"] == "success"
    assert "dismissed" in last["description"]


def test_no_token_or_repository_opt_out_means_no_calls(deliver, fake_github, settings):
    RepositoryFactory(full_name="Codertocat/Hello-World", default_branch="master", writeback_enabled=False)
    hotfix = open_hotfix(deliver)
    assert fake_github.requests == []
    assert (hotfix.comment_state, hotfix.commit_status_state) == (WritebackState.DISABLED, WritebackState.DISABLED)


def test_server_errors_are_retried_a_bounded_number_of_times_then_shown(deliver, fake_github):
    fake_github.route("POST", COMMENTS, Reply(500, {"message": "Server Error"}))
    fake_github.route("POST", STATUSES, Reply(502, {"message": "Bad Gateway"}))
    hotfix = open_hotfix(deliver)  # eager Celery runs the retries at once
    assert len(fake_github.calls("POST", COMMENTS)) == GITHUB_WRITEBACK_MAX_RETRIES + 1
    assert (hotfix.comment_state, hotfix.commit_status_state) == (WritebackState.FAILED, WritebackState.FAILED)
    assert "500" in hotfix.writeback_error and "502" in hotfix.writeback_error
    assert hotfix.writeback_attempts == GITHUB_WRITEBACK_MAX_RETRIES + 1
    # The record is never lost or rolled back because GitHub failed.
    assert hotfix.postmortem.status == PostmortemStatus.DRAFT


def test_transient_error_then_success_posts_exactly_once(deliver, fake_github):
    fake_github.route(
        "POST",
        COMMENTS,
        Reply(500, {"message": "Server Error"}),
        Reply(201, fake_github.fixture("issues.create-comment.201.json")),
    )
    hotfix = open_hotfix(deliver)
    assert len(fake_github.calls("POST", COMMENTS)) == 2
    assert (hotfix.comment_id, hotfix.comment_state, hotfix.writeback_error) == (1, WritebackState.DONE, "")
    assert len(fake_github.calls("POST", STATUSES)) == 1  # done on the first try, not repeated


@pytest.mark.parametrize("status", [401, 404, 422])
def test_permanent_errors_are_recorded_and_not_retried(deliver, fake_github, status):
    fake_github.route("POST", COMMENTS, Reply(status, {"message": "Nope"}))
    hotfix = open_hotfix(deliver)
    assert len(fake_github.calls("POST", COMMENTS)) == 1
    assert hotfix.comment_state == WritebackState.FAILED
    assert f"({status})" in hotfix.writeback_error
    assert hotfix.commit_status_state == WritebackState.DONE  # the status call is independent


def test_rate_limited_403_with_reset(fake_github):
    reset = int(time.time()) + 120
    fake_github.route(
        "POST",
        COMMENTS,
        Reply(
            403,
            {"message": "API rate limit exceeded for user."},
            {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)},
        ),
    )
    with pytest.raises(GitHubRateLimited) as caught:
        GitHubClient().create_comment("Codertocat/Hello-World", 2, "hi")
    assert 100 < caught.value.retry_after <= 120
    assert retry_delay(0, caught.value.retry_after) >= caught.value.retry_after


def test_a_server_error_is_not_held_until_the_rate_limit_resets(fake_github):
    """Every GitHub answer carries X-RateLimit-Reset (the fake's too, an hour ahead): with requests
    left, it is no reason to wait that long before trying a 502 again."""
    fake_github.route("POST", COMMENTS, Reply(502, {"message": "bad gateway"}))
    with pytest.raises(GitHubTransientError) as caught:
        GitHubClient().create_comment("Codertocat/Hello-World", 2, "hi")
    assert not isinstance(caught.value, GitHubRateLimited)
    assert fake_github.calls("POST", COMMENTS)[0].status == 502  # answered with the budget's headers
    assert caught.value.retry_after is None


def test_secondary_rate_limit_and_429_honour_retry_after(fake_github):
    fake_github.route(
        "POST",
        COMMENTS,
        Reply(403, {"message": "You have exceeded a secondary rate limit."}, {"Retry-After": "45"}),
        Reply(429, {"message": "Too many requests"}, {"Retry-After": "7"}),
    )
    client = GitHubClient()
    with pytest.raises(GitHubRateLimited) as first:
        client.create_comment("Codertocat/Hello-World", 2, "hi")
    with pytest.raises(GitHubRateLimited) as second:
        client.create_comment("Codertocat/Hello-World", 2, "hi")
    assert (first.value.retry_after, second.value.retry_after) == (45.0, 7.0)


def test_rate_limit_in_the_task_waits_for_github(deliver, fake_github, monkeypatch):
    fake_github.route(
        "POST",
        COMMENTS,
        Reply(429, {"message": "Too many requests"}, {"Retry-After": "600"}),
        Reply(201, fake_github.fixture("issues.create-comment.201.json")),
    )
    countdowns = []
    from postmortems import tasks

    original = tasks.github_writeback.retry

    def recording_retry(*args, **kwargs):
        countdowns.append(kwargs.get("countdown"))
        return original(*args, **kwargs)

    monkeypatch.setattr(tasks.github_writeback, "retry", recording_retry)
    hotfix = open_hotfix(deliver)
    assert len(countdowns) == 1 and countdowns[0] >= 600
    assert hotfix.comment_state == WritebackState.DONE


def test_client_maps_404_and_connection_errors(fake_github, settings):
    fake_github.route("POST", r"/repos/Codertocat/Hello-World/statuses/f+", Reply(404, {"message": "Not Found"}))
    with pytest.raises(GitHubPermanentError) as caught:
        GitHubClient().create_status(
            "Codertocat/Hello-World", "f" * 40, state="pending", context="postmortem", target_url="x", description=""
        )
    assert caught.value.status == 404
    with pytest.raises(GitHubTransientError):
        GitHubClient(base_url="http://127.0.0.1:1").create_comment("a/b", 1, "hi")


def test_debt_status_on_new_prs_of_a_repository_with_overdue_postmortems(deliver, fake_github):
    RepositoryFactory(full_name="Codertocat/Hello-World", default_branch="master", debt_status_enabled=True)
    opened = load_payload("pull_request.opened.json")
    head_sha = opened["pull_request"]["head"]["sha"]
    statuses = rf"/repos/Codertocat/Hello-World/statuses/{head_sha}"

    deliver(opened)
    assert fake_github.calls("POST", statuses)[-1].json["state"] == "success"

    open_hotfix(deliver)
    Postmortem.objects.update(due_at="2020-01-01T00:00:00Z")  # now overdue
    synchronize = load_payload("pull_request.synchronize.json")
    deliver(synchronize)
    last = fake_github.calls(
        "POST", rf"/repos/Codertocat/Hello-World/statuses/{synchronize['pull_request']['head']['sha']}"
    )
    assert (last[-1].json["state"], last[-1].json["context"]) == ("failure", "postmortem-debt")
    assert "1 overdue postmortem" in last[-1].json["description"]


def test_no_debt_status_unless_the_repository_asks(deliver, fake_github):
    deliver(load_payload("pull_request.opened.json"))
    assert fake_github.requests == []


def test_overdue_reminder_comments_on_the_pr_at_most_once(deliver, fake_github, django_capture_on_commit_callbacks):
    import datetime as dt

    from postmortems.services import overdue_reminders_send

    hotfix = open_hotfix(deliver)  # owner: none yet
    owner = LeadFactory(username="owner-of-hotfix", email="owner@example.com")
    Postmortem.objects.update(owner=owner, due_at="2026-03-01T00:00:00Z")
    monday = dt.datetime(2026, 3, 9, 10, 0, tzinfo=dt.UTC)
    with django_capture_on_commit_callbacks(execute=True):
        assert overdue_reminders_send(now=monday) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert overdue_reminders_send(now=monday + dt.timedelta(days=1)) == 1  # the mail again, not the comment
    comments = fake_github.calls("POST", COMMENTS)
    assert len(comments) == 2  # the opening comment and one reminder
    assert comments[1].json["body"].startswith(f"Reminder: [postmortem #{hotfix.postmortem.pk}]")
    assert "was due **2026-03-01" in comments[1].json["body"]
    hotfix.refresh_from_db()
    assert hotfix.reminder_comment_id == 2  # a comment of its own: the opening one is 1 (the REST example's id)


def test_find_comment_reads_every_page_and_tells_hotfix_1_from_hotfix_12(fake_github):
    client = GitHubClient()
    for n in range(120):  # more than one page of 100
        client.create_comment("Codertocat/Hello-World", 2, f"chatter {n}")
    ours = client.create_comment(
        "Codertocat/Hello-World",
        2,
        "Needs a postmortem.\n\n<!-- postmortem-tracker:needs-postmortem hotfix=12 record=3 -->",
    )
    assert client.find_comment("Codertocat/Hello-World", 2, "postmortem-tracker:needs-postmortem hotfix=1 ") is None
    found = client.find_comment("Codertocat/Hello-World", 2, "postmortem-tracker:needs-postmortem hotfix=12 ")
    assert found == ours
    assert len(fake_github.calls("GET", COMMENTS)) == 4  # two pages per search
