"""A postmortem's whole life through the API, as a script would drive it."""

import pytest

from postmortems.models import Postmortem
from tests.factories import FailureCategoryFactory, RepositoryFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db


def test_create_assess_submit_review_approve(engineer, lead):
    owner = client_for(engineer)
    reviewer = client_for(lead)
    repo = RepositoryFactory(full_name="acme/forecast")
    repo.team.members.add(engineer)  # engineers open records in their own teams' repositories
    FailureCategoryFactory(slug="clock-drift", name="Clock drift")

    created = owner.post(
        "/api/v1/postmortems/",
        {"title": "Forecast wrote empty output", "repository": "acme/forecast", "severity": "SEV2"},
        format="json",
    )
    assert created.status_code == 201, created.content
    record = created.json()
    pm_url = f"/api/v1/postmortems/{record['id']}/"
    assert record["status"] == "draft"
    assert record["owner"] == engineer.username
    assert record["repository"] == repo.full_name
    assert record["url"].endswith(pm_url)
    assert all(entry["status"] is None for entry in record["checklist"])

    # Submitting an empty draft: 400 with the reasons of SPEC §3, keyed by field.
    refused = owner.post(pm_url + "submit/")
    assert refused.status_code == 400
    reasons = refused.json()
    for field in ("summary", "impact", "detected_at", "detection_method", "trigger", "root_cause", "category"):
        assert field in reasons, field
    assert any("prevention action" in message for message in reasons["actions"])
    assert any("Assess the step" in message for message in reasons["checklist"])

    edited = owner.patch(
        pm_url,
        {
            "summary": "The nightly forecast produced no rows.",
            "impact": "Stores ordered nothing for a day.",
            "detected_at": "2026-03-10T07:00:00+01:00",
            "resolved_at": "2026-03-10T12:00:00+01:00",
            "detection_method": "manual_check",
            "caught_in": "staging",
            "trigger": "schema",
            "root_cause": "An upstream column was renamed and the downstream job never ran in staging.",
            "category": "untested-downstream-dependency",
            "contributing_categories": ["clock-drift"],
        },
        format="json",
    )
    assert edited.status_code == 200, edited.content
    assert edited.json()["detected_at"] == "2026-03-10T06:00:00Z"
    assert edited.json()["contributing_categories"] == ["clock-drift"]

    # Caught by eyeball: a process action alone is not enough.
    process = owner.post(
        "/api/v1/actions/",
        {
            "postmortem": record["id"],
            "description": "Write the release runbook",
            "kind": "process",
            "owner": engineer.username,
            "due_date": "2026-04-01",
        },
        format="json",
    )
    assert process.status_code == 201, process.content
    items = [entry["item"] for entry in edited.json()["checklist"]]
    assessment = [{"item": items[0], "status": "skipped", "would_have_caught": True}] + [
        {"item": item, "status": "followed"} for item in items[1:]
    ]
    assessed = owner.put(pm_url + "checklist/", assessment, format="json")
    assert assessed.status_code == 200, assessed.content
    assert assessed.json()["gap_kind"] == "skipped"
    assert owner.post(pm_url + "missing-items/", {"text": "Compare row counts"}, format="json").status_code == 201

    refused = owner.post(pm_url + "submit/")
    assert refused.status_code == 400
    assert list(refused.json()) == ["actions"]
    assert "eyeballing" in refused.json()["actions"][0]

    automation = owner.post(
        "/api/v1/actions/",
        {
            "postmortem": record["id"],
            "description": "Row-count check after each run",
            "kind": "automation",
            "owner": engineer.username,
            "due_date": "2026-04-01",
        },
        format="json",
    )
    assert automation.status_code == 201
    submitted = owner.post(pm_url + "submit/")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "in_review"
    assert submitted.json()["submitted_at"]
    assert submitted.json()["gap_kinds"] == ["skipped", "missing"]

    # In review: the owner can no longer edit; the lead sends it back with a comment.
    assert owner.patch(pm_url, {"summary": "x"}, format="json").status_code == 403
    assert reviewer.post(pm_url + "request-changes/", {"comment": ""}, format="json").status_code == 400
    back = reviewer.post(pm_url + "request-changes/", {"comment": "Link the failing job."}, format="json")
    assert back.status_code == 200
    assert back.json()["status"] == "draft"
    assert back.json()["reviewer"] == lead.username

    assert owner.patch(pm_url, {"summary": "Linked: job #42 produced no rows."}, format="json").status_code == 200
    assert owner.post(pm_url + "submit/").status_code == 200
    assert owner.post(pm_url + "approve/").status_code == 403  # never one's own
    approved = reviewer.post(pm_url + "approve/")
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert approved.json()["approved_at"]

    # Approved: read-only, except the status of its actions.
    assert owner.patch(pm_url, {"summary": "Changed later"}, format="json").status_code == 403
    assert owner.put(pm_url + "checklist/", assessment, format="json").status_code == 403
    assert owner.post(pm_url + "missing-items/", {"text": "Late idea"}, format="json").status_code == 403
    action_url = f"/api/v1/actions/{automation.json()['id']}/"
    assert owner.patch(action_url, {"description": "Changed"}, format="json").status_code == 403
    no_evidence = owner.post(action_url + "status/", {"status": "done"}, format="json")
    assert no_evidence.status_code == 400
    assert "evidence_url" in no_evidence.json()
    done = owner.post(
        action_url + "status/",
        {"status": "done", "evidence_url": "https://github.com/acme/forecast/pull/7"},
        format="json",
    )
    assert done.status_code == 200
    assert done.json()["status"] == "done"
    assert done.json()["completed_at"]
    no_reason = owner.post(f"/api/v1/actions/{process.json()['id']}/status/", {"status": "wont_do"}, format="json")
    assert no_reason.status_code == 400
    assert "wont_do_reason" in no_reason.json()
    wont = owner.post(
        f"/api/v1/actions/{process.json()['id']}/status/",
        {"status": "wont_do", "wont_do_reason": "Automated now."},
        format="json",
    )
    assert wont.status_code == 200
    assert Postmortem.objects.get(pk=record["id"]).summary == "Linked: job #42 produced no rows."


def test_dismiss_needs_a_reason_and_closes_the_record(engineer, lead):
    created = client_for(engineer).post("/api/v1/postmortems/", {"title": "Not really a hotfix"}, format="json")
    url = f"/api/v1/postmortems/{created.json()['id']}/dismiss/"
    assert client_for(lead).post(url, {}, format="json").json() == {"reason": ["This field is required."]}
    dismissed = client_for(lead).post(url, {"reason": "A docs change labelled hotfix by mistake."}, format="json")
    assert dismissed.status_code == 200
    assert dismissed.json()["status"] == "dismissed"
    assert dismissed.json()["dismissal_reason"] == "A docs change labelled hotfix by mistake."
    assert client_for(lead).post(url, {"reason": "again"}, format="json").status_code == 400


def test_session_authenticated_writes_need_the_csrf_token(engineer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(engineer)
    assert client.get("/api/v1/postmortems/").status_code == 200
    refused = client.post("/api/v1/postmortems/", {"title": "x"}, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]


def test_json_only_and_unknown_api_paths_answer_json(engineer):
    client = client_for(engineer)
    form = client.post("/api/v1/postmortems/", {"title": "x"})  # multipart
    assert form.status_code == 415
    assert client.post("/api/v1/nowhere/").json() == {"detail": "Not found."}
    assert client.get("/api/v1/postmortems/1.5/approve/").status_code == 404
