"""What the hostile-payload tests share: how a real payload is damaged, and how it is sent signed to the view."""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

from django.conf import settings as django_settings
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from postmortems.github.webhooks import signature_for

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


def hostile_settings(max_examples: int):
    """Hypothesis settings for tests that go through the database: no deadline, fixtures are per test."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def key_paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path in the payload (the first three items of a list included)."""
    paths = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            paths += key_paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value[:3]):
            paths += key_paths(child, (*prefix, index))
    return paths


@st.composite
def damaged(draw, bases: list[tuple[str, dict]]) -> tuple[str, dict]:
    """One of `bases` (event, payload) with one to three fields removed or replaced by something hostile."""
    event, base = draw(st.sampled_from(bases))
    payload = copy.deepcopy(base)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = key_paths(payload)
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


def send_signed(client, event: str, body: bytes | dict) -> tuple[Any, str]:
    """POST `body` to the webhook, correctly signed, under a new delivery id; (response, delivery id)."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    delivery_id = str(uuid.uuid4())
    response = client.post(
        "/webhooks/github/",
        data=raw,
        content_type="application/json",
        HTTP_X_GITHUB_EVENT=event,
        HTTP_X_GITHUB_DELIVERY=delivery_id,
        HTTP_X_HUB_SIGNATURE_256=signature_for(raw, django_settings.GITHUB_WEBHOOK_SECRET),
    )
    return response, delivery_id
