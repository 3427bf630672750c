"""Hostile deliveries: real GitHub payloads with fields removed, nulled, retyped, made huge or
unicode-heavy, signed and sent through the real view, then processed by the real task function.

Never a 5xx, never an unhandled exception; a bad delivery ends `failed` with a readable error
and leaves no partial rows.
"""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postmortems.choices import DeliveryStatus
from postmortems.github.webhooks import signature_for
from postmortems.models import HotfixPullRequest, MergedPullRequest, Postmortem, Repository, WebhookDelivery
from postmortems.services import delivery_process
from postmortems.untrusted import MAX_JSON_DEPTH, too_deep
from tests.github.conftest import WEBHOOKS_DIR, hotfix_payload

pytestmark = pytest.mark.django_db

FIXTURES = sorted(p for p in Path(WEBHOOKS_DIR).glob("pull_request.*.json"))
# A merged hotfix is the payload that reaches deepest into processing; the real examples the rest.
BASES = [("pull_request", hotfix_payload())] + [("pull_request", json.loads(p.read_text())) for p in FIXTURES[:12]]
WEIRD_TEXT = st.text(
    alphabet=st.sampled_from(["é", "ß", "🔥", "\u202e", "\u200b", "𝕳", "中", "<", ">", "&", '"', "'", "=", "\\"]),
    min_size=1,
    max_size=200,
)
REPLACEMENTS = st.one_of(
    st.none(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.just([]),
    st.just({}),
    st.lists(st.integers(), max_size=3),
    WEIRD_TEXT,
    st.just("x" * 200_000),  # huge
    st.just("2026-13-45T99:99:99Z"),  # a date that is not one
)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path in the payload (list items included)."""
    paths = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            paths += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value[:3]):
            paths += _paths(child, (*prefix, index))
    return paths


@st.composite
def hostile_payloads(draw) -> tuple[str, dict]:
    event, base = draw(st.sampled_from(BASES))
    payload = copy.deepcopy(base)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = _paths(payload)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = payload
        for key in path[:-1]:
            parent = parent[key]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(REPLACEMENTS)
    return event, payload


def _counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Repository, MergedPullRequest, HotfixPullRequest, Postmortem))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=hostile_payloads())
def test_hostile_payloads_never_5xx_and_fail_cleanly(client, case):
    from django.conf import settings as django_settings

    event, payload = case
    body = json.dumps(payload).encode()
    delivery_id = str(uuid.uuid4())
    response = client.post(
        "/webhooks/github/",
        data=body,
        content_type="application/json",
        HTTP_X_GITHUB_EVENT=event,
        HTTP_X_GITHUB_DELIVERY=delivery_id,
        HTTP_X_HUB_SIGNATURE_256=signature_for(body, django_settings.GITHUB_WEBHOOK_SECRET),
    )
    assert response.status_code < 500, response.content
    if response.status_code != 202:
        assert response.status_code in (400, 413), response.content
        assert response.json()["error"]
        assert not WebhookDelivery.objects.filter(delivery_id=delivery_id).exists()
        return

    delivery = WebhookDelivery.objects.get(delivery_id=delivery_id)
    before = _counts()
    status = delivery_process(delivery.pk)  # must not raise
    delivery.refresh_from_db()
    assert status == delivery.status
    assert delivery.status in (DeliveryStatus.PROCESSED, DeliveryStatus.IGNORED, DeliveryStatus.FAILED)
    if delivery.status == DeliveryStatus.FAILED:
        assert delivery.last_error.strip() and len(delivery.last_error) <= 2000
        assert "Traceback" not in delivery.last_error
        assert _counts() == before, "a failed delivery left rows behind"


def test_a_nul_byte_lone_surrogate_or_non_utf8_body_is_never_a_500(client, settings):
    # NUL is valid JSON text: stored as sent; processing fails cleanly (this is not a pull
    # request). A lone surrogate is not text and non-UTF-8 is not JSON: 400, nothing stored.
    cases = {
        b'{"action": "closed", "x": "\\u0000"}': 202,
        b'{"action": "\\ud800\\u0000"}': 400,
        b"\xff\xfe": 400,
    }
    for body, expected in cases.items():
        delivery_id = str(uuid.uuid4())
        response = client.post(
            "/webhooks/github/",
            data=body,
            content_type="application/json",
            HTTP_X_GITHUB_EVENT="pull_request",
            HTTP_X_GITHUB_DELIVERY=delivery_id,
            HTTP_X_HUB_SIGNATURE_256=signature_for(body, settings.GITHUB_WEBHOOK_SECRET),
        )
        assert response.status_code == expected, (body, response.status_code)
        if expected == 400:
            assert response.json()["error"]
            assert not WebhookDelivery.objects.filter(delivery_id=delivery_id).exists()
            continue
        delivery = WebhookDelivery.objects.get(delivery_id=delivery_id)
        assert delivery.action == "closed"
        assert delivery_process(delivery.pk) == DeliveryStatus.FAILED
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.FAILED
        assert delivery.last_error.startswith("Bad payload:"), delivery.last_error


def _nested(depth: int) -> bytes:
    """A real merged-hotfix body whose PR `body` holds arrays nested so that the whole is `depth` deep.

    Built as text: Python's json would hit its own recursion limit first.
    """
    text = json.dumps(hotfix_payload(body="NEST"))
    # The body object is level 1, `pull_request` 2, so the arrays bring it to `depth`.
    return text.replace('"NEST"', "[" * (depth - 2) + "]" * (depth - 2)).encode()


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 940, 1023])
def test_deep_nesting_is_refused_at_intake(deliver, depth):
    response = deliver(_nested(depth))
    assert response.status_code == 400
    assert response.json() == {"error": f"The body nests deeper than {MAX_JSON_DEPTH} levels."}
    assert not WebhookDelivery.objects.exists()


def test_nesting_up_to_the_limit_is_stored_and_processed(deliver):
    assert deliver(_nested(MAX_JSON_DEPTH)).status_code == 202
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PROCESSED, delivery.last_error


@pytest.mark.parametrize(
    ("body", "deep"),
    [
        ({"a": "[" * 500}, False),  # brackets inside a string are text, not nesting
        ({"a": [[[1]]], "b": {"c": {"d": {}}}}, False),
        ({"a": json.loads("[" * 300 + "]" * 300)}, True),
        ({"a": json.loads('[{"k":' * 150 + "1" + "}]" * 150)}, True),
        ({"wide": [[] for _ in range(1000)]}, False),  # many openings, little depth
    ],
)
def test_too_deep_counts_levels_not_brackets(body, deep):
    assert too_deep(json.dumps(body).encode(), body) is deep
