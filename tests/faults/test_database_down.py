"""PostgreSQL unreachable: webhook 503 (GitHub will redeliver), friendly 503 pages, /healthz names
the database, and nothing is half-written once it is back."""

from __future__ import annotations

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from postmortems.choices import DeliveryStatus
from postmortems.models import MergedPullRequest, Postmortem, WebhookDelivery
from postmortems.services import delivery_process
from tests.factories import EngineerFactory
from tests.faults.conftest import db_url, post_delivery
from tests.github.conftest import hotfix_payload
from tests.support import processes

pytestmark = [pytest.mark.faults, pytest.mark.services]
SECRET = "fault-test-webhook-secret"
PASSWORD = "pw-for-tests-123"  # tests/factories.py


def _sign_in(base: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=30)
    response = session.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": page.cookies["csrftoken"]},
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=30,
    )
    assert response.status_code == 200 and "sessionid" in session.cookies
    return session


def test_database_outage_answers_503_everywhere_and_loses_nothing(live_db, started, redis_url):
    user = EngineerFactory(username="outage-engineer")
    # The app process uses the production hashers, not the tests' fast MD5 one.
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "outage-salt-1234")
    user.save(update_fields=["password"])
    proxy = processes.TcpProxy(live_db["host"], live_db["port"]).start()
    env = processes.app_env(
        DATABASE_URL=db_url(live_db, port=proxy.port), REDIS_URL=redis_url, GITHUB_WEBHOOK_SECRET=SECRET
    )
    web_port = processes.free_port()
    started.add(processes.start_gunicorn(env, web_port, log=started.logs / "gunicorn.log"))
    base = f"http://127.0.0.1:{web_port}"
    try:
        browser = _sign_in(base, "outage-engineer")
        assert browser.get(f"{base}/postmortems/", timeout=30).status_code == 200
        assert requests.get(f"{base}/healthz", timeout=30).json() == {"database": "ok", "broker": "ok"}

        proxy.cut()  # PostgreSQL goes away, open connections included

        webhook = post_delivery(base, hotfix_payload(number=501), SECRET, delivery_id="db-down-1")
        assert webhook.status_code == 503
        assert "redeliver" in webhook.json()["error"]

        page = browser.get(f"{base}/postmortems/", timeout=30)
        assert page.status_code == 503
        assert "cannot reach its database" in page.text and "Traceback" not in page.text
        assert page.headers["Retry-After"] == "30"

        api = browser.get(f"{base}/api/v1/postmortems/", timeout=30)
        assert api.status_code == 503
        assert api.json()["error"] == "The database is unavailable. Please retry later."

        health = requests.get(f"{base}/healthz", timeout=30)
        assert health.status_code == 503
        assert health.json() == {"database": "down", "broker": "ok"}
    finally:
        proxy.restore()

    # Nothing of the refused delivery was written.
    assert not WebhookDelivery.objects.filter(delivery_id="db-down-1").exists()
    assert MergedPullRequest.objects.count() == 0

    # Back up: the same process recovers, GitHub's redelivery is accepted and processed once.
    processes.wait_until(
        lambda: requests.get(f"{base}/healthz", timeout=30).status_code == 200, timeout=30, what="healthz to recover"
    )
    assert browser.get(f"{base}/postmortems/", timeout=30).status_code == 200
    redelivery = post_delivery(base, hotfix_payload(number=501), SECRET, delivery_id="db-down-1")
    assert redelivery.status_code == 202
    delivery = WebhookDelivery.objects.get(delivery_id="db-down-1")
    assert delivery_process(delivery.pk) == DeliveryStatus.PROCESSED
    assert delivery_process(delivery.pk) == DeliveryStatus.PROCESSED  # the broker's copy: a no-op
    assert MergedPullRequest.objects.filter(number=501).count() == 1
    assert Postmortem.objects.count() == 1
    proxy.close()


def test_processing_interrupted_by_the_database_leaves_no_partial_rows(live_db, monkeypatch):
    """The database drops mid-delivery: the transaction rolls back and the delivery stays pending."""
    from django.db import OperationalError

    from postmortems.services import deliveries

    payload = hotfix_payload(number=502)
    delivery = WebhookDelivery.objects.create(
        delivery_id="db-drop-1", event="pull_request", action="closed", payload=payload
    )

    def dropped(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    # The merged PR row is written first; the connection dies before the postmortem is opened.
    monkeypatch.setattr(deliveries, "postmortem_open_for_hotfix", dropped)
    with pytest.raises(OperationalError):
        delivery_process(delivery.pk)  # raised, so Celery's autoretry runs it again
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert MergedPullRequest.objects.count() == 0 and Postmortem.objects.count() == 0
    # The try counts, and says what went wrong.
    assert delivery.attempts == 1
    assert delivery.last_error == "Database error: OperationalError: server closed the connection unexpectedly"

    monkeypatch.undo()
    assert delivery_process(delivery.pk) == DeliveryStatus.PROCESSED
    assert MergedPullRequest.objects.count() == 1 and Postmortem.objects.count() == 1
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_error) == (2, "")
