"""Retention: webhook payloads are kept only as long as they are useful (issue 7)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from ..choices import DeliveryStatus
from ..models import WebhookDelivery


def webhook_payloads_prune(*, now: datetime | None = None, days: int | None = None) -> int:
    """Drop the payload (NULL) of deliveries older than `days` (GITHUB_PAYLOAD_RETENTION_DAYS).

    The row and its metadata (delivery id, event, action, status, attempts, last error,
    times) stay, so the admin can still tell what arrived and what became of it. Pending
    deliveries are never touched: they have not been processed yet. Returns rows pruned.
    """
    now = now or timezone.now()
    days = settings.GITHUB_PAYLOAD_RETENTION_DAYS if days is None else days
    return (
        WebhookDelivery.objects.filter(received_at__lt=now - timedelta(days=days))
        .exclude(status=DeliveryStatus.PENDING)
        .filter(payload__isnull=False)
        .update(payload=None)
    )
