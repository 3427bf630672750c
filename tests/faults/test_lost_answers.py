"""GitHub did what we asked but the answer never came back (a timeout, a dropped connection, a
worker killed before it stored the id): the retry finds what was written and does not write it twice."""

from __future__ import annotations

import datetime as dt
import functools

import pytest

from postmortems import services
from postmortems.choices import DeliveryStatus, WritebackState
from postmortems.github import client as github_client
from postmortems.github.client import GitHubClient
from postmortems.models import HotfixPullRequest, Postmortem, WebhookDelivery
from tests.factories import UserFactory
from tests.github.conftest import celery_eager, hotfix_payload  # noqa: F401 - tasks run in-process here
from tests.github.fake_github import Reply

pytestmark = [pytest.mark.faults, pytest.mark.django_db]
COMMENTS = r"/repos/Codertocat/Hello-World/issues/2/comments"
PR = "/repos/Codertocat/Hello-World/issues/2"
# How the answer is lost: the connection closes once GitHub has stored the comment, or the
# answer comes after the client's timeout (1 s here).
LOST = {"dropped": Reply(0, drop=True), "timed out": Reply(0, delay=3.0)}


@pytest.fixture
def impatient_client(monkeypatch):
    # Every write-back call gets its client from github.client.client_for, which builds GitHubClient.
    monkeypatch.setattr(github_client, "GitHubClient", functools.partial(GitHubClient, timeout=1))


@pytest.mark.parametrize("how", LOST)
def test_a_comment_whose_answer_was_lost_is_found_not_posted_again(deliver, fake_github, impatient_client, how):
    fake_github.comments.lose.append(LOST[how])
    assert deliver(hotfix_payload()).status_code == 202  # the write-back task and its retry run at once
    hotfix = HotfixPullRequest.objects.select_related("postmortem").get()

    assert len(fake_github.calls("POST", COMMENTS)) == 1  # one create, whose answer never arrived
    (body,) = fake_github.comments.bodies(PR)
    assert body.endswith(
        f"<!-- postmortem-tracker:needs-postmortem hotfix={hotfix.pk} record={hotfix.postmortem.pk} -->"
    )
    assert len(fake_github.calls("GET", COMMENTS)) == 2  # each try looked first; the retry found it
    assert (hotfix.comment_id, hotfix.comment_state) == (1, WritebackState.DONE)
    assert hotfix.writeback_error == "" and hotfix.writeback_attempts == 2


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after it runs, the open transaction is rolled back."""


def test_a_worker_killed_after_github_stored_the_comment_does_not_cause_a_second(
    fake_github, monkeypatch, django_capture_on_commit_callbacks
):
    delivery = WebhookDelivery.objects.create(
        delivery_id="killed-writer", event="pull_request", action="closed", payload=hotfix_payload()
    )
    with django_capture_on_commit_callbacks(execute=False):  # we play the worker below
        assert services.delivery_process(delivery.pk) == DeliveryStatus.PROCESSED
    hotfix = HotfixPullRequest.objects.get()

    def killed(*args, **kwargs):
        raise WorkerKilled

    with monkeypatch.context() as patch:  # GitHub stores the comment; the worker dies before saving its id
        patch.setattr(HotfixPullRequest, "save", killed)
        with pytest.raises(WorkerKilled):
            services.hotfix_writeback(hotfix_pk=hotfix.pk)
    hotfix.refresh_from_db()
    assert (hotfix.comment_id, hotfix.comment_state) == (None, WritebackState.NOT_SENT)
    assert len(fake_github.comments.bodies(PR)) == 1

    services.hotfix_writeback(hotfix_pk=hotfix.pk)  # the task again, as late acks deliver it
    hotfix.refresh_from_db()
    assert len(fake_github.calls("POST", COMMENTS)) == 1
    assert (hotfix.comment_id, hotfix.comment_state) == (1, WritebackState.DONE)


@pytest.mark.parametrize("how", LOST)
def test_a_reminder_whose_answer_was_lost_is_not_posted_again(
    deliver, fake_github, impatient_client, django_capture_on_commit_callbacks, how
):
    assert deliver(hotfix_payload()).status_code == 202
    owner = UserFactory(username="late-owner", email="late@example.com")
    Postmortem.objects.update(owner=owner, due_at="2026-03-01T00:00:00Z")
    fake_github.comments.lose.append(LOST[how])
    with django_capture_on_commit_callbacks(execute=True):
        assert services.overdue_reminders_send(now=dt.datetime(2026, 3, 9, 10, 0, tzinfo=dt.UTC)) == 1

    hotfix = HotfixPullRequest.objects.get()
    _opening, reminder = fake_github.comments.bodies(PR)  # and no third
    assert reminder.startswith("Reminder:")
    assert reminder.endswith(
        f"<!-- postmortem-tracker:overdue-reminder hotfix={hotfix.pk} record={hotfix.postmortem_id} -->"
    )
    assert len(fake_github.calls("POST", COMMENTS)) == 2
    assert (hotfix.comment_id, hotfix.reminder_comment_id) == (1, 2)
