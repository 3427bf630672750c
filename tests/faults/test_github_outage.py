"""GitHub answering 502 for an hour: the record stays correct, retries stop at their bound on
the schedule Celery would follow, the record page shows the failure, and a later success clears it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from celery.exceptions import Retry
from django.utils import timezone

from postmortems.choices import DeliveryStatus, PostmortemStatus, WritebackState
from postmortems.models import HotfixPullRequest, Postmortem, WebhookDelivery
from postmortems.services import delivery_process
from postmortems.tasks import GITHUB_WRITEBACK_MAX_RETRIES, github_writeback
from tests.factories import UserFactory
from tests.github.conftest import MERGE_SHA, hotfix_payload
from tests.github.fake_github import FakeGitHub, Reply

pytestmark = [pytest.mark.faults, pytest.mark.django_db]
COMMENTS = r"/repos/Codertocat/Hello-World/issues/2/comments"
STATUSES = rf"/repos/Codertocat/Hello-World/statuses/{MERGE_SHA}"
BAD_GATEWAY = Reply(502, {"message": "Bad Gateway"})
START = timezone.make_aware(timezone.datetime(2026, 3, 10, 12, 30))


@pytest.fixture
def github(settings):
    server = FakeGitHub().start()
    server.serve_issue_comments()  # reads answer; the test makes writes fail
    settings.GITHUB_API_URL = server.base_url
    settings.GITHUB_TOKEN = "outage-test-token"
    yield server
    server.stop()


def _attempt(hotfix_pk: int, retries: int) -> float | None:
    """One run of the task as the worker runs it on its `retries`-th try; the countdown it asks for, if any."""
    github_writeback.push_request(
        id=f"attempt-{retries}", retries=retries, is_eager=True, called_directly=False, args=[hotfix_pk], kwargs={}
    )
    try:
        github_writeback.run(hotfix_pk)
    except Retry as retry:
        return float(retry.when)
    finally:
        github_writeback.pop_request()
    return None


def test_an_hour_of_502s_then_recovery(github, client, django_capture_on_commit_callbacks):
    github.route("POST", COMMENTS, BAD_GATEWAY)
    github.route("POST", STATUSES, BAD_GATEWAY)
    with time_machine.travel(START, tick=False) as clock:
        delivery = WebhookDelivery.objects.create(
            delivery_id="gh-outage-1", event="pull_request", action="closed", payload=hotfix_payload()
        )
        with django_capture_on_commit_callbacks(execute=False):  # we play the worker below
            assert delivery_process(delivery.pk) == DeliveryStatus.PROCESSED
        hotfix = HotfixPullRequest.objects.select_related("postmortem").get()
        record_before = Postmortem.objects.values().get()

        countdowns = []
        for retries in range(GITHUB_WRITEBACK_MAX_RETRIES + 1):
            countdown = _attempt(hotfix.pk, retries)
            hotfix.refresh_from_db()
            if countdown is None:
                break
            assert hotfix.comment_state == WritebackState.PENDING  # shown as "Retrying"
            countdowns.append(countdown)
            clock.shift(timedelta(seconds=countdown))
        elapsed = timezone.now() - START

    # Bounded: the first try plus MAX_RETRIES retries, spaced out with back-off, then it stops.
    assert len(countdowns) == GITHUB_WRITEBACK_MAX_RETRIES
    assert countdowns == sorted(countdowns) and countdowns[0] >= 30
    assert timedelta(minutes=30) < elapsed < timedelta(hours=2)
    assert len(github.calls("POST", COMMENTS)) == GITHUB_WRITEBACK_MAX_RETRIES + 1
    assert (hotfix.comment_state, hotfix.commit_status_state) == (WritebackState.FAILED, WritebackState.FAILED)
    assert hotfix.writeback_attempts == GITHUB_WRITEBACK_MAX_RETRIES + 1
    assert "502" in hotfix.writeback_error

    # The record itself is untouched by GitHub's trouble.
    assert Postmortem.objects.values().get() == record_before
    assert hotfix.postmortem.status == PostmortemStatus.DRAFT

    # The record page says what went wrong.
    client.force_login(UserFactory(username="outage-admin", is_staff=True))
    page = client.get(f"/postmortems/{hotfix.postmortem.pk}/").content.decode()
    assert "comment <strong>Failed</strong>" in page and "Last write-back error" in page and "502" in page

    # GitHub is back; the next write-back succeeds and clears the error.
    github.route("POST", COMMENTS, Reply(201, github.fixture("issues.create-comment.201.json")))
    github.route("POST", STATUSES, Reply(201, github.fixture("repos.create-commit-status.201.json")))
    assert _attempt(hotfix.pk, 0) is None
    hotfix.refresh_from_db()
    assert (hotfix.comment_state, hotfix.commit_status_state) == (WritebackState.DONE, WritebackState.DONE)
    assert hotfix.writeback_error == "" and hotfix.commit_status == "pending"
    page = client.get(f"/postmortems/{hotfix.postmortem.pk}/").content.decode()
    assert "Last write-back error" not in page
    assert len(github.calls("POST", COMMENTS)) == GITHUB_WRITEBACK_MAX_RETRIES + 2  # one success, no duplicate
