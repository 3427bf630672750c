"""A worker killed with SIGKILL mid-delivery: another worker processes it; exactly one record."""

from __future__ import annotations

import signal

import psycopg
import pytest

from postmortems.choices import DeliveryStatus
from postmortems.models import HotfixPullRequest, MergedPullRequest, Postmortem, WebhookDelivery
from tests.faults.conftest import db_url, post_delivery
from tests.github.conftest import hotfix_payload
from tests.support import processes

pytestmark = [pytest.mark.faults, pytest.mark.services]
SECRET = "fault-test-webhook-secret"
# Small so the test is quick; production keeps the 600 s default (see settings).
VISIBILITY_TIMEOUT = "3"


def _waiting_on_lock(conn: psycopg.Connection) -> bool:
    """True once a worker is blocked on our lock of the delivery row (counting its try): it is mid-task."""
    row = conn.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE %s",
        ("%postmortems_webhookdelivery%",),
    ).fetchone()
    return bool(row and row[0])


def test_delivery_of_a_killed_worker_is_processed_by_another_exactly_once(live_db, started):
    redis_port = processes.free_port()  # a private, empty broker
    started.add(processes.start_redis(redis_port, log=started.logs / "redis.log"))
    env = processes.app_env(
        DATABASE_URL=db_url(live_db),
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        GITHUB_WEBHOOK_SECRET=SECRET,
        CELERY_VISIBILITY_TIMEOUT=VISIBILITY_TIMEOUT,
        CELERY_UNACKED_RESTORE_INTERVAL="1",
        CELERY_UNACKED_RESTORE_THROTTLE="1",
    )
    web_port = processes.free_port()
    started.add(processes.start_gunicorn(env, web_port, log=started.logs / "gunicorn.log"))

    # Hold the delivery row locked from outside, so worker A stops inside the task.
    locker = psycopg.connect(db_url(live_db), autocommit=False)
    watcher = psycopg.connect(db_url(live_db), autocommit=True)
    try:
        worker_a = started.add(processes.start_celery_worker(env, name="doomed", log=started.logs / "worker-a.log"))
        response = post_delivery(
            f"http://127.0.0.1:{web_port}", hotfix_payload(number=77), SECRET, delivery_id="kill-1"
        )
        assert response.status_code == 202
        delivery = WebhookDelivery.objects.get(delivery_id="kill-1")
        locker.execute("SELECT id FROM postmortems_webhookdelivery WHERE id = %s FOR UPDATE", (delivery.pk,))
        processes.wait_until(lambda: _waiting_on_lock(watcher), timeout=60, what="worker A to start the task")

        processes.stop(worker_a, sig=signal.SIGKILL)  # the whole worker, main process and child
        locker.rollback()
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.PENDING
        assert MergedPullRequest.objects.count() == 0

        started.add(processes.start_celery_worker(env, name="survivor", log=started.logs / "worker-b.log"))
        processes.wait_until(
            lambda: WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PROCESSED).exists(),
            timeout=90,
            what="worker B to process the redelivered message",
            interval=0.2,
        )
    finally:
        locker.close()
        watcher.close()

    delivery.refresh_from_db()
    # Worker A's try counts (SPEC §8: every failed try does, a killed one too): its counting statement,
    # queued behind our lock, ran once the lock went. Worker B's try is the second, and the last.
    assert delivery.attempts == 2
    assert MergedPullRequest.objects.filter(number=77).count() == 1
    assert HotfixPullRequest.objects.count() == 1
    assert Postmortem.objects.count() == 1
    assert "survivor@" in (started.logs / "worker-b.log").read_text()
