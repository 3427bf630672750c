"""api/views/reports.py: the report over the API, its errors, and the schema that describes it."""

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from postmortems.reports import Scope, build_monthly_report, parse_report_month

API = "/api/v1/reports/monthly/"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"month": "2026-3"}, "month"),
        ({"month": "2026-13"}, "month"),
        ({"month": "march"}, "month"),
        ({"month": "2999-01"}, "month"),
        ({"month": "2026-03", "team": "nope"}, "team"),
        ({"month": "2026-03", "repository": "acme/nope"}, "repository"),
        # PostgreSQL text cannot hold NUL; asking for such a name once answered 500.
        ({"month": "2026-03", "team": "\x00"}, "team"),
        ({"month": "2026-03", "repository": "acme/\x00orders"}, "repository"),
        ({"team": "alpha", "repository": "acme/orders"}, "team"),
    ],
)
def test_bad_input_is_a_400_with_a_clear_message(data, signed_in, params, field):
    response = signed_in.get(API, params)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert response.json()["detail"]


def test_api_needs_sign_in(db, client):
    assert client.get(API).status_code in (401, 403)


def test_route_keeps_its_name_outside_the_api_namespace():
    assert reverse("api-report-monthly") == API
    assert reverse("api:postmortem-list") == "/api/v1/postmortems/"


def test_openapi_schema_describes_report_and_400(data, signed_in):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/reports/monthly/"]["get"]
    assert {"200", "400"} <= set(operation["responses"])
    assert "MonthlyReport" in schema["components"]["schemas"]


def _described_keys(schema: dict, component: dict) -> dict:
    """Property → its own properties (for an object or a list of objects), or None (a value or a map)."""
    keys = {}
    for name, prop in component["properties"].items():
        ref = prop.get("$ref") or prop.get("items", {}).get("$ref") or prop.get("allOf", [{}])[0].get("$ref")
        keys[name] = _described_keys(schema, schema["components"]["schemas"][ref.rsplit("/", 1)[1]]) if ref else None
    return keys


def _mismatches(described: dict, returned: dict, path: str = "report") -> list[str]:
    problems = [] if set(described) == set(returned) else [f"{path}: {sorted(described)} != {sorted(returned)}"]
    for key in described.keys() & returned.keys():
        if described[key] is not None:
            value = returned[key]
            for item in value if isinstance(value, list) else [value]:
                problems += _mismatches(described[key], item, f"{path}.{key}")
    return problems


def test_schema_names_exactly_the_keys_the_report_returns(data):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    described = _described_keys(schema, schema["components"]["schemas"]["MonthlyReport"])
    returned = build_monthly_report(parse_report_month("2026-03"), Scope()).as_json()
    assert _mismatches(described, returned) == []
    assert described["trend"]["actions"] is not None  # nested objects are compared too
