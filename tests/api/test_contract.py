"""The OpenAPI schema is the contract: what it says a request may hold, the API accepts,
and what the API answers, the schema describes (issue 12, SPEC §8)."""

from __future__ import annotations

import re

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import given
from hypothesis import strategies as st
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ValidationError
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from postmortems.api.schema import ANY_TEXT, NON_BLANK_TEXT, URL_TEXT
from tests.factories import MergedPullRequestFactory, ready_to_submit

from .conftest import client_for

pytestmark = pytest.mark.django_db

DOCUMENT = SchemaGenerator().get_schema(request=None, public=True)
COMPONENTS = DOCUMENT["components"]["schemas"]
CONFORMANCE = [status_code_conformance, content_type_conformance, response_schema_conformance]


def _accepts(field: serializers.Field, value) -> bool:
    try:
        field.run_validation(value)
    except ValidationError:
        return False
    return True


@given(st.text(alphabet=st.sampled_from(" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u2003\u3000\ufeff\x00aé"), max_size=6))
def test_the_text_patterns_accept_exactly_what_drf_accepts(text):
    # Python's `re` and ECMA engines read these patterns alike (no \s outside the spelled-out class).
    assert bool(re.search(NON_BLANK_TEXT, text)) == _accepts(serializers.CharField(), text)
    assert bool(re.search(ANY_TEXT, text)) == _accepts(serializers.CharField(allow_blank=True), text)


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/acme/x/pull/1",
        "http://ci.example.com/job/7?attempt=2#log",
        "HTTPS://EXAMPLE.COM",
        "ftp://files.example.org/x",
        "http://localhost:8000/",
        "http://[::1]/x",
    ],
)
def test_every_url_the_api_accepts_matches_the_url_pattern(url):
    assert _accepts(serializers.URLField(), url)
    assert re.search(URL_TEXT, url)


@pytest.mark.parametrize("url", ["a:b", "mailto:x@example.com", "javascript:alert(1)", "//example.com", "http:// x"])
def test_uris_outside_the_url_pattern_are_refused_by_the_api(url):
    assert not re.search(URL_TEXT, url)
    assert not _accepts(serializers.URLField(), url)


def _strings(schema: dict):
    """Every string schema inside a property schema (options of oneOf, items of arrays)."""
    for option in schema.get("oneOf", [schema]):
        if option.get("type") == "string" and option.get("maxLength") != 0:
            yield option
        if option.get("type") == "array":
            yield from _strings(option["items"])


def _request_components() -> dict[str, dict]:
    """The components request bodies refer to (COMPONENT_SPLIT_REQUEST names them `…Request`)."""
    names = set()
    for operations in DOCUMENT["paths"].values():
        for operation in operations.values():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            names |= set(re.findall(r"#/components/schemas/(\w+)", repr(body)))
    return {name: COMPONENTS[name] for name in names}


def test_every_text_a_request_sends_has_its_rules_in_the_schema():
    requests = _request_components()
    assert len(requests) >= 10
    for name, component in requests.items():
        for field, schema in component["properties"].items():
            for string in _strings(schema):
                assert string.keys() & {"pattern", "enum", "format"}, f"{name}.{field}"
                if "format" in string and string["format"] not in ("date", "date-time"):
                    assert string["format"] == "uri" and string["pattern"] == URL_TEXT, f"{name}.{field}"


def test_lengths_enumerations_and_requirements_are_in_the_schema():
    action = COMPONENTS["ActionWriteRequest"]
    assert action["required"] == ["description", "kind", "postmortem"]
    assert action["properties"]["description"]["maxLength"] == 20_000
    assert action["properties"]["kind"] == {"$ref": "#/components/schemas/ActionKindEnum"}
    assert action["properties"]["owner"]["nullable"] is True
    category = COMPONENTS["CategoryRequest"]["properties"]
    assert category["name"]["maxLength"] == 120
    assert category["slug"]["oneOf"][0]["pattern"] == "^[-a-zA-Z0-9_]+$"
    checklist = COMPONENTS["ChecklistReviseRequest"]["properties"]["items"]
    assert (checklist["minItems"], checklist["maxItems"], checklist["items"]["maxLength"]) == (1, 200, 300)
    put = DOCUMENT["paths"]["/api/v1/postmortems/{id}/checklist/"]["put"]
    body = put["requestBody"]["content"]["application/json"]["schema"]
    assert (body["minItems"], body["maxItems"]) == (1, 500)
    labels = COMPONENTS["MergedPullRequest"]["properties"]["labels"]
    assert labels["items"] == {"type": "string"}


def _query_parameters(path: str) -> dict:
    return {p["name"]: p["schema"] for p in DOCUMENT["paths"][path]["get"]["parameters"] if p["in"] == "query"}


def test_query_parameters_are_typed_as_the_filters_read_them(lead):
    records = _query_parameters("/api/v1/postmortems/")
    assert records["overdue"] == {"type": "boolean"}
    assert records["page"]["minimum"] == 1
    month = records["month"]["pattern"]
    assert _query_parameters("/api/v1/merged-prs/")["month"]["pattern"] == month
    assert _query_parameters("/api/v1/actions/")["postmortem"] == {"type": "integer"}
    api = client_for(lead)
    for value, valid in [
        ("2026-03", True),
        ("1970-01", True),
        ("1969-12", False),
        ("0001-12", False),
        ("2026-13", False),
        ("0000-01", False),
        ("26-03", False),
    ]:
        assert bool(re.search(month, value)) is valid, value
        assert (api.get(f"/api/v1/postmortems/?month={value}").status_code == 200) is valid, value
    assert api.get("/api/v1/actions/?postmortem=1.5").status_code == 400  # was read as postmortem 1


def test_the_checklist_of_a_record_is_paginated_like_every_list(lead, engineer):
    record = ready_to_submit(owner=engineer)
    steps = list(record.checklist_version.items.order_by("position"))
    response = client_for(lead).get(f"/api/v1/postmortems/{record.pk}/checklist/")
    assert response.status_code == 200
    page = response.json()
    assert (page["count"], page["next"], page["previous"]) == (len(steps), None, None)
    assert [entry["item"] for entry in page["results"]] == [step.pk for step in steps]
    assert all(entry["status"] == "followed" for entry in page["results"])
    assert client_for(lead).get(f"/api/v1/postmortems/{record.pk}/checklist/?page=2").status_code == 404


@pytest.fixture
def _keep_test_transaction():
    # As in test_schema_fuzz: a WSGI request must not close the connection holding the test's transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.usefixtures("_keep_test_transaction")
def test_real_records_answer_as_the_schema_says(lead, engineer, settings):
    settings.REDIS_URL = ""
    record = ready_to_submit(owner=engineer)
    merged = MergedPullRequestFactory(repository=record.repository, html_url="javascript:alert(1)", labels=["hotfix"])
    loaded = schemathesis.openapi.from_dict(DOCUMENT)
    loaded.app = WSGIHandler()
    headers = {"Authorization": f"Token {Token.objects.create(user=lead).key}"}
    for path, parameters in [
        ("/api/v1/postmortems/{id}/checklist/", {"id": record.pk}),
        ("/api/v1/postmortems/{id}/", {"id": record.pk}),
        ("/api/v1/merged-prs/{id}/", {"id": merged.pk}),
        ("/api/v1/merged-prs/", {}),
    ]:
        case = loaded[path]["GET"].Case(path_parameters=parameters)
        response = case.call(headers=headers)
        assert response.status_code == 200, path
        case.validate_response(response, checks=CONFORMANCE)
