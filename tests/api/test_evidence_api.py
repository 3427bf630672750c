"""`POST /api/v1/evidence/` (SPEC §10): pipelines report facts with a repository's evidence token or a
person's token; idempotent on external_id; every bad input answered 4xx with field reasons, never a 500."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from postmortems import services
from postmortems.models import Evidence, EvidenceToken
from tests.factories import RepositoryFactory, TeamFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/evidence/"
SHA = "0123456789abcdef0123456789abcdef01234567"
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def repository(engineer):
    team = TeamFactory(slug="forecasting")
    team.members.add(engineer)
    return RepositoryFactory(full_name="acme/forecast", team=team)


def token_for(repository, lead) -> str:
    _, key = services.evidence_token_create(repository=repository, actor=lead, name="Databricks nightly job")
    return key


def pipeline(key: str, keyword: str = "Bearer") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {key}")
    return client


def body(**changes) -> dict:
    values = {
        "repository": "acme/forecast",
        "sha": SHA,
        "kind": "check",
        "name": "downstream-e2e",
        "environment": "staging",
        "status": "success",
        "url": "https://adb-123.azuredatabricks.net/jobs/42/runs/7",
        "occurred_at": "2026-03-10T11:58:00Z",
        "external_id": "databricks-run-7",
    }
    values.update(changes)
    return values


def test_a_pipeline_posts_a_check_with_its_evidence_token(repository, lead):
    response = pipeline(token_for(repository, lead)).post(URL, body(), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert {k: data[k] for k in ("repository", "sha", "kind", "name", "environment", "stage", "status", "source")} == {
        "repository": "acme/forecast",
        "sha": SHA,
        "kind": "check",
        "name": "downstream-e2e",
        "environment": "staging",
        "stage": "staging",
        "status": "success",
        "source": "api",
    }
    assert (data["external_id"], data["occurred_at"]) == ("databricks-run-7", "2026-03-10T11:58:00Z")
    assert Evidence.objects.get().url == "https://adb-123.azuredatabricks.net/jobs/42/runs/7"
    assert EvidenceToken.objects.get().last_used_at == NOW


def test_the_same_external_id_and_status_again_answers_200_with_the_row(repository, lead):
    client = pipeline(token_for(repository, lead))
    first = client.post(URL, body(status="in_progress"), format="json")
    again = client.post(URL, body(status="in_progress"), format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    done = client.post(URL, body(status="success"), format="json")  # a new status of the same run: a new fact
    assert done.status_code == 201 and done.json()["id"] != first.json()["id"]
    assert Evidence.objects.count() == 2


def test_external_ids_are_the_callers_own_per_repository(repository, lead):
    other = RepositoryFactory(full_name="acme/billing", team=None)
    pipeline(token_for(repository, lead)).post(URL, body(), format="json")
    response = pipeline(token_for(other, lead)).post(URL, body(repository="acme/billing"), format="json")
    assert response.status_code == 201  # another repository's "databricks-run-7" is another fact
    assert Evidence.objects.count() == 2


def test_a_deployment_gets_its_stage_from_the_repositorys_rules(repository, lead):
    repository.environment_stages = {"prod-eu": "production"}
    repository.save()
    client = pipeline(token_for(repository, lead), keyword="Token")  # either keyword
    data = client.post(URL, body(kind="deployment", name="", environment="prod-eu"), format="json").json()
    assert (data["kind"], data["stage"]) == ("deployment", "production")


def test_occurred_at_defaults_to_now_and_the_repository_name_ignores_case(repository, lead):
    payload = body(repository="ACME/Forecast")
    del payload["occurred_at"]
    response = pipeline(token_for(repository, lead)).post(URL, payload, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["repository"], response.json()["occurred_at"]) == ("acme/forecast", "2026-03-10T12:00:00Z")


def test_a_personal_token_of_someone_who_may_see_the_repository_posts(repository, engineer, other_engineer, lead):
    assert client_for(engineer).post(URL, body(), format="json").status_code == 201
    assert client_for(lead).post(URL, body(external_id="lead-run"), format="json").status_code == 201
    refused = client_for(other_engineer).post(URL, body(external_id="x"), format="json")
    assert refused.status_code == 403 and "acme/forecast" in refused.json()["detail"]
    teamless = RepositoryFactory(full_name="acme/shared", team=None)
    assert client_for(other_engineer).post(URL, body(repository=teamless.full_name), format="json").status_code == 201


def test_another_repositorys_token_is_refused(repository, lead):
    other = RepositoryFactory(full_name="acme/billing")
    response = pipeline(token_for(other, lead)).post(URL, body(), format="json")
    assert response.status_code == 403
    assert Evidence.objects.count() == 0


def test_a_revoked_or_unknown_token_is_401(repository, lead):
    key = token_for(repository, lead)
    services.evidence_token_revoke(token=EvidenceToken.objects.get(), actor=lead)
    for credential in (key, key[:-1] + "x", "pmev_nope"):
        response = pipeline(credential).post(URL, body(), format="json")
        assert response.status_code == 401, credential
        assert response["WWW-Authenticate"] == "Token"
    assert APIClient().post(URL, body(), format="json").status_code == 401
    assert Evidence.objects.count() == 0


def test_only_the_hash_of_a_token_is_stored(repository, lead):
    key = token_for(repository, lead)
    token = EvidenceToken.objects.get()
    assert key.startswith("pmev_") and len(key) > 40
    assert key not in token.key_hash and token.key_hash != key


def test_an_evidence_token_opens_no_other_endpoint(repository, lead):
    client = pipeline(token_for(repository, lead))
    assert client.get("/api/v1/postmortems/").status_code == 401
    assert client.get("/api/v1/repositories/").status_code == 401


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"sha": "0123456"}, "sha"),
        ({"sha": "z" * 40}, "sha"),
        ({"sha": 12345}, "sha"),
        ({"repository": "acme/unknown"}, "repository"),
        ({"repository": ["acme/forecast"]}, "repository"),
        ({"status": "succeeded"}, "status"),
        ({"kind": "rumour"}, "kind"),
        ({"url": "http://ci.example.com/run/7"}, "url"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"occurred_at": "2026-03-10T12:30:00Z"}, "occurred_at"),  # half an hour ahead
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"name": "n" * 256}, "name"),
        ({"environment": "e" * 256}, "environment"),
        ({"external_id": "x" * 201}, "external_id"),
        ({"external_id": "line\nbreak"}, "external_id"),
        ({"external_id": ""}, "external_id"),
        ({"name": "", "kind": "check"}, "name"),
        ({"environment": "", "kind": "deployment"}, "environment"),
        ({"name": "nul\x00byte"}, "name"),
    ],
)
def test_bad_input_is_400_with_the_field_named(repository, lead, changes, field):
    response = pipeline(token_for(repository, lead)).post(URL, body(**changes), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Evidence.objects.count() == 0


def test_a_little_clock_skew_is_forgiven(repository, lead):
    ahead = (timezone.now() + timedelta(minutes=2)).isoformat()
    assert pipeline(token_for(repository, lead)).post(URL, body(occurred_at=ahead), format="json").status_code == 201


@pytest.mark.parametrize("payload", [[], "text", 7, None, {"sha": {"nested": True}}])
def test_wrong_shapes_are_400_never_500(repository, lead, payload):
    response = pipeline(token_for(repository, lead)).post(URL, payload, format="json")
    assert response.status_code == 400


def test_get_is_not_allowed(repository, lead):
    assert pipeline(token_for(repository, lead)).get(URL).status_code == 405


def test_the_endpoint_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/evidence/"]["post"]
    assert set(operation["responses"]) >= {"200", "201", "400", "401", "403"}
    assert {"evidenceToken": []} in operation["security"]
    assert schema["components"]["securitySchemes"]["evidenceToken"]["scheme"] == "bearer"


# --- the repository rules in the API -------------------------------------------------


def test_leads_read_and_change_the_evidence_rules_of_a_repository(repository, lead, engineer):
    url = f"/api/v1/repositories/{repository.pk}/"
    data = client_for(engineer).get(url).json()
    assert (data["environment_stages"], data["staging_branches"], data["staging_checks"], data["staging_status"]) == (
        {},
        ["stg", "staging"],
        [],
        False,
    )
    change = {
        "environment_stages": {"qa": "staging"},
        "staging_branches": ["release-candidate"],
        "staging_checks": ["downstream-e2e"],
        "staging_status": True,
    }
    assert client_for(engineer).patch(url, change, format="json").status_code == 403
    response = client_for(lead).patch(url, change, format="json")
    assert response.status_code == 200, response.content
    assert {key: response.json()[key] for key in change} == change
    bad = client_for(lead).patch(url, {"environment_stages": {"qa": "heaven"}}, format="json")
    assert bad.status_code == 400 and "environment_stages" in bad.json()
