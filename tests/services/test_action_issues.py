"""Prevention actions as GitHub issues, outward (SPEC §11): one issue per action, never twice,
kept in step with the action's status and owner — against the local fake GitHub."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from postmortems import services
from postmortems.choices import ActionKind, ActionStatus, IssueSyncState
from postmortems.models import ActionIssue
from postmortems.services.action_issues import marker
from tests.factories import EngineerFactory, LeadFactory, PostmortemFactory, PreventionActionFactory, RepositoryFactory
from tests.github.fake_github import Reply

pytestmark = pytest.mark.django_db

ISSUES = r"/repos/acme/forecast/issues"


@pytest.fixture
def issues(fake_github):
    return fake_github.serve_issues()


@pytest.fixture
def repository(db):
    return RepositoryFactory(full_name="acme/forecast", action_issues=True)


@pytest.fixture
def owner(db):
    return EngineerFactory(username="olga", github_login="olga-gh")


@pytest.fixture
def postmortem(repository, owner):
    return PostmortemFactory(repository=repository, owner=owner, title="Forecast wrote empty output")


@pytest.fixture
def add_action(postmortem, owner, django_capture_on_commit_callbacks):
    """Create an action through the service, running what it schedules after commit."""

    def _add(description="Add a test for the empty forecast", kind=ActionKind.TEST, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            return services.action_create(
                postmortem=postmortem, actor=None, description=description, kind=kind, owner=owner, **fields
            )

    return _add


def run_after_commit(django_capture_on_commit_callbacks, fn, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return fn(**kwargs)


def test_a_new_action_gets_one_issue_with_title_body_labels_and_assignee(fake_github, issues, add_action, postmortem):
    action = add_action(due_date=None)
    posts = fake_github.calls("POST", ISSUES)
    assert len(posts) == 1
    sent = posts[0].json
    assert sent["title"] == f"[postmortem #{postmortem.pk}] Add a test for the empty forecast"
    assert sent["labels"] == ["postmortem-action", "test"]
    assert sent["assignees"] == ["olga-gh"]
    assert f"https://pm.example.com/postmortems/{postmortem.pk}/" in sent["body"]
    assert marker(action.pk) in sent["body"]
    row = ActionIssue.objects.get(action=action)
    assert (row.repository, row.number, row.state) == ("acme/forecast", 1, IssueSyncState.DONE)
    assert row.url == "https://github.com/acme/forecast/issues/1"


def test_running_the_sync_again_sends_nothing(fake_github, issues, add_action):
    action = add_action()
    before = len(fake_github.requests)
    services.action_issue_sync(issue_pk=action.issue.pk)
    assert fake_github.requests[before:] == []
    assert len(issues.in_repo("acme/forecast")) == 1


def test_a_lost_create_answer_finds_the_issue_instead_of_filing_a_second(fake_github, issues, add_action):
    issues.lose_next_create()  # GitHub creates the issue, the answer never arrives
    action = add_action()
    assert len(fake_github.calls("POST", ISSUES)) == 1
    assert len(issues.in_repo("acme/forecast")) == 1
    # The retry listed the labelled issues and found the marker.
    listed = fake_github.calls("GET", ISSUES)
    assert listed and "labels=postmortem-action" in listed[-1].path and "state=all" in listed[-1].path
    row = ActionIssue.objects.get(action=action)
    assert (row.number, row.state) == (1, IssueSyncState.DONE)


def test_a_worker_killed_after_filing_leaves_no_second_issue(fake_github, issues, add_action):
    action = add_action()
    # As if the worker died after GitHub created the issue, before the number was committed.
    ActionIssue.objects.filter(action=action).update(number=None, github_id=None, url="", state=IssueSyncState.PENDING)
    services.action_issue_sync(issue_pk=action.issue.pk)
    assert len(fake_github.calls("POST", ISSUES)) == 1
    assert ActionIssue.objects.get(action=action).number == 1


def test_no_issue_for_a_wont_do_action_or_a_repository_without_the_switch(fake_github, issues, add_action, repository):
    add_action(description="Rewrite the job", kind=ActionKind.PROCESS)
    assert len(issues.in_repo("acme/forecast")) == 1
    repository.action_issues = False
    repository.save()
    other = add_action(description="Another one")
    assert not ActionIssue.objects.filter(action=other).exists()
    assert len(fake_github.calls("POST", ISSUES)) == 1


def test_without_a_token_nothing_is_filed(fake_github, issues, add_action, settings):
    settings.GITHUB_TOKEN = ""
    action = add_action()
    assert not ActionIssue.objects.filter(action=action).exists()
    assert fake_github.requests == []


def test_a_tracking_repository_receives_every_issue(fake_github, issues, add_action, repository):
    repository.action_issue_repository = "acme/actions"
    repository.save()
    action = add_action()
    assert len(fake_github.calls("POST", r"/repos/acme/actions/issues")) == 1
    assert ActionIssue.objects.get(action=action).url == "https://github.com/acme/actions/issues/1"


def test_status_changes_in_the_app_close_and_reopen_the_issue(
    fake_github, issues, add_action, django_capture_on_commit_callbacks
):
    action = add_action(description="Write the runbook", kind=ActionKind.DOCUMENTATION)
    run_after_commit(
        django_capture_on_commit_callbacks, services.action_set_status, action=action, actor=None, status="done"
    )
    patch = fake_github.calls("PATCH", ISSUES + r"/1")[-1].json
    assert patch == {"state": "closed", "state_reason": "completed"}
    run_after_commit(
        django_capture_on_commit_callbacks, services.action_set_status, action=action, actor=None, status="open"
    )
    assert fake_github.calls("PATCH", ISSUES + r"/1")[-1].json == {"state": "open"}
    run_after_commit(
        django_capture_on_commit_callbacks,
        services.action_set_status,
        action=action,
        actor=None,
        status=ActionStatus.WONT_DO,
        wont_do_reason="Superseded by the new pipeline",
    )
    assert fake_github.calls("PATCH", ISSUES + r"/1")[-1].json == {"state": "closed", "state_reason": "not_planned"}
    # Moving to in progress and back to open changes nothing on GitHub.
    before = len(fake_github.calls("PATCH", ISSUES + r"/1"))
    run_after_commit(
        django_capture_on_commit_callbacks, services.action_set_status, action=action, actor=None, status="open"
    )
    run_after_commit(
        django_capture_on_commit_callbacks, services.action_set_status, action=action, actor=None, status="in_progress"
    )
    assert len(fake_github.calls("PATCH", ISSUES + r"/1")) == before + 1


def test_a_new_owner_becomes_the_assignee(fake_github, issues, add_action, django_capture_on_commit_callbacks):
    action = add_action()
    new_owner = EngineerFactory(username="nadia", github_login="nadia-gh")
    run_after_commit(
        django_capture_on_commit_callbacks, services.action_update, action=action, actor=None, owner=new_owner
    )
    assert fake_github.calls("PATCH", ISSUES + r"/1")[-1].json == {"assignees": ["nadia-gh"]}
    # An owner GitHub does not know about: nobody is assigned rather than the wrong person.
    no_login = EngineerFactory(username="nolan", github_login="")
    run_after_commit(
        django_capture_on_commit_callbacks, services.action_update, action=action, actor=None, owner=no_login
    )
    assert fake_github.calls("PATCH", ISSUES + r"/1")[-1].json == {"assignees": []}


def test_an_action_taken_off_its_draft_closes_its_issue(
    fake_github, issues, add_action, django_capture_on_commit_callbacks
):
    action = add_action()
    row_pk = action.issue.pk
    run_after_commit(django_capture_on_commit_callbacks, services.action_remove, action=action, actor=None)
    assert fake_github.calls("PATCH", ISSUES + r"/1")[-1].json == {"state": "closed", "state_reason": "not_planned"}
    assert ActionIssue.objects.get(pk=row_pk).action is None


def test_github_refusing_the_issue_is_shown_on_the_action(fake_github, issues, add_action):
    fake_github.route("POST", ISSUES, Reply(403, {"message": "Resource not accessible by integration"}))
    action = add_action()
    row = ActionIssue.objects.get(action=action)
    assert row.state == IssueSyncState.FAILED
    assert "Resource not accessible by integration" in row.error
    assert len(fake_github.calls("POST", ISSUES)) == 1  # permanent: not retried


def test_github_down_is_retried_then_shown_as_failed(fake_github, issues, add_action):
    fake_github.route("POST", ISSUES, Reply(502, {"message": "Bad gateway"}))
    outcome_action = add_action()
    row = ActionIssue.objects.get(action=outcome_action)
    # In-process Celery retries at once: every try was made, the last one is final.
    assert len(fake_github.calls("POST", ISSUES)) == 7
    assert row.state == IssueSyncState.FAILED and "502" in row.error


def test_a_rate_limit_asks_for_a_retry_no_sooner_than_githubs_hint(fake_github, issues, postmortem, owner):
    fake_github.route("POST", ISSUES, Reply(429, {"message": "slow down"}, {"Retry-After": "42"}))
    # Not run after commit: the row waits, as it would for its task.
    action = services.action_create(
        postmortem=postmortem, actor=None, description="Alert", kind="monitoring", owner=owner
    )
    outcome = services.action_issue_sync(issue_pk=action.issue.pk)
    assert outcome.retry_after == 42.0
    assert ActionIssue.objects.get(action=action).state == IssueSyncState.RETRYING
    final = services.action_issue_sync(issue_pk=action.issue.pk, final_attempt=True)
    assert final.retry_after is None
    assert ActionIssue.objects.get(action=action).state == IssueSyncState.FAILED


def test_an_assignee_github_refuses_does_not_stop_the_issue(fake_github, issues, add_action):
    real_create = issues.create
    fake_github.route(
        "POST",
        ISSUES,
        lambda received: (
            Reply(422, {"message": "Validation Failed"}) if received.json.get("assignees") else real_create(received)
        ),
    )
    action = add_action()
    posts = fake_github.calls("POST", ISSUES)
    assert [p.json["assignees"] for p in posts] == [["olga-gh"], []]
    assert ActionIssue.objects.get(action=action).number == 1


def test_a_lead_files_issues_for_the_open_actions_already_there(
    fake_github, issues, postmortem, repository, django_capture_on_commit_callbacks
):
    repository.action_issues = False
    repository.save()
    open_one = PreventionActionFactory(postmortem=postmortem, kind=ActionKind.MONITORING)
    PreventionActionFactory(postmortem=postmortem, status=ActionStatus.WONT_DO, wont_do_reason="no")
    PreventionActionFactory(
        postmortem=postmortem, kind=ActionKind.PROCESS, status=ActionStatus.DONE, completed_at=postmortem.due_at
    )
    repository.action_issues = True
    repository.save()
    with django_capture_on_commit_callbacks(execute=True):
        filed = services.action_issues_file_open(repository=repository, actor=LeadFactory())
    assert filed == 1
    assert [i["title"] for i in issues.in_repo("acme/forecast")] == [
        f"[postmortem #{postmortem.pk}] {open_one.description}"
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.action_issues_file_open(repository=repository, actor=LeadFactory()) == 0
    assert len(fake_github.calls("POST", ISSUES)) == 1


def test_the_sweep_queues_an_issue_whose_task_never_ran(fake_github, issues, postmortem, owner):
    # Written, but its task never reached a worker (the broker was down after commit).
    stuck = services.action_create(postmortem=postmortem, actor=None, description="Stuck", kind="process", owner=owner)
    fresh = services.action_create(postmortem=postmortem, actor=None, description="Fresh", kind="process", owner=owner)
    ActionIssue.objects.filter(action=stuck).update(updated_at=timezone.now() - timedelta(minutes=11))
    assert services.action_issues_requeue() == 1
    assert ActionIssue.objects.get(action=stuck).number == 1
    assert ActionIssue.objects.get(action=fresh).state == IssueSyncState.PENDING
    assert services.action_issues_requeue() == 0
