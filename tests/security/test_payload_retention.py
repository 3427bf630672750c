"""Old webhook payloads are pruned by a beat job after a configurable number of days; metadata stays."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from postmortems.choices import DeliveryStatus
from postmortems.models import WebhookDelivery
from postmortems.tasks import prune_webhook_payloads

pytestmark = pytest.mark.django_db


def _delivery(delivery_id: str, *, age_days: int, status: str) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.create(
        delivery_id=delivery_id, event="pull_request", action="closed", payload={"action": "closed", "number": 7}
    )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        received_at=timezone.now() - timedelta(days=age_days), status=status, attempts=1, last_error="kept"
    )
    return delivery


def test_beat_job_drops_old_payloads_and_keeps_metadata(settings):
    settings.GITHUB_PAYLOAD_RETENTION_DAYS = 30
    old = _delivery("old-done", age_days=31, status=DeliveryStatus.PROCESSED)
    old_failed = _delivery("old-failed", age_days=40, status=DeliveryStatus.FAILED)
    stuck = _delivery("old-pending", age_days=45, status=DeliveryStatus.PENDING)
    recent = _delivery("recent", age_days=29, status=DeliveryStatus.PROCESSED)

    assert prune_webhook_payloads() == 2
    assert prune_webhook_payloads() == 0  # idempotent

    by_id = {d.delivery_id: d for d in WebhookDelivery.objects.all()}
    for pruned in (old, old_failed):
        row = by_id[pruned.delivery_id]
        assert row.payload is None
        assert (row.event, row.action, row.attempts, row.last_error) == ("pull_request", "closed", 1, "kept")
    assert by_id[stuck.delivery_id].payload["number"] == 7  # never processed: kept
    assert by_id[recent.delivery_id].payload["number"] == 7


def test_retention_is_configurable_and_scheduled(settings):
    settings.GITHUB_PAYLOAD_RETENTION_DAYS = 7
    _delivery("eight-days", age_days=8, status=DeliveryStatus.IGNORED)
    assert prune_webhook_payloads() == 1
    schedule = django_settings.CELERY_BEAT_SCHEDULE["prune-webhook-payloads"]
    assert schedule["task"] == "postmortems.prune_webhook_payloads"
