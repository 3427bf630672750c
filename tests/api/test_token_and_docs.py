"""The token page (create, use, replace, revoke) and the API docs served without a CDN."""

import re

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def _api(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _shown_key(response) -> str:
    match = re.search(r'<code id="api-token">([0-9a-f]{40})</code>', response.content.decode())
    assert match, "the new token is shown once"
    return match.group(1)


def test_create_use_replace_and_revoke_a_token(engineer):
    web = Client()
    web.force_login(engineer)
    page = web.get("/account/token/")
    assert page.status_code == 200
    assert "You have no API token." in page.content.decode()

    key = _shown_key(web.post("/account/token/", {"op": "create"}))
    assert _api(key).get("/api/v1/postmortems/").status_code == 200
    assert key not in web.get("/account/token/").content.decode()  # shown only once

    new_key = _shown_key(web.post("/account/token/", {"op": "create"}))
    assert new_key != key
    assert _api(key).get("/api/v1/postmortems/").status_code == 401
    assert _api(new_key).get("/api/v1/postmortems/").status_code == 200

    assert web.post("/account/token/", {"op": "revoke"}).status_code == 302
    assert not Token.objects.filter(user=engineer).exists()
    assert _api(new_key).get("/api/v1/postmortems/").status_code == 401


def test_token_page_needs_sign_in_csrf_and_a_known_operation(engineer):
    assert Client().get("/account/token/").status_code == 302
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(engineer)
    assert strict.post("/account/token/", {"op": "create"}).status_code == 403
    web = Client()
    web.force_login(engineer)
    assert web.post("/account/token/", {"op": "steal"}).status_code == 400
    assert not Token.objects.exists()


def test_docs_use_local_assets_and_a_separate_init_script(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<script>" not in html.replace(" ", "")  # no inline script: the init script is its own file
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    assert all(src.startswith("/") for src in sources), sources  # nothing from a CDN
    for src in sources:
        asset = client.get(src)
        assert asset.status_code == 200, src
    script = [src for src in sources if "script" in src]
    assert script
    assert "/api/schema/" in client.get(script[0]).content.decode()


def test_schema_is_openapi_3_with_our_operations(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    for path in (
        "/api/v1/postmortems/{id}/submit/",
        "/api/v1/postmortems/{id}/approve/",
        "/api/v1/postmortems/{id}/request-changes/",
        "/api/v1/postmortems/{id}/dismiss/",
        "/api/v1/postmortems/{id}/checklist/",
    ):
        assert "400" in paths[path][next(iter(m for m in paths[path] if m in ("post", "put")))]["responses"], path
    assert "delete" not in paths["/api/v1/postmortems/{id}/"]
    severity = document["components"]["schemas"]["SeverityEnum"]["enum"]
    assert severity == ["SEV1", "SEV2", "SEV3", "SEV4"]
