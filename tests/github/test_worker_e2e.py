"""End to end: a signed delivery into a live server, a real Celery worker process, a postmortem out."""

from __future__ import annotations

import json
import uuid

import pytest
import requests

from postmortems.choices import DeliveryStatus, PostmortemStatus
from postmortems.github.webhooks import signature_for
from postmortems.models import Postmortem, WebhookDelivery
from tests.github.conftest import hotfix_payload
from tests.support.e2e_worker import celery_worker, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(postgres_required, redis_url, settings, tmp_path):
    with celery_worker(settings, redis_url, tmp_path / "worker.log") as proc:
        yield proc


def test_signed_delivery_in_postmortem_out(live_server, worker, settings, tmp_path):
    body = json.dumps(hotfix_payload(title="Hotfix: forecast job reads <b>stale</b> data")).encode()
    delivery_id = str(uuid.uuid4())
    response = requests.post(
        f"{live_server.url}/webhooks/github/",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-GitHub-Event": "pull_request",
            "X-GitHub-Delivery": delivery_id,
            "X-Hub-Signature-256": signature_for(body, settings.GITHUB_WEBHOOK_SECRET),
        },
        timeout=30,
    )
    assert response.status_code == 202, response.text
    assert response.json() == {"status": "queued", "delivery": delivery_id}

    postmortem = wait_for(lambda: Postmortem.objects.first())
    assert postmortem is not None, (tmp_path / "worker.log").read_text()
    assert postmortem.status == PostmortemStatus.DRAFT
    assert postmortem.title == "Hotfix: forecast job reads <b>stale</b> data"
    delivery = WebhookDelivery.objects.get(delivery_id=delivery_id)
    assert wait_for(lambda: WebhookDelivery.objects.get(pk=delivery.pk).status == DeliveryStatus.PROCESSED)
    assert worker.poll() is None  # the worker is still alive
