"""Hostile deliveries: real GitHub payloads with fields removed, nulled, retyped, made huge or
unicode-heavy, signed and sent through the real view, then processed by the real task function.

Never a 5xx, never an unhandled exception; a bad delivery ends `failed` with a readable error
and leaves no partial rows.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given

from postmortems.choices import DeliveryStatus
from postmortems.models import HotfixPullRequest, MergedPullRequest, Postmortem, Repository, WebhookDelivery
from postmortems.services import delivery_process
from postmortems.untrusted import MAX_JSON_DEPTH, too_deep
from tests.github.conftest import WEBHOOKS_DIR, hotfix_payload
from tests.hostile.mutations import damaged, hostile_settings, send_signed

pytestmark = pytest.mark.django_db

FIXTURES = sorted(p for p in Path(WEBHOOKS_DIR).glob("pull_request.*.json"))
# A merged hotfix is the payload that reaches deepest into processing; the real examples the rest.
BASES = [("pull_request", hotfix_payload())] + [("pull_request", json.loads(p.read_text())) for p in FIXTURES[:12]]


def _counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Repository, MergedPullRequest, HotfixPullRequest, Postmortem))


@hostile_settings(max_examples=60)
@given(case=damaged(BASES))
def test_hostile_payloads_never_5xx_and_fail_cleanly(client, case):
    response, delivery_id = send_signed(client, *case)
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


def test_a_nul_byte_lone_surrogate_or_non_utf8_body_is_never_a_500(client):
    # NUL is valid JSON text: stored as sent; processing fails cleanly (this is not a pull
    # request). A lone surrogate is not text and non-UTF-8 is not JSON: 400, nothing stored.
    cases = {
        b'{"action": "closed", "x": "\\u0000"}': 202,
        b'{"action": "\\ud800\\u0000"}': 400,
        b"\xff\xfe": 400,
    }
    for body, expected in cases.items():
        response, delivery_id = send_signed(client, "pull_request", body)
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
