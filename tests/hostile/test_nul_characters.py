"""U+0000 in anything a client or user sends is refused with a 400 naming the field, before
the database (PostgreSQL text cannot hold it): API bodies, query strings and forms (SPEC §8)."""

from __future__ import annotations

import json

import pytest

from postmortems.models import Postmortem, Repository
from postmortems.untrusted import NUL_MESSAGE, nul_field
from tests.api.conftest import client_for
from tests.factories import LeadFactory, RepositoryFactory, ready_to_submit

pytestmark = pytest.mark.django_db

NUL = "fix\x00me"


@pytest.fixture
def lead(db):
    return LeadFactory(username="nul-lead")


@pytest.fixture
def record(engineer):
    return ready_to_submit(owner=engineer, repository=RepositoryFactory(full_name="acme/nul"))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"team": NUL}, "team"),  # the fuzzer's find: a slug looked up in PostgreSQL
        ({"repository": NUL}, "repository"),
        ({"category": NUL}, "category"),
        ({"owner": NUL}, "owner"),
        ({"contributing_categories": ["ok", NUL]}, "contributing_categories.1"),
        ({"title": NUL}, "title"),
    ],
)
def test_a_nul_in_a_postmortem_patch_is_400_naming_the_field(lead, record, body, field):
    before = Postmortem.objects.values().get(pk=record.pk)
    response = client_for(lead).patch(f"/api/v1/postmortems/{record.pk}/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {field: [NUL_MESSAGE]}
    assert Postmortem.objects.values().get(pk=record.pk) == before


def test_a_nul_anywhere_in_other_api_bodies_is_400(lead, record):
    api = client_for(lead)
    action = record.actions.get()
    item = record.checklist_version.items.first()
    cases = [
        ("post", "/api/v1/postmortems/", {"title": "x", "team": NUL}, "team"),
        (
            "put",
            f"/api/v1/postmortems/{record.pk}/checklist/",
            [{"item": item.pk, "status": "followed", "note": NUL}],
            "0.note",
        ),
        ("patch", f"/api/v1/actions/{action.pk}/", {"owner": NUL}, "owner"),
        (
            "patch",
            f"/api/v1/repositories/{record.repository.pk}/",
            {"hotfix_labels": ["hotfix", NUL]},
            "hotfix_labels.1",
        ),
    ]
    for method, url, body, field in cases:
        response = getattr(api, method)(url, body, format="json")
        assert (response.status_code, response.json()) == (400, {field: [NUL_MESSAGE]}), url
    assert Postmortem.objects.count() == 1
    assert Repository.objects.get().hotfix_labels == ["hotfix"]


@pytest.mark.parametrize("depth", [201, 3000])
def test_deeply_nested_api_bodies_are_400_not_500(lead, depth):
    body = '{"title": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"
    response = client_for(lead).post("/api/v1/postmortems/", body, content_type="application/json")
    assert response.status_code == 400
    assert "nested deeper than 200 levels" in response.json()["detail"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/reports/monthly/?team=fix%00me",
        "/api/v1/postmortems/?ordering=fix%00me",
        "/api/v1/merged-prs/?repository=fix%00me",
    ],
)
def test_a_nul_in_an_api_query_parameter_is_400_naming_it(lead, url):
    response = client_for(lead).get(url)
    name = url.split("?")[1].split("=")[0]
    assert response.status_code == 400
    body = response.json()
    assert body[name] == [NUL_MESSAGE]  # DRF's shape
    assert (body["field"], body["detail"]) == (name, f"{name}: {NUL_MESSAGE}")  # the report API's shape


@pytest.mark.parametrize("url", ["/reports/monthly/?team=fix%00me", "/postmortems/?q=fix%00me"])
def test_a_nul_in_a_page_query_parameter_is_a_400_page_naming_it(client, lead, url):
    client.force_login(lead)
    response = client.get(url)
    assert response.status_code == 400
    name = url.split("?")[1].split("=")[0]
    assert f"The field “{name}” holds a null character" in response.content.decode()


def test_a_nul_in_a_form_is_a_400_naming_the_field(client, lead):
    client.force_login(lead)
    response = client.post("/postmortems/new/", {"title": NUL})
    assert response.status_code == 400
    assert "The field “title” holds a null character" in response.content.decode()
    assert not Postmortem.objects.exists()
    response = client.post("/settings/categories/", {"name": "Config", "description": NUL})
    assert response.status_code == 400
    assert "The field “description” holds a null character" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"a": "ok", "b": [1, {"c": "x\x00"}]}, "b.1.c"),
        ([{"note": "fine"}, {"note": "\x00"}], "1.note"),
        ("\x00", "non_field_errors"),
        ({"a": "ok", "b": [1, 2.5, None, True]}, None),
    ],
)
def test_nul_field_finds_the_path(data, path):
    assert nul_field(json.loads(json.dumps(data))) == path
