"""Hostile evidence deliveries: the real deployment_status, check_run, workflow_run, status and push examples
with fields removed, nulled, retyped or made huge, signed and sent through the real view, then processed.

Never a 5xx; a bad delivery ends `failed` with a readable reason and stores no evidence.
"""

from __future__ import annotations

import pytest
from hypothesis import given

from postmortems.choices import DeliveryStatus
from postmortems.models import BranchCommit, Evidence, WebhookDelivery
from postmortems.services import delivery_process
from tests.github.conftest import load_payload
from tests.hostile.mutations import damaged, hostile_settings, send_signed

pytestmark = pytest.mark.django_db

BASES = [
    ("deployment_status", load_payload("deployment_status.json")),
    ("check_run", load_payload("check_run.completed.json")),
    ("workflow_run", load_payload("workflow_run.completed.json")),
    ("status", load_payload("status.json")),
    ("push", load_payload("push.with-new-branch.json") | {"ref": "refs/heads/stg"}),
]


@hostile_settings(max_examples=80)
@given(case=damaged(BASES))
def test_hostile_evidence_never_5xx_and_fails_cleanly(client, case):
    response, delivery_id = send_signed(client, *case)
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
