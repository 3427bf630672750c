"""Submit, approve, request changes, dismiss and action status, as explicit POSTs."""

import pytest
from django.urls import reverse

from postmortems import services
from postmortems.choices import ActionKind, ActionStatus, PostmortemStatus, ReviewEventKind
from tests.factories import PreventionActionFactory, ready_to_submit
from tests.web.conftest import signed_in

# Every test here touches the database (some through fixtures chosen at run time).
pytestmark = pytest.mark.django_db


def _in_review(engineer, repository):
    pm = ready_to_submit(owner=engineer, repository=repository)
    return services.postmortem_submit(postmortem=pm, actor=engineer)


def test_submitting_an_empty_draft_shows_the_reasons_on_the_edit_form(client, draft, engineer):
    response = signed_in(client, engineer).post(reverse("postmortem_submit", args=[draft.pk]))
    assert response.status_code == 400
    page = response.content.decode()
    assert "It cannot be submitted yet" in page
    assert "Explain the root cause in at least 40 characters." in page
    assert f'action="{reverse("postmortem_edit", args=[draft.pk])}"' in page
    draft.refresh_from_db()
    assert draft.status == PostmortemStatus.DRAFT


def test_submitting_a_complete_draft_sends_it_to_review(client, engineer, repository):
    pm = ready_to_submit(owner=engineer, repository=repository)
    response = signed_in(client, engineer).post(reverse("postmortem_submit", args=[pm.pk]))
    assert response.status_code == 302
    pm.refresh_from_db()
    assert pm.status == PostmortemStatus.IN_REVIEW


def test_owner_cannot_approve_and_lead_can(client, engineer, lead, repository):
    pm = _in_review(engineer, repository)
    assert signed_in(client, engineer).post(reverse("postmortem_approve", args=[pm.pk])).status_code == 403
    assert signed_in(client, lead).post(reverse("postmortem_approve", args=[pm.pk])).status_code == 302
    pm.refresh_from_db()
    assert (pm.status, pm.reviewer) == (PostmortemStatus.APPROVED, lead)


def test_staff_can_approve(client, engineer, staff, repository):
    pm = _in_review(engineer, repository)
    assert signed_in(client, staff).post(reverse("postmortem_approve", args=[pm.pk])).status_code == 302
    pm.refresh_from_db()
    assert pm.status == PostmortemStatus.APPROVED


def test_lead_cannot_approve_their_own_record(client, lead, repository):
    pm = _in_review(lead, repository)
    assert signed_in(client, lead).post(reverse("postmortem_approve", args=[pm.pk])).status_code == 403


def test_request_changes_needs_a_comment(client, engineer, lead, repository):
    pm = _in_review(engineer, repository)
    client = signed_in(client, lead)
    response = client.post(reverse("postmortem_request_changes", args=[pm.pk]), {"comment": " "})
    assert response.status_code == 400
    assert "Say what needs to change." in response.content.decode()
    response = client.post(reverse("postmortem_request_changes", args=[pm.pk]), {"comment": "Add a monitoring action"})
    assert response.status_code == 302
    pm.refresh_from_db()
    assert pm.status == PostmortemStatus.DRAFT
    page = signed_in(client, engineer).get(reverse("postmortem_detail", args=[pm.pk])).content.decode()
    assert "Add a monitoring action" in page


def test_dismiss_is_for_leads_and_needs_a_reason(client, draft, engineer, lead):
    assert (
        signed_in(client, engineer).post(reverse("postmortem_dismiss", args=[draft.pk]), {"reason": "x"}).status_code
        == 403
    )
    client = signed_in(client, lead)
    assert client.post(reverse("postmortem_dismiss", args=[draft.pk]), {"reason": ""}).status_code == 400
    response = client.post(reverse("postmortem_dismiss", args=[draft.pk]), {"reason": "Dependency bump, not a fix"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == PostmortemStatus.DISMISSED
    assert draft.review_events.filter(kind=ReviewEventKind.DISMISSED).exists()


def test_done_needs_evidence_for_a_test_action(client, engineer, repository):
    pm = ready_to_submit(owner=engineer, repository=repository)
    action = PreventionActionFactory(postmortem=pm, kind=ActionKind.TEST, description="Add a schema test")
    client = signed_in(client, engineer)
    url = reverse("action_status", args=[action.pk])
    response = client.post(url, {f"a{action.pk}-status": "done", f"a{action.pk}-evidence_url": ""})
    assert response.status_code == 400
    assert "needs the URL of what proves it" in response.content.decode()
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN
    response = client.post(
        url,
        {
            f"a{action.pk}-status": "done",
            f"a{action.pk}-evidence_url": "https://github.com/acme/forecast/pull/50",
            "next": "/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


def test_action_status_ignores_offsite_next(client, engineer, repository):
    pm = ready_to_submit(owner=engineer, repository=repository)
    action = pm.actions.get()
    response = signed_in(client, engineer).post(
        reverse("action_status", args=[action.pk]),
        {f"a{action.pk}-status": "in_progress", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("postmortem_detail", args=[pm.pk])


def test_action_status_stays_open_after_approval(client, engineer, lead, repository):
    pm = _in_review(engineer, repository)
    services.postmortem_approve(postmortem=pm, actor=lead)
    action = pm.actions.get()
    response = signed_in(client, engineer).post(
        reverse("action_status", args=[action.pk]), {f"a{action.pk}-status": "in_progress"}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS


def test_action_status_by_role(client, engineer, other_engineer, lead, team, repository):
    pm = ready_to_submit(owner=engineer, repository=repository)
    action = pm.actions.get()
    url = reverse("action_status", args=[action.pk])
    assert signed_in(client, other_engineer).get(url).status_code == 404  # cannot see the record
    team.members.add(other_engineer)
    assert signed_in(client, other_engineer).get(url).status_code == 403  # sees it, may not move it
    assert signed_in(client, lead).get(url).status_code == 200
    assert signed_in(client, engineer).get(url).status_code == 200
