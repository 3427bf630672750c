"""API fields of SPEC §11: an action's issue, a repository's action-issue switches, a team's
write-only Slack webhook read back as configured + hint."""

from __future__ import annotations

import pytest

from postmortems.choices import IssueSyncState
from postmortems.models import ActionIssue, Team
from tests.api.conftest import client_for
from tests.factories import PostmortemFactory, PreventionActionFactory, RepositoryFactory, TeamFactory

pytestmark = pytest.mark.django_db

HOOK = "https://hooks.slack.com/services/T0AAAA/B0BBBB/q1w2e3r4XyZ9"


def test_an_action_carries_its_issue(engineer):
    record = PostmortemFactory(owner=engineer, team=None)
    filed = PreventionActionFactory(postmortem=record)
    plain = PreventionActionFactory(postmortem=record)
    ActionIssue.objects.create(
        action=filed,
        repository="acme/forecast",
        number=7,
        url="https://github.com/acme/forecast/issues/7",
        state=IssueSyncState.DONE,
        note="closed on GitHub without a linked change — add the evidence",
    )
    api = client_for(engineer)
    body = api.get(f"/api/v1/actions/{filed.pk}/").json()
    assert body["issue_url"] == "https://github.com/acme/forecast/issues/7"
    assert (body["issue_repository"], body["issue_number"], body["issue_state"]) == ("acme/forecast", 7, "done")
    assert body["issue_note"].startswith("closed on GitHub without a linked change")
    none = api.get(f"/api/v1/actions/{plain.pk}/").json()
    assert (none["issue_url"], none["issue_number"], none["issue_state"]) == (None, None, None)
    nested = api.get(f"/api/v1/postmortems/{record.pk}/").json()["actions"]
    assert {a["id"]: a["issue_url"] for a in nested} == {filed.pk: body["issue_url"], plain.pk: None}


def test_a_lead_switches_action_issues_on_with_a_tracking_repository(lead, engineer):
    repository = RepositoryFactory(full_name="acme/forecast")
    url = f"/api/v1/repositories/{repository.pk}/"
    change = {"action_issues": True, "action_issue_repository": "acme/actions"}
    assert client_for(engineer).patch(url, change, format="json").status_code == 403
    body = client_for(lead).patch(url, change, format="json").json()
    assert (body["action_issues"], body["action_issue_repository"]) == (True, "acme/actions")
    bad = client_for(lead).patch(url, {"action_issue_repository": "acme/a/b"}, format="json")
    assert bad.status_code == 400 and "action_issue_repository" in bad.json()


def test_a_teams_webhook_is_write_only_and_read_back_masked(lead, engineer):
    team = TeamFactory(slug="forecasting")
    url = "/api/v1/teams/forecasting/"
    assert client_for(engineer).patch(url, {"slack_webhook_url": HOOK}, format="json").status_code == 403
    response = client_for(lead).patch(url, {"slack_webhook_url": HOOK}, format="json")
    assert response.status_code == 200
    assert response.json()["slack_webhook_configured"] is True
    assert response.json()["slack_webhook_hint"] == "XyZ9"
    for body in (
        response.content,
        client_for(engineer).get(url).content,
        client_for(lead).get("/api/v1/teams/").content,
    ):
        assert b"q1w2e3r4" not in body and b"hooks.slack.com" not in body
    assert Team.objects.get(pk=team.pk).slack_webhook_url == HOOK
    cleared = client_for(lead).patch(url, {"slack_webhook_url": ""}, format="json").json()
    assert (cleared["slack_webhook_configured"], cleared["slack_webhook_hint"]) == (False, "")


def test_a_webhook_that_is_not_slacks_is_refused_without_echoing_it(lead):
    TeamFactory(slug="forecasting")
    response = client_for(lead).patch(
        "/api/v1/teams/forecasting/", {"slack_webhook_url": "https://evil.example/services/hushHUSH"}, format="json"
    )
    assert response.status_code == 400
    assert "slack_webhook_url" in response.json() and b"hushHUSH" not in response.content
    assert Team.objects.get(slug="forecasting").slack_webhook_url == ""


def test_a_teams_name_does_not_change_through_the_api(lead):
    TeamFactory(slug="forecasting", name="Forecasting")
    client_for(lead).patch("/api/v1/teams/forecasting/", {"name": "Renamed"}, format="json")
    assert Team.objects.get(slug="forecasting").name == "Forecasting"
