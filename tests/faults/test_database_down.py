"""PostgreSQL unreachable: webhook 503 (GitHub will redeliver), friendly 503 pages, /healthz names
the database, and nothing is half-written once it is back."""

from __future__ import annotations

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from postmortems.choices import DeliveryStatus
from postmortems.models import MergedPullRequest, Postmortem, WebhookDelivery
from postmortems.services import delivery_process
from tests.factories import EngineerFactory, PostmortemFactory
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


def _pages(record_pk: int) -> list[str]:
    """Pages a signed-in engineer reads, each with its own queries (session, inbox, lists, record, report)."""
    return ["/", "/postmortems/", f"/postmortems/{record_pk}/", "/reports/monthly/", "/postmortems/new/"]


def _post_form(session: requests.Session, url: str, data: dict) -> requests.Response:
    """POST as the browser does: with the CSRF token from the cookie and a same-origin Referer."""
    token = session.cookies["csrftoken"]
    return session.post(url, data={**data, "csrfmiddlewaretoken": token}, headers={"Referer": url}, timeout=30)


def _assert_calm_503(response: requests.Response) -> None:
    assert response.status_code == 503, response.url
    assert "<title>Temporarily unavailable" in response.text and "cannot reach its database" in response.text
    assert "Traceback" not in response.text and "OperationalError" not in response.text
    assert response.headers["Retry-After"] == "30"


def _while_cut(base: str, browser: requests.Session, record_pk: int, delivery_id: str) -> None:
    """Everything the outage shows: webhook 503 (GitHub redelivers), calm pages, JSON for machines."""
    webhook = post_delivery(base, hotfix_payload(number=501), SECRET, delivery_id=delivery_id)
    assert webhook.status_code == 503
    assert "redeliver" in webhook.json()["error"]
    for path in _pages(record_pk):
        _assert_calm_503(browser.get(f"{base}{path}", timeout=30))
    # A form sent during the outage, and a visitor signing in, get the same calm page.
    _assert_calm_503(_post_form(browser, f"{base}/postmortems/{record_pk}/submit/", {}))
    visitor = requests.Session()
    visitor.get(f"{base}/accounts/login/", timeout=30)  # the form itself needs no database
    _assert_calm_503(_post_form(visitor, f"{base}/accounts/login/", {"username": "someone", "password": "secret"}))

    api = browser.get(f"{base}/api/v1/postmortems/", timeout=30)
    assert api.status_code == 503
    assert api.json()["error"] == "The database is unavailable. Please retry later."
    health = requests.get(f"{base}/healthz", timeout=30)
    assert health.status_code == 503
    assert health.json() == {"database": "down", "broker": "ok"}


def _after_restore(base: str, browser: requests.Session, record_pk: int, delivery_id: str) -> None:
    """The same process recovers by itself: no restart, the signed-in session still works, and
    GitHub's redelivery of the refused delivery is accepted."""
    processes.wait_until(
        lambda: requests.get(f"{base}/healthz", timeout=30).status_code == 200, timeout=30, what="healthz to recover"
    )
    for path in _pages(record_pk):
        page = browser.get(f"{base}{path}", timeout=30)
        assert page.status_code == 200, path
        assert "Temporarily unavailable" not in page.text
    redelivery = post_delivery(base, hotfix_payload(number=501), SECRET, delivery_id=delivery_id)
    assert redelivery.status_code == 202
    assert redelivery.json() == {"status": "queued", "delivery": delivery_id}


def test_database_outage_answers_503_everywhere_and_loses_nothing(live_db, started, redis_url):
    user = EngineerFactory(username="outage-engineer")
    # The app process uses the production hashers, not the tests' fast MD5 one.
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "outage-salt-1234")
    user.save(update_fields=["password"])
    record = PostmortemFactory(owner=user, title="Record read during the outage")
    proxy = processes.TcpProxy(live_db["host"], live_db["port"]).start()
    env = processes.app_env(
        DATABASE_URL=db_url(live_db, port=proxy.port), REDIS_URL=redis_url, GITHUB_WEBHOOK_SECRET=SECRET
    )
    web_port = processes.free_port()
    started.add(processes.start_gunicorn(env, web_port, log=started.logs / "gunicorn.log"))
    base = f"http://127.0.0.1:{web_port}"
    browser = _sign_in(base, "outage-engineer")
    assert browser.get(f"{base}/postmortems/", timeout=30).status_code == 200
    assert requests.get(f"{base}/healthz", timeout=30).json() == {"database": "ok", "broker": "ok"}

    # Twice: recovering once could be luck (a connection opened just in time); twice is the mechanism.
    for outage in ("db-down-1", "db-down-2"):
        proxy.cut()  # PostgreSQL goes away, open connections included
        try:
            _while_cut(base, browser, record.pk, outage)
            # Nothing of the refused delivery was written.
            assert not WebhookDelivery.objects.filter(delivery_id=outage).exists()
        finally:
            proxy.restore()
        _after_restore(base, browser, record.pk, outage)

    # The redeliveries are processed once: two deliveries about one PR, one record.
    for delivery in WebhookDelivery.objects.filter(delivery_id__startswith="db-down-"):
        assert delivery_process(delivery.pk) == DeliveryStatus.PROCESSED
        assert delivery_process(delivery.pk) == DeliveryStatus.PROCESSED  # the broker's copy: a no-op
    assert MergedPullRequest.objects.filter(number=501).count() == 1
    assert Postmortem.objects.filter(hotfix_prs__merged_pr__number=501).count() == 1
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
