"""Hostile evidence deliveries: the real deployment_status, check_run, workflow_run, status and push examples
with fields removed, nulled, retyped or made huge, signed and sent through the real view, then processed.

Never a 5xx; a bad delivery ends `failed` with a readable reason and stores no evidence.
"""

from __future__ import annotations

import copy
import json
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postmortems.choices import DeliveryStatus
from postmortems.github.webhooks import signature_for
from postmortems.models import BranchCommit, Evidence, WebhookDelivery
from postmortems.services import delivery_process
from tests.github.conftest import load_payload
from tests.hostile.test_webhook_payloads import REPLACEMENTS, _paths

pytestmark = pytest.mark.django_db

BASES = [
    ("deployment_status", load_payload("deployment_status.json")),
    ("check_run", load_payload("check_run.completed.json")),
    ("workflow_run", load_payload("workflow_run.completed.json")),
    ("status", load_payload("status.json")),
    ("push", load_payload("push.with-new-branch.json") | {"ref": "refs/heads/stg"}),
]


@st.composite
def hostile_evidence(draw) -> tuple[str, dict]:
    event, base = draw(st.sampled_from(BASES))
    payload = copy.deepcopy(base)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(_paths(payload)))
        parent = payload
        for key in path[:-1]:
            parent = parent[key]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(REPLACEMENTS)
    return event, payload


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=hostile_evidence())
def test_hostile_evidence_never_5xx_and_fails_cleanly(client, case):
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
        return
    delivery = WebhookDelivery.objects.get(delivery_id=delivery_id)
    before = (Evidence.objects.count(), BranchCommit.objects.count())
    status = delivery_process(delivery.pk)  # must not raise
    delivery.refresh_from_db()
    assert status == delivery.status
    if delivery.status == DeliveryStatus.FAILED:
        assert delivery.last_error.strip() and "Traceback" not in delivery.last_error
        assert (Evidence.objects.count(), BranchCommit.objects.count()) == before, "a failed delivery left rows"
    for row in Evidence.objects.all():  # whatever was stored is what the columns promise
        assert len(row.sha) == 40 and (not row.url or row.url.startswith("https://"))
        assert len(row.name) <= 255 and len(row.environment) <= 255
