"""Each rule that once lived in a form or a serializer, asked through both doors: the edit page and the API.

The rules themselves live in `workflow.py` and are enforced by the services; these
tests pin that neither door lets through what the other refuses.
"""

import pytest
from django.urls import reverse

from postmortems import services
from postmortems.models import ChecklistAssessment, FailureCategory, Postmortem, PreventionAction
from tests.api.conftest import client_for
from tests.factories import MergedPullRequestFactory, PostmortemFactory, PreventionActionFactory, RepositoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(engineer):
    return PostmortemFactory(owner=engineer, repository=RepositoryFactory(full_name="acme/forecast", team=None))


def _page_post(client, user, postmortem, **fields):
    data = {
        "pm-title": postmortem.title,
        "pm-repository": postmortem.repository_id or "",
        "pm-team": postmortem.team_id or "",
        "actions-TOTAL_FORMS": "1",
        "actions-INITIAL_FORMS": "0",
        "actions-0-kind": "automation",
        **fields,
    }
    client.force_login(user)
    return client.post(reverse("postmortem_edit", args=[postmortem.pk]), data)


def _api_patch(user, path, body):
    return client_for(user).patch(path, body, format="json")


def test_introducing_pr_of_another_repository_is_refused_by_page_and_api(client, draft, engineer):
    foreign = MergedPullRequestFactory(repository=RepositoryFactory(full_name="acme/billing"), number=12)
    page = _page_post(client, engineer, draft, **{"pm-introduced_by_number": "12"})
    assert page.status_code == 400
    assert "We have no record of that PR being merged in this repository." in page.content.decode()
    api = _api_patch(engineer, f"/api/v1/postmortems/{draft.pk}/", {"introduced_by": foreign.pk})
    assert api.status_code == 400
    assert api.json() == {"introduced_by": ["The introducing PR must be a merged PR of this record's repository."]}
    assert Postmortem.objects.get(pk=draft.pk).introduced_by is None


def test_introducing_pr_of_the_records_repository_is_taken_by_page_and_api(client, draft, engineer):
    first = MergedPullRequestFactory(repository=draft.repository, number=5)
    second = MergedPullRequestFactory(repository=draft.repository, number=6)
    assert _page_post(client, engineer, draft, **{"pm-introduced_by_number": "5"}).status_code == 302
    assert Postmortem.objects.get(pk=draft.pk).introduced_by == first
    api = _api_patch(engineer, f"/api/v1/postmortems/{draft.pk}/", {"introduced_by": second.pk})
    assert api.status_code == 200 and api.json()["introduced_by"]["number"] == 6


def test_a_retired_category_is_not_newly_chosen_through_either_door(client, draft, engineer):
    retired = FailureCategory.objects.create(name="Old ways", slug="old-ways", is_active=False)
    page = _page_post(client, engineer, draft, **{"pm-category": str(retired.pk)})
    assert page.status_code == 400 and "Select a valid choice" in page.content.decode()
    api = _api_patch(engineer, f"/api/v1/postmortems/{draft.pk}/", {"category": "old-ways"})
    assert api.status_code == 400
    assert api.json() == {"category": ["“Old ways” is retired; choose an active category."]}
    assert Postmortem.objects.get(pk=draft.pk).category is None


def test_a_record_keeps_its_retired_category_through_either_door(client, draft, engineer):
    retired = FailureCategory.objects.create(name="Old ways", slug="old-ways", is_active=False)
    Postmortem.objects.filter(pk=draft.pk).update(category=retired)
    draft.refresh_from_db()
    page = _page_post(client, engineer, draft, **{"pm-category": str(retired.pk), "pm-summary": "Page"})
    assert page.status_code == 302
    api = _api_patch(engineer, f"/api/v1/postmortems/{draft.pk}/", {"category": "old-ways", "summary": "API"})
    assert api.status_code == 200, api.content
    assert Postmortem.objects.get(pk=draft.pk).summary == "API"


def test_a_blank_title_is_refused_by_page_and_api(client, draft, engineer):
    page = _page_post(client, engineer, draft, **{"pm-title": "   "})
    assert page.status_code == 400 and "This field is required." in page.content.decode()
    api = _api_patch(engineer, f"/api/v1/postmortems/{draft.pk}/", {"title": "   "})
    assert api.status_code == 400 and "title" in api.json()
    assert Postmortem.objects.get(pk=draft.pk).title == draft.title


def test_an_unassessed_draft_is_assessed_against_the_checklist_in_force_through_either_door(
    client, draft, engineer, lead
):
    template = draft.checklist_version.template
    revised = services.checklist_template_revise(template=template, actor=lead, items=["Compare row counts"])
    client.force_login(engineer)
    assert "Compare row counts" in client.get(reverse("postmortem_edit", args=[draft.pk])).content.decode()
    step = revised.items.get()
    api = client_for(engineer).put(
        f"/api/v1/postmortems/{draft.pk}/checklist/", [{"item": step.pk, "status": "followed"}], format="json"
    )
    assert api.status_code == 200
    assert api.json()["checklist"][0]["text"] == "Compare row counts"


def test_an_action_never_changes_record_through_the_api(engineer, draft):
    action = PreventionActionFactory(postmortem=draft)
    mine_too = PostmortemFactory(owner=engineer)
    api = _api_patch(engineer, f"/api/v1/actions/{action.pk}/", {"postmortem": mine_too.pk})
    assert api.status_code == 400
    assert api.json() == {"postmortem": ["An action cannot move to another postmortem."]}
    assert PreventionAction.objects.get(pk=action.pk).postmortem == draft


def test_an_action_without_description_is_refused_by_page_and_api(client, draft, engineer):
    action = PreventionActionFactory(postmortem=draft)
    page = _page_post(
        client,
        engineer,
        draft,
        **{
            "actions-INITIAL_FORMS": "1",
            "actions-0-id": str(action.pk),
            "actions-0-description": "   ",
        },
    )
    assert page.status_code == 400 and "Describe the action." in page.content.decode()
    api = _api_patch(engineer, f"/api/v1/actions/{action.pk}/", {"description": "   "})
    assert api.status_code == 400 and "description" in api.json()
    assert PreventionAction.objects.get(pk=action.pk).description == action.description


def _prefilled(draft):
    """A step the deployment evidence answered `skipped`, as the tracker writes it."""
    item = draft.checklist_version.items.get(evidence_rule="staging_checks")
    return ChecklistAssessment.objects.create(
        postmortem=draft,
        item=item,
        status="skipped",
        source="evidence",
        evidence=[{"label": "production deployment of bbbbbbb", "url": "https://ci.example.com/1", "id": None}],
        evidence_status="skipped",
        evidence_reason="no downstream-e2e check on bbbbbbb before production (deployed 10 Mar 15:00)",
    )


def test_overriding_an_evidence_answer_needs_a_reason_on_the_edit_page(client, draft, engineer):
    item = _prefilled(draft).item
    refused = _page_post(client, engineer, draft, **{f"item-{item.pk}-status": "followed"})
    assert refused.status_code == 400
    assert "say why your answer differs" in refused.content.decode()
    assert ChecklistAssessment.objects.get(item=item, postmortem=draft).status == "skipped"
    taken = _page_post(
        client,
        engineer,
        draft,
        **{f"item-{item.pk}-status": "followed", f"item-{item.pk}-override_reason": "Ran it by hand in staging."},
    )
    assert taken.status_code == 302
    row = ChecklistAssessment.objects.get(item=item, postmortem=draft)
    assert (row.status, row.source, row.evidence_status) == ("followed", "person", "skipped")
    page = client.get(reverse("postmortem_detail", args=[draft.pk])).content.decode()
    assert "Ran it by hand in staging." in page and "no downstream-e2e check on bbbbbbb" in page


def test_overriding_an_evidence_answer_needs_a_reason_in_the_api(draft, engineer):
    item = _prefilled(draft).item
    path = f"/api/v1/postmortems/{draft.pk}/checklist/"
    refused = client_for(engineer).put(path, [{"item": item.pk, "status": "followed"}], format="json")
    assert refused.status_code == 400
    assert "override_reason" in refused.json()
    body = [{"item": item.pk, "status": "followed", "override_reason": "Ran it by hand in staging."}]
    taken = client_for(engineer).put(path, body, format="json")
    assert taken.status_code == 200
    entry = next(e for e in taken.json()["checklist"] if e["item"] == item.pk)
    assert entry["source"] == "person" and entry["override_reason"] == "Ran it by hand in staging."
    assert entry["evidence_status"] == "skipped" and entry["evidence"][0]["url"] == "https://ci.example.com/1"
    assert entry["evidence_rule"] == "staging_checks"


def test_an_untouched_evidence_answer_follows_the_new_introducing_pr_on_the_edit_page(client, draft, engineer):
    prefilled = _prefilled(draft)
    MergedPullRequestFactory(repository=draft.repository, number=5)  # no evidence: its verdict says nothing
    item = prefilled.item
    response = _page_post(
        client, engineer, draft, **{"pm-introduced_by_number": "5", f"item-{item.pk}-status": "skipped"}
    )
    assert response.status_code == 302
    # The step was not touched, so it is not re-saved as the person's: the evidence withdrew its answer.
    assert not ChecklistAssessment.objects.filter(postmortem=draft, item=item).exists()
