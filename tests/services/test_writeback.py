"""`postmortem-debt` follows the repository's debt on PRs nobody pushes to (SPEC §4): refreshed on
every open PR when a past-due record is approved or dismissed, and when a record falls due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from postmortems import services
from postmortems.choices import PostmortemStatus
from postmortems.services.reminders import previous_working_day_run
from postmortems.tasks import GITHUB_WRITEBACK_MAX_RETRIES
from tests.factories import LeadFactory, PostmortemFactory, RepositoryFactory
from tests.github.fake_github import Reply

pytestmark = pytest.mark.django_db

REPO = "Codertocat/Hello-World"
OPEN_PULLS = rf"/repos/{REPO}/pulls"
HEADS = ("6dcb09b5b57875f334f61aebed695e2e4193db5e", "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567")


@pytest.fixture
def repository(db):
    return RepositoryFactory(full_name=REPO, default_branch="master", debt_status_enabled=True)


@pytest.fixture
def open_pulls(fake_github):
    """Two open PRs into master that nobody pushes to (the REST example and a copy)."""
    first = fake_github.fixture("pulls.list.200.json")[0]
    second = {**first, "number": first["number"] + 1, "head": {**first["head"], "sha": HEADS[1]}}
    fake_github.route("GET", OPEN_PULLS, Reply(200, [first, second]))
    return fake_github


def debt_statuses(fake_github) -> dict[str, str]:
    """The last `postmortem-debt` state set on each head."""
    states = {}
    for sha in HEADS:
        calls = [
            c
            for c in fake_github.calls("POST", rf"/repos/{REPO}/statuses/{sha}")
            if c.json["context"] == "postmortem-debt"
        ]
        if calls:
            states[sha] = calls[-1].json["state"]
    return states


@pytest.mark.parametrize("clears", ["approve", "dismiss"])
def test_paying_the_debt_turns_open_prs_green_without_a_push(
    repository, open_pulls, clears, django_capture_on_commit_callbacks
):
    overdue = PostmortemFactory(
        repository=repository, status=PostmortemStatus.IN_REVIEW, due_at=timezone.now() - timedelta(days=3)
    )
    lead = LeadFactory(username="payer")
    with django_capture_on_commit_callbacks(execute=True):
        if clears == "approve":
            services.postmortem_approve(postmortem=overdue, actor=lead)
        else:
            services.postmortem_dismiss(postmortem=overdue, actor=lead, reason="Not a hotfix.")
    assert debt_statuses(open_pulls) == {HEADS[0]: "success", HEADS[1]: "success"}
    (listing,) = open_pulls.calls("GET", OPEN_PULLS)
    assert "state=open" in listing.path and "base=master" in listing.path
    last = open_pulls.calls("POST", rf"/repos/{REPO}/statuses/{HEADS[0]}")[-1].json
    assert last["description"] == "No overdue postmortems"


def test_debt_still_owed_keeps_open_prs_failing(repository, open_pulls, django_capture_on_commit_callbacks):
    past_due = timezone.now() - timedelta(days=3)
    PostmortemFactory(repository=repository, due_at=past_due)  # still owed
    paid = PostmortemFactory(repository=repository, status=PostmortemStatus.IN_REVIEW, due_at=past_due)
    with django_capture_on_commit_callbacks(execute=True):
        services.postmortem_approve(postmortem=paid, actor=LeadFactory(username="payer"))
    assert debt_statuses(open_pulls) == {HEADS[0]: "failure", HEADS[1]: "failure"}


def test_approving_a_record_that_was_not_due_leaves_prs_alone(
    repository, open_pulls, django_capture_on_commit_callbacks
):
    record = PostmortemFactory(repository=repository, status=PostmortemStatus.IN_REVIEW)  # due in five days
    with django_capture_on_commit_callbacks(execute=True):
        services.postmortem_approve(postmortem=record, actor=LeadFactory(username="payer"))
    assert open_pulls.calls("GET", OPEN_PULLS) == []


def test_a_repository_that_did_not_ask_gets_no_debt_statuses(open_pulls, django_capture_on_commit_callbacks):
    repository = RepositoryFactory(full_name=REPO, default_branch="master", debt_status_enabled=False)
    record = PostmortemFactory(
        repository=repository, status=PostmortemStatus.IN_REVIEW, due_at=timezone.now() - timedelta(days=3)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.postmortem_approve(postmortem=record, actor=LeadFactory(username="payer"))
    assert open_pulls.requests == []


def test_the_daily_run_turns_open_prs_red_when_a_record_falls_due(
    repository, open_pulls, django_capture_on_commit_callbacks
):
    monday, tuesday = datetime(2026, 3, 9, 9, 0, tzinfo=UTC), datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    with time_machine.travel(tuesday - timedelta(days=15), tick=False):  # both opened a while ago
        PostmortemFactory(repository=repository, due_at=tuesday - timedelta(days=10))  # overdue long ago: not news
        PostmortemFactory(repository=repository, due_at=monday + timedelta(hours=4))  # falls due Monday afternoon
    with time_machine.travel(monday, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert services.newly_overdue_debt_refresh(now=monday) == 0
    assert open_pulls.requests == []

    with time_machine.travel(tuesday, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert services.newly_overdue_debt_refresh(now=tuesday) == 1
    assert debt_statuses(open_pulls) == {HEADS[0]: "failure", HEADS[1]: "failure"}
    last = open_pulls.calls("POST", rf"/repos/{REPO}/statuses/{HEADS[1]}")[-1].json
    assert last["description"] == "2 overdue postmortems in this repository"


def test_records_opened_past_due_refresh_their_repository_once_in_the_daily_run(
    repository, open_pulls, django_capture_on_commit_callbacks
):
    tuesday = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    with time_machine.travel(tuesday - timedelta(hours=2), tick=False):  # a backfill asked for 2025's drafts
        for month in (1, 2, 3):
            PostmortemFactory(repository=repository, due_at=datetime(2025, month, 10, tzinfo=UTC))
    with time_machine.travel(tuesday, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert services.newly_overdue_debt_refresh(now=tuesday) == 1
    assert len(open_pulls.calls("GET", OPEN_PULLS)) == 1  # one refresh for the repository, not one per record
    assert debt_statuses(open_pulls) == {HEADS[0]: "failure", HEADS[1]: "failure"}


def test_mondays_run_sees_what_fell_due_over_the_weekend():
    monday = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
    assert previous_working_day_run(monday) == monday - timedelta(days=3)  # Friday's run
    assert previous_working_day_run(monday + timedelta(days=1)) == monday


def test_the_refresh_is_retried_a_bounded_number_of_times(repository, fake_github):
    fake_github.route("GET", OPEN_PULLS, Reply(502, {"message": "Bad Gateway"}))
    PostmortemFactory(repository=repository, due_at=timezone.now() - timedelta(days=1))
    from postmortems.tasks import github_debt_refresh

    github_debt_refresh.delay(repository.pk)  # eager: the task and its retries run here
    assert len(fake_github.calls("GET", OPEN_PULLS)) == GITHUB_WRITEBACK_MAX_RETRIES + 1


def test_a_refresh_that_failed_once_sets_every_status_on_the_retry(repository, open_pulls):
    first = open_pulls.fixture("pulls.list.200.json")[0]
    open_pulls.route("GET", OPEN_PULLS, Reply(502, {"message": "Bad Gateway"}), Reply(200, [first]))
    PostmortemFactory(repository=repository, due_at=timezone.now() - timedelta(days=1))
    from postmortems.tasks import github_debt_refresh

    github_debt_refresh.delay(repository.pk)
    assert len(open_pulls.calls("GET", OPEN_PULLS)) == 2
    assert debt_statuses(open_pulls) == {HEADS[0]: "failure"}
