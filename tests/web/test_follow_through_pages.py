"""Lead pages of SPEC §11: a team's Slack webhook (write-only, shown masked), the test message and
its outcome, turning action issues on and filing the open actions; the issue on the record page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from postmortems import services
from postmortems.choices import ActionKind, IssueSyncState
from postmortems.models import ActionIssue, Repository, Team
from postmortems.services.issue_events import NO_EVIDENCE_NOTE
from tests.factories import PreventionActionFactory
from tests.github.conftest import celery_eager  # noqa: F401 - autouse here: tasks run in-process
from tests.slack.fake_slack import SlackReply
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_a_lead_sets_a_webhook_and_only_its_end_is_ever_shown(client, lead, team, fake_slack):
    client = signed_in(client, lead)
    url = fake_slack.url("T1/B2/verySECRETend9")
    response = client.post(reverse("team_edit", args=[team.slug]), {"slack_webhook_url": url})
    assert response.status_code == 302
    assert Team.objects.get(pk=team.pk).slack_webhook_url == url
    for page in (reverse("team_edit", args=[team.slug]), reverse("team_list")):
        html = client.get(page).content.decode()
        assert "verySECRET" not in html
        assert "…end9" in html


def test_a_url_that_is_not_a_slack_webhook_is_refused_without_echoing_it(client, lead, team):
    response = signed_in(client, lead).post(
        reverse("team_edit", args=[team.slug]), {"slack_webhook_url": "https://evil.example/services/hushHUSH"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Use a Slack incoming-webhook URL" in html and "hushHUSH" not in html
    assert Team.objects.get(pk=team.pk).slack_webhook_url == ""


def test_an_empty_field_keeps_the_webhook_and_remove_clears_it(client, lead, team, fake_slack):
    team.slack_webhook_url = fake_slack.url()
    team.save()
    client = signed_in(client, lead)
    client.post(reverse("team_edit", args=[team.slug]), {"slack_webhook_url": ""})
    assert Team.objects.get(pk=team.pk).slack_webhook_url == fake_slack.url()
    client.post(reverse("team_edit", args=[team.slug]), {"slack_webhook_url": "", "remove": "on"})
    assert Team.objects.get(pk=team.pk).slack_webhook_url == ""


def test_send_a_test_message_reports_delivery_then_the_error(client, lead, team, fake_slack):
    team.slack_webhook_url = fake_slack.url()
    team.save()
    client = signed_in(client, lead)
    page = client.post(reverse("team_slack_test", args=[team.slug]), follow=True).content.decode()
    assert "Test message delivered to the Slack channel of Forecasting." in page
    assert len(fake_slack.posted) == 1
    fake_slack.reply(SlackReply(404, "no_service"))
    page = client.post(reverse("team_slack_test", args=[team.slug]), follow=True).content.decode()
    assert "The test message was not delivered" in page and "no_service" in page
    # The settings page keeps showing the last error, with its time, to leads.
    page = client.get(reverse("team_edit", args=[team.slug])).content.decode()
    assert "Last error" in page and "no_service" in page


@pytest.mark.parametrize("name", ["team_edit", "team_slack_test"])
def test_team_settings_are_for_leads(client, engineer, team, name):
    client = signed_in(client, engineer)
    assert client.post(reverse(name, args=[team.slug]), {"slack_webhook_url": ""}).status_code == 403
    assert client.get(reverse("team_edit", args=[team.slug])).status_code == 403


def test_turning_action_issues_on_offers_to_file_the_open_actions(
    client, lead, draft, repository, fake_github, django_capture_on_commit_callbacks
):
    issues = fake_github.serve_issues()
    PreventionActionFactory(postmortem=draft, kind=ActionKind.MONITORING)
    client = signed_in(client, lead)
    form = {"postmortem_due_days": 5, "writeback_enabled": "on", "team": repository.team_id, "action_issues": "on"}
    response = client.post(reverse("repository_edit", args=[repository.pk]), form)
    assert response["Location"] == reverse("repository_edit", args=[repository.pk])
    page = client.get(response["Location"]).content.decode()
    assert "File issues for the 1 open action" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("repository_file_issues", args=[repository.pk]))
    assert len(issues.in_repo("acme/forecast")) == 1
    assert "Every open action has its issue." in client.get(response["Location"]).content.decode()


def test_a_bad_tracking_repository_is_refused(client, lead, repository):
    form = {"postmortem_due_days": 5, "action_issues": "on", "action_issue_repository": "acme/../secrets"}
    response = signed_in(client, lead).post(reverse("repository_edit", args=[repository.pk]), form)
    assert response.status_code == 400
    assert "Give the tracking repository as &quot;owner/name&quot;" in response.content.decode()
    assert not Repository.objects.get(pk=repository.pk).action_issues


def test_an_engineer_cannot_file_issues(client, engineer, repository):
    assert signed_in(client, engineer).post(reverse("repository_file_issues", args=[repository.pk])).status_code == 403


def test_the_record_page_shows_each_actions_issue_and_its_note(client, engineer, draft):
    action = PreventionActionFactory(postmortem=draft, kind=ActionKind.TEST)
    ActionIssue.objects.create(
        action=action,
        repository="acme/forecast",
        number=12,
        url="https://github.com/acme/forecast/issues/12",
        state=IssueSyncState.DONE,
        note=NO_EVIDENCE_NOTE,
    )
    html = signed_in(client, engineer).get(reverse("postmortem_detail", args=[draft.pk])).content.decode()
    assert '<a href="https://github.com/acme/forecast/issues/12" rel="noopener noreferrer">acme/forecast#12</a>' in html
    assert "closed on GitHub without a linked change — add the evidence" in html
    services.action_remove(action=action, actor=None)  # gone from the page with its action
    assert (
        "acme/forecast#12"
        not in signed_in(client, engineer).get(reverse("postmortem_detail", args=[draft.pk])).content.decode()
    )
