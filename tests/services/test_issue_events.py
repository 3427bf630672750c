"""`issues` deliveries coming back to prevention actions (SPEC §11): done with proof, won't do,
reopened, re-owned; stale, echoed and repeated deliveries change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils.dateparse import parse_datetime

from postmortems import services
from postmortems.choices import ActionKind, ActionStatus, DeliveryStatus
from postmortems.github.client import TimelineEntry
from postmortems.models import ActionIssue, PreventionAction, WebhookDelivery
from postmortems.services.issue_events import NO_EVIDENCE_NOTE, closing_change
from tests.factories import EngineerFactory, PostmortemFactory, RepositoryFactory, TeamFactory
from tests.github.issues import issues_payload

pytestmark = pytest.mark.django_db

REPO = "acme/forecast"


@pytest.fixture
def issues(fake_github):
    return fake_github.serve_issues()


@pytest.fixture
def team(db):
    return TeamFactory(slug="forecasting")


@pytest.fixture
def owner(team):
    user = EngineerFactory(username="olga", github_login="olga-gh")
    team.members.add(user)
    return user


@pytest.fixture
def postmortem(owner, team):
    repository = RepositoryFactory(full_name=REPO, action_issues=True, team=team)
    return PostmortemFactory(repository=repository, team=team, owner=owner)


@pytest.fixture
def filed(issues, postmortem, owner, django_capture_on_commit_callbacks):
    """Make an action of `kind` whose issue is filed on the fake GitHub; returns (action, issue)."""

    def _filed(kind=ActionKind.PROCESS):
        with django_capture_on_commit_callbacks(execute=True):
            action = services.action_create(
                postmortem=postmortem, actor=None, description="Stop eyeballing", kind=kind, owner=owner
            )
        row = ActionIssue.objects.get(action=action)
        return action, issues.issues[(REPO, row.number)]

    return _filed


def later(issue: dict, minutes: int) -> str:
    when = parse_datetime(issue["updated_at"]) + timedelta(minutes=minutes)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def send(deliver, issue, action_name, minutes=1, **kwargs) -> WebhookDelivery:
    payload = issues_payload(
        action_name,
        repository=REPO,
        number=issue["number"],
        issue_id=issue["id"],
        updated_at=later(issue, minutes),
        **kwargs,
    )
    response = deliver(payload, event="issues")
    assert response.status_code == 202, response.content
    return WebhookDelivery.objects.get(delivery_id=response.json()["delivery"])


def fresh(action) -> PreventionAction:
    return PreventionAction.objects.select_related("issue", "owner").get(pk=action.pk)


def test_closed_as_completed_marks_the_action_done(deliver, filed):
    action, issue = filed(ActionKind.PROCESS)
    delivery = send(deliver, issue, "closed", state_reason="completed")
    assert delivery.status == DeliveryStatus.PROCESSED
    assert fresh(action).status == ActionStatus.DONE
    assert fresh(action).completed_at is not None


def test_a_kind_needing_evidence_is_done_with_the_pull_request_that_closed_it(deliver, filed, issues, fake_github):
    action, issue = filed(ActionKind.TEST)
    pr_url = issues.close_by_pull_request(REPO, issue["number"], pull_number=77)
    send(deliver, issue, "closed", state_reason="completed")
    action = fresh(action)
    assert (action.status, action.evidence_url) == (ActionStatus.DONE, pr_url)
    assert action.issue.note == ""
    assert len(fake_github.calls("GET", rf"/repos/{REPO}/issues/{issue['number']}/timeline")) == 1


def test_a_closing_commit_without_a_pull_request_is_evidence_too():
    sha = "a" * 40
    entries = [TimelineEntry("closed", sha, "acme/lib", "", False, False, None)]
    assert closing_change(entries, repository=REPO) == f"https://github.com/acme/lib/commit/{sha}"
    # An open (unmerged) PR that mentions the issue, or a non-https link, proves nothing.
    unmerged = TimelineEntry("cross-referenced", "", "", "https://github.com/acme/x/pull/1", True, False, None)
    plain = TimelineEntry("cross-referenced", "", "", "http://evil.example/pull/1", True, True, None)
    bad_sha = TimelineEntry("closed", "../../etc", "", "", False, False, None)
    assert closing_change([unmerged, plain, bad_sha], repository=REPO) is None


def test_closed_without_a_linked_change_stays_open_with_the_note(deliver, filed):
    action, issue = filed(ActionKind.MONITORING)
    send(deliver, issue, "closed", state_reason="completed")
    action = fresh(action)
    assert action.status == ActionStatus.OPEN
    assert action.issue.note == NO_EVIDENCE_NOTE == "closed on GitHub without a linked change — add the evidence"


def test_closed_as_not_planned_is_wont_do_with_who_closed_it(deliver, filed):
    action, issue = filed()
    send(deliver, issue, "closed", state_reason="not_planned", sender="lena-gh")
    action = fresh(action)
    assert action.status == ActionStatus.WONT_DO
    assert action.wont_do_reason == "closed as not planned on GitHub by @lena-gh"


def test_closed_as_a_duplicate_is_wont_do_and_stays_so_on_github(deliver, filed, fake_github):
    action, issue = filed()
    send(deliver, issue, "closed", state_reason="duplicate", sender="lena-gh")
    action = fresh(action)
    assert (action.status, action.wont_do_reason) == ("wont_do", "closed as a duplicate on GitHub by @lena-gh")
    assert fake_github.calls("PATCH", rf"/repos/{REPO}/issues/\d+") == []  # GitHub's reason is left alone


def test_reopened_opens_the_action_again(deliver, filed):
    action, issue = filed()
    send(deliver, issue, "closed", minutes=1)
    send(deliver, issue, "reopened", minutes=2)
    assert fresh(action).status == ActionStatus.OPEN
    assert fresh(action).completed_at is None


def test_a_reopened_that_arrives_before_its_closed_wins(deliver, filed):
    action, issue = filed()
    send(deliver, issue, "reopened", minutes=2)
    late = send(deliver, issue, "closed", minutes=1)
    assert late.status == DeliveryStatus.IGNORED
    assert fresh(action).status == ActionStatus.OPEN


def test_a_redelivered_close_changes_nothing_more(deliver, filed, issues, fake_github):
    action, issue = filed(ActionKind.TEST)
    issues.close_by_pull_request(REPO, issue["number"], pull_number=9)
    first = send(deliver, issue, "closed")
    completed_at = fresh(action).completed_at
    again = deliver(first.payload, event="issues")  # GitHub's redelivery: a new delivery id, the same body
    assert again.status_code == 202
    action = fresh(action)
    assert action.status == ActionStatus.DONE and action.completed_at == completed_at
    assert len(fake_github.calls("GET", rf"/repos/{REPO}/issues/\d+/timeline")) == 1
    assert action.history.count() == 2  # created, done: nothing for the redelivery


def test_an_echo_of_the_apps_own_change_changes_nothing(
    deliver, filed, issues, fake_github, django_capture_on_commit_callbacks
):
    action, issue = filed()
    with django_capture_on_commit_callbacks(execute=True):
        services.action_set_status(
            action=action, actor=None, status="wont_do", wont_do_reason="Replaced by the rewrite"
        )
    patches = len(fake_github.calls("PATCH", rf"/repos/{REPO}/issues/\d+"))
    echoed = issues.issues[(REPO, issue["number"])]
    # GitHub tells us about the close we just made, as made by our own token's user.
    send(deliver, echoed, "closed", minutes=0, state_reason="not_planned", sender="tracker-bot")
    action = fresh(action)
    assert action.wont_do_reason == "Replaced by the rewrite"
    assert len(fake_github.calls("PATCH", rf"/repos/{REPO}/issues/\d+")) == patches


def test_assigned_makes_the_user_owner_when_they_may_see_the_record(deliver, filed, team):
    action, issue = filed()
    teammate = EngineerFactory(username="tom", github_login="Tom-GH")
    team.members.add(teammate)
    send(deliver, issue, "assigned", assignee="tom-gh")
    assert fresh(action).owner == teammate


def test_assigned_to_someone_who_may_not_see_the_record_changes_nothing(deliver, filed, owner):
    action, issue = filed()
    EngineerFactory(username="outsider", github_login="outsider-gh")  # in no team of the record
    send(deliver, issue, "assigned", assignee="outsider-gh", minutes=1)
    send(deliver, issue, "assigned", assignee="nobody-we-know", minutes=2)
    assert fresh(action).owner == owner


def test_an_edit_on_github_keeps_the_actions_own_wording(deliver, filed):
    action, issue = filed()
    delivery = send(deliver, issue, "edited")
    assert delivery.status == DeliveryStatus.PROCESSED
    assert fresh(action).description == "Stop eyeballing"


def test_deliveries_about_other_issues_are_ignored(deliver, filed):
    filed()
    payload = issues_payload(
        "closed", repository="someone/else", number=5, issue_id=1, updated_at="2026-03-01T00:00:00Z"
    )
    response = deliver(payload, event="issues")
    assert WebhookDelivery.objects.get(delivery_id=response.json()["delivery"]).status == DeliveryStatus.IGNORED
    labeled = issues_payload("labeled", repository=REPO, number=1, issue_id=1, updated_at="2026-03-01T00:00:00Z")
    response = deliver(labeled, event="issues")
    assert WebhookDelivery.objects.get(delivery_id=response.json()["delivery"]).status == DeliveryStatus.IGNORED
