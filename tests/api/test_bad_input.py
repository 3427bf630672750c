"""Bad input answers a clear 4xx, never a 500, and leaks nothing about hidden records."""

import pytest

from postmortems.models import Postmortem
from tests.factories import RepositoryFactory, TeamFactory, ready_to_submit

from .conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(engineer):
    return client_for(engineer)


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/postmortems/?status=finished", "status"),
        ("/api/v1/postmortems/?month=2026-13", "month"),
        ("/api/v1/postmortems/?month=March", "month"),
        ("/api/v1/postmortems/?overdue=perhaps", "overdue"),
        ("/api/v1/actions/?status=later", "status"),
        ("/api/v1/merged-prs/?month=0000-00", "month"),
    ],
)
def test_bad_filters_are_400_naming_the_parameter(owner_client, url, field):
    response = owner_client.get(url)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "x", "severity": "SEV9"}, "severity"),
        ({"title": "x", "detection_method": "psychic"}, "detection_method"),
        ({"title": "x", "detected_at": "yesterday"}, "detected_at"),
        ({"title": "x", "detected_at": "2026-02-30T10:00:00Z"}, "detected_at"),
        ({"title": "x" * 301}, "title"),
        ({"title": "x", "summary": "y" * 20_001}, "summary"),
        ({"title": "x", "category": "no-such-category"}, "category"),
        ({"title": "x", "repository": "nobody/nothing"}, "repository"),
        ({"title": "x", "introduced_by": 987654}, "introduced_by"),
        ({"title": "x", "detected_at": "2026-03-10T12:00:00Z", "resolved_at": "2026-03-10T11:00:00Z"}, "resolved_at"),
        ({"title": "   "}, "title"),
        ({}, "title"),
    ],
)
def test_bad_postmortem_input_is_400_and_stores_nothing(owner_client, body, field):
    response = owner_client.post("/api/v1/postmortems/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Postmortem.objects.exists()


def test_malformed_json_and_wrong_types(owner_client):
    broken = owner_client.post("/api/v1/postmortems/", "{not json", content_type="application/json")
    assert broken.status_code == 400
    assert owner_client.post("/api/v1/postmortems/", [1, 2], format="json").status_code == 400
    assert owner_client.post("/api/v1/postmortems/", {"title": {"a": 1}}, format="json").status_code == 400


def test_oversized_body_is_refused(owner_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = owner_client.post("/api/v1/postmortems/", {"title": "x", "summary": "y" * 20_000}, format="json")
    assert response.status_code in (400, 413)


def test_records_of_other_teams_are_404_everywhere(engineer, owner_client):
    hidden = ready_to_submit(repository=RepositoryFactory(team=TeamFactory(slug="billing")))
    action = hidden.actions.get()
    assert owner_client.get(f"/api/v1/postmortems/{hidden.pk}/").status_code == 404
    assert owner_client.post(f"/api/v1/postmortems/{hidden.pk}/submit/").status_code == 404
    assert owner_client.get(f"/api/v1/actions/{action.pk}/").status_code == 404
    assert (
        owner_client.post(f"/api/v1/actions/{action.pk}/status/", {"status": "done"}, format="json").status_code == 404
    )
    # Referring to a hidden record in a body reads exactly like referring to one that does not exist.
    hidden_ref = owner_client.post(
        "/api/v1/actions/", {"postmortem": hidden.pk, "description": "x", "kind": "test"}, format="json"
    )
    missing_ref = owner_client.post(
        "/api/v1/actions/", {"postmortem": 987654, "description": "x", "kind": "test"}, format="json"
    )
    assert hidden_ref.status_code == missing_ref.status_code == 400
    assert hidden_ref.json()["postmortem"] == [
        m.replace("987654", str(hidden.pk)) for m in missing_ref.json()["postmortem"]
    ]
    assert owner_client.get("/api/v1/postmortems/?repository=" + hidden.repository.full_name).json()["count"] == 0


@pytest.mark.parametrize("path", ["/api/v1/postmortems/abc/", "/api/v1/postmortems/99999999999999999999/"])
def test_odd_ids_are_404(owner_client, path):
    assert owner_client.get(path).status_code == 404


def test_checklist_assessment_errors_are_per_entry(engineer, owner_client):
    pm = ready_to_submit(owner=engineer)
    url = f"/api/v1/postmortems/{pm.pk}/checklist/"
    assert owner_client.put(url, [], format="json").status_code == 400
    response = owner_client.put(url, [{"item": 987654, "status": "maybe"}], format="json")
    assert response.status_code == 400, response.json()
    # DRF keys the errors of list input by the entry's index.
    assert set(response.json()["0"]) == {"item", "status"}
