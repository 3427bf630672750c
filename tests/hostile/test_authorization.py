"""SPEC §8's authorization, tried as an engineer who wants more than their share.

One rule for every door: each attempt goes through the API and the page (or the
service, for what no page offers), and each would have got through before the rule.
"""

import pytest
from django.urls import reverse

from postmortems import services
from postmortems.choices import PostmortemStatus
from postmortems.models import Postmortem
from postmortems.selectors import review_queue
from postmortems.workflow import NotAllowed
from tests.api.conftest import client_for
from tests.factories import (
    CompletePostmortemFactory,
    EngineerFactory,
    MergedPullRequestFactory,
    PostmortemFactory,
    PreventionActionFactory,
    RepositoryFactory,
    TeamFactory,
    assess_all,
    ready_to_submit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def teams(engineer):
    """`engineer` is in forecasting; billing is another team; acme/tools belongs to no team."""
    ours, theirs = TeamFactory(slug="forecasting"), TeamFactory(slug="billing")
    ours.members.add(engineer)
    theirs.members.add(EngineerFactory(username="billing-engineer"))
    return {
        "ours": ours,
        "theirs": theirs,
        "our_repo": RepositoryFactory(full_name="acme/forecast", team=ours),
        "their_repo": RepositoryFactory(full_name="acme/billing", team=theirs),
        "no_team_repo": RepositoryFactory(full_name="acme/tools", team=None),
    }


def _their_draft(teams) -> tuple[Postmortem, int]:
    """The other team's hotfix PR with the draft the webhook opened for it."""
    pr = MergedPullRequestFactory(repository=teams["their_repo"], number=7, is_hotfix=True)
    draft, _ = services.postmortem_open_for_hotfix(merged_pr=pr)
    return draft, pr.pk


def _page(client, user):
    client.force_login(user)
    return client


# --- linking another team's PR ---------------------------------------------------------------


def test_engineer_cannot_link_another_teams_pr_through_the_api(engineer, teams):
    mine = PostmortemFactory(owner=engineer, repository=None, team=None)
    theirs, pr_id = _their_draft(teams)
    response = client_for(engineer).post(
        f"/api/v1/postmortems/{mine.pk}/hotfix-prs/", {"merged_pr": pr_id}, format="json"
    )
    assert response.status_code == 400 and "merged_pr" in response.json()
    theirs.refresh_from_db()
    assert theirs.status == PostmortemStatus.DRAFT and theirs.hotfix_prs.get().merged_pr_id == pr_id


def test_engineer_cannot_link_another_teams_pr_through_the_page(client, engineer, teams):
    mine = PostmortemFactory(owner=engineer, repository=None, team=None)
    theirs, _ = _their_draft(teams)
    response = _page(client, engineer).post(
        reverse("postmortem_link_hotfix", args=[mine.pk]), {"repository": teams["their_repo"].pk, "number": 7}
    )
    assert response.status_code == 400
    assert "We have no record of that PR" in response.content.decode()
    assert Postmortem.objects.get(pk=theirs.pk).status == PostmortemStatus.DRAFT


def test_the_service_refuses_another_teams_pr_whatever_door_asks(engineer, teams):
    mine = PostmortemFactory(owner=engineer, repository=None, team=None)
    theirs, _ = _their_draft(teams)
    with pytest.raises(NotAllowed, match="your teams"):
        services.postmortem_link_hotfix_pr(postmortem=mine, merged_pr=theirs.hotfix_prs.get().merged_pr, actor=engineer)
    assert Postmortem.objects.get(pk=theirs.pk).status == PostmortemStatus.DRAFT


def test_taking_a_pr_from_another_draft_is_a_leads_move_at_both_doors(client, engineer, lead, teams):
    repo = teams["our_repo"]
    mine = PostmortemFactory(owner=engineer, repository=repo)
    pr = MergedPullRequestFactory(repository=repo, number=8, is_hotfix=True)
    other, _ = services.postmortem_open_for_hotfix(merged_pr=pr)
    api = client_for(engineer).post(f"/api/v1/postmortems/{mine.pk}/hotfix-prs/", {"merged_pr": pr.pk}, format="json")
    assert api.status_code == 403
    page = _page(client, engineer).post(
        reverse("postmortem_link_hotfix", args=[mine.pk]), {"repository": repo.pk, "number": 8}
    )
    assert page.status_code == 403
    other.refresh_from_db()
    assert other.status == PostmortemStatus.DRAFT and other.hotfix_prs.get().merged_pr == pr
    by_lead = client_for(lead).post(f"/api/v1/postmortems/{mine.pk}/hotfix-prs/", {"merged_pr": pr.pk}, format="json")
    assert by_lead.status_code == 200
    assert Postmortem.objects.get(pk=other.pk).status == PostmortemStatus.DISMISSED


def test_engineer_links_an_uncovered_pr_of_their_team(engineer, teams):
    repo = teams["our_repo"]
    mine = PostmortemFactory(owner=engineer, repository=repo)
    pr = MergedPullRequestFactory(repository=repo)
    response = client_for(engineer).post(
        f"/api/v1/postmortems/{mine.pk}/hotfix-prs/", {"merged_pr": pr.pk}, format="json"
    )
    assert response.status_code == 200
    assert [p["number"] for p in response.json()["hotfix_prs"]] == [pr.number]


# --- opening, re-owning and re-teaming records ----------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"owner": "the-lead"}, "owner"),
        ({"repository": "acme/billing"}, "repository"),
        ({"team": "billing"}, "team"),
    ],
)
def test_engineer_opens_records_only_for_themselves_in_their_teams(engineer, lead, teams, body, field):
    response = client_for(engineer).post("/api/v1/postmortems/", {"title": "Mine, I said", **body}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Postmortem.objects.filter(title="Mine, I said").exists()


@pytest.mark.parametrize(
    "body", [{}, {"repository": "acme/forecast"}, {"repository": "acme/tools"}, {"team": "forecasting"}]
)
def test_engineer_opens_records_in_their_teams_or_in_none(engineer, teams, body):
    response = client_for(engineer).post("/api/v1/postmortems/", {"title": "Fine", **body}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["owner"] == engineer.username


def test_the_new_record_page_refuses_another_teams_repository_and_team(client, engineer, teams):
    page = _page(client, engineer)
    refused = page.post(reverse("postmortem_create"), {"title": "Elsewhere", "repository": teams["their_repo"].pk})
    assert refused.status_code == 400
    assert "You can open records only in repositories of your teams" in refused.content.decode()
    refused = page.post(reverse("postmortem_create"), {"title": "Elsewhere", "team": teams["theirs"].pk})
    assert refused.status_code == 400 and "You can open records only in your own teams." in refused.content.decode()
    assert not Postmortem.objects.filter(title="Elsewhere").exists()


def test_a_lead_opens_records_anywhere_for_anyone(engineer, lead, teams):
    response = client_for(lead).post(
        "/api/v1/postmortems/",
        {"title": "For you", "owner": engineer.username, "repository": "acme/billing"},
        format="json",
    )
    assert response.status_code == 201
    assert (response.json()["owner"], response.json()["team"]) == (engineer.username, "billing")


def test_engineer_cannot_move_their_record_to_another_team_or_its_repositories(engineer, lead, teams):
    mine = PostmortemFactory(owner=engineer, repository=teams["our_repo"])
    url = f"/api/v1/postmortems/{mine.pk}/"
    team = client_for(engineer).patch(url, {"team": "billing"}, format="json")
    assert team.status_code == 400 and team.json() == {"team": ["Only a lead moves a record to another team."]}
    repo = client_for(engineer).patch(url, {"repository": "acme/billing"}, format="json")
    assert repo.status_code == 400 and "repository" in repo.json()
    assert client_for(engineer).patch(url, {"repository": "acme/tools"}, format="json").status_code == 200
    assert client_for(lead).patch(url, {"team": "billing"}, format="json").status_code == 200
    assert Postmortem.objects.get(pk=mine.pk).team == teams["theirs"]


def test_the_edit_page_offers_team_and_owner_to_leads_only(client, engineer, lead, teams):
    mine = PostmortemFactory(owner=engineer, repository=teams["our_repo"])
    as_engineer = _page(client, engineer).get(reverse("postmortem_edit", args=[mine.pk])).content.decode()
    assert 'name="pm-team"' not in as_engineer and 'name="pm-owner"' not in as_engineer
    # A forged field changes nothing.
    data = {
        "pm-title": mine.title,
        "pm-repository": mine.repository_id,
        "pm-team": teams["theirs"].pk,
        "actions-TOTAL_FORMS": "0",
        "actions-INITIAL_FORMS": "0",
    }
    assert client.post(reverse("postmortem_edit", args=[mine.pk]), data).status_code == 302
    assert Postmortem.objects.get(pk=mine.pk).team == teams["ours"]
    as_lead = _page(client, lead).get(reverse("postmortem_edit", args=[mine.pk])).content.decode()
    assert 'name="pm-team"' in as_lead and 'name="pm-owner"' in as_lead


# --- nobody approves alone --------------------------------------------------------------------


def test_a_lead_who_filled_and_submitted_an_unowned_record_cannot_approve_it(client, lead, other_lead):
    unowned = ready_to_submit(owner=None)
    unowned.actions.update(owner=EngineerFactory(username="action-owner"))
    services.postmortem_update(postmortem=unowned, actor=lead, summary="Filled in by the lead")
    services.postmortem_submit(postmortem=unowned, actor=lead)
    api = client_for(lead).post(f"/api/v1/postmortems/{unowned.pk}/approve/")
    assert api.status_code == 403
    page = _page(client, lead)
    assert (
        reverse("postmortem_approve", args=[unowned.pk])
        not in page.get(reverse("postmortem_detail", args=[unowned.pk])).content.decode()
    )
    assert page.post(reverse("postmortem_approve", args=[unowned.pk])).status_code == 403
    assert unowned.pk not in [pm.pk for pm in review_queue(lead)]
    assert Postmortem.objects.get(pk=unowned.pk).status == PostmortemStatus.IN_REVIEW
    assert client_for(other_lead).post(f"/api/v1/postmortems/{unowned.pk}/approve/").status_code == 200


def test_a_lead_does_not_approve_a_record_they_filed_for_someone_else(engineer, lead, other_lead):
    filled = CompletePostmortemFactory.build()
    fields = ["severity", "summary", "impact", "detected_at", "resolved_at", "detection_method", "trigger"]
    postmortem = services.postmortem_create(
        actor=lead,
        title="Filed by the lead",
        owner=engineer,
        root_cause=filled.root_cause,
        category=filled.category,
        **{name: getattr(filled, name) for name in fields},
    )
    PreventionActionFactory(postmortem=postmortem, owner=engineer)
    assess_all(postmortem)
    services.postmortem_submit(postmortem=postmortem, actor=engineer)
    with pytest.raises(NotAllowed, match="filed"):
        services.postmortem_approve(postmortem=postmortem, actor=lead)
    services.postmortem_approve(postmortem=postmortem, actor=other_lead)
    assert Postmortem.objects.get(pk=postmortem.pk).status == PostmortemStatus.APPROVED


def test_a_lead_sent_back_and_resubmitted_by_the_owner_still_cannot_approve_their_own_submission(
    engineer, lead, other_lead
):
    postmortem = ready_to_submit(owner=engineer)
    services.postmortem_submit(postmortem=postmortem, actor=lead)
    services.postmortem_request_changes(postmortem=postmortem, actor=other_lead, comment="Name the column.")
    services.postmortem_submit(postmortem=postmortem, actor=engineer)
    with pytest.raises(NotAllowed):
        services.postmortem_approve(postmortem=postmortem, actor=lead)


# --- lists follow visibility -------------------------------------------------------------------


def test_merged_prs_list_shows_an_engineer_only_what_they_may_see(engineer, lead, teams):
    ours = MergedPullRequestFactory(repository=teams["our_repo"])
    no_team = MergedPullRequestFactory(repository=teams["no_team_repo"])
    theirs = MergedPullRequestFactory(repository=teams["their_repo"])
    covering_mine = MergedPullRequestFactory(repository=teams["their_repo"], is_hotfix=True)
    record, _ = services.postmortem_open_for_hotfix(merged_pr=covering_mine)
    Postmortem.objects.filter(pk=record.pk).update(owner=engineer)  # their PR, but my record
    listed = {pr["id"] for pr in client_for(engineer).get("/api/v1/merged-prs/").json()["results"]}
    assert listed == {ours.pk, no_team.pk, covering_mine.pk}
    assert client_for(engineer).get(f"/api/v1/merged-prs/{theirs.pk}/").status_code == 404
    everything = {pr["id"] for pr in client_for(lead).get("/api/v1/merged-prs/").json()["results"]}
    assert theirs.pk in everything


def test_merged_prs_count_is_what_the_engineer_may_see_with_and_without_filters(engineer, lead, teams):
    """The list's total is counted in two parts (their repositories; covered PRs elsewhere): it must
    still be the number of PRs listed, each once, whatever the filter."""
    ours = MergedPullRequestFactory(repository=teams["our_repo"])
    our_hotfix = MergedPullRequestFactory(repository=teams["our_repo"], is_hotfix=True)
    services.postmortem_open_for_hotfix(merged_pr=our_hotfix)  # covered and in our repository: once
    no_team = MergedPullRequestFactory(repository=teams["no_team_repo"])
    MergedPullRequestFactory(repository=teams["their_repo"])
    covering_mine = MergedPullRequestFactory(repository=teams["their_repo"], is_hotfix=True)
    record, _ = services.postmortem_open_for_hotfix(merged_pr=covering_mine)
    Postmortem.objects.filter(pk=record.pk).update(owner=engineer)

    def listed(query=""):
        body = client_for(engineer).get(f"/api/v1/merged-prs/{query}").json()
        assert body["count"] == len(body["results"])
        return {pr["id"] for pr in body["results"]}

    assert listed() == {ours.pk, our_hotfix.pk, no_team.pk, covering_mine.pk}
    assert listed("?repository=acme/billing") == {covering_mine.pk}
    assert listed("?repository=acme/forecast") == {ours.pk, our_hotfix.pk}
    assert listed("?is_hotfix=true") == {our_hotfix.pk, covering_mine.pk}
    assert client_for(lead).get("/api/v1/merged-prs/").json()["count"] == 5


def test_teams_list_shows_members_to_the_team_and_to_leads_only(engineer, lead, teams):
    as_engineer = {t["slug"]: t["members"] for t in client_for(engineer).get("/api/v1/teams/").json()["results"]}
    assert as_engineer == {"forecasting": ["owner-engineer"], "billing": []}
    detail = client_for(engineer).get("/api/v1/teams/billing/").json()
    assert detail["members"] == []
    as_lead = {t["slug"]: t["members"] for t in client_for(lead).get("/api/v1/teams/").json()["results"]}
    assert as_lead == {"forecasting": ["owner-engineer"], "billing": ["billing-engineer"]}
