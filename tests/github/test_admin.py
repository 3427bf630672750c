"""The admin lists deliveries with status and error, and re-processes selected ones."""

import pytest

from postmortems.choices import DeliveryStatus
from postmortems.models import Postmortem, WebhookDelivery
from tests.github.conftest import hotfix_payload

pytestmark = pytest.mark.django_db


def test_admin_shows_deliveries_with_their_error(admin_client):
    WebhookDelivery.objects.create(
        delivery_id="d-1", event="pull_request", action="closed", payload={}, status="failed", last_error="Bad payload"
    )
    response = admin_client.get("/admin/postmortems/webhookdelivery/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "d-1" in page and "Bad payload" in page and "Failed" in page
    assert "Short error" not in page  # the column is titled "error"


def test_admin_change_page_shows_the_payload_the_list_leaves_out(admin_client):
    delivery = WebhookDelivery.objects.create(
        delivery_id="d-3", event="pull_request", action="closed", payload={"marker": "payload-shown-here"}
    )
    response = admin_client.get(f"/admin/postmortems/webhookdelivery/{delivery.pk}/change/")
    assert response.status_code == 200
    assert "payload-shown-here" in response.content.decode()


def test_admin_reprocesses_a_failed_delivery(admin_client, django_capture_on_commit_callbacks):
    delivery = WebhookDelivery.objects.create(
        delivery_id="d-2",
        event="pull_request",
        action="closed",
        payload=hotfix_payload(),
        status=DeliveryStatus.FAILED,
        attempts=5,
        last_error="worker crashed",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/postmortems/webhookdelivery/",
            {"action": "reprocess", "_selected_action": [delivery.pk]},
            follow=True,
        )
    assert "1 deliveries queued for processing again." in response.content.decode()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error, delivery.attempts) == (DeliveryStatus.PROCESSED, "", 6)
    assert Postmortem.objects.count() == 1
