"""Redis stopped: deliveries are still stored and acknowledged; the sweep processes each once."""

from __future__ import annotations

import pytest

from postmortems.choices import DeliveryStatus
from postmortems.models import HotfixPullRequest, MergedPullRequest, Postmortem, WebhookDelivery
from tests.faults.conftest import db_url, post_delivery
from tests.github.conftest import hotfix_payload
from tests.support import processes

pytestmark = [pytest.mark.faults, pytest.mark.services]
SECRET = "fault-test-webhook-secret"
PRS = range(101, 109)


def _sweep(env: dict[str, str]) -> None:
    """Run the periodic sweep task as beat would: a real process, as if a few minutes later."""
    code = (
        "from datetime import timedelta; from django.utils import timezone;"
        "from postmortems.services import deliveries_requeue;"
        "print(deliveries_requeue(now=timezone.now() + timedelta(minutes=5)))"
    )
    result = processes.subprocess.run(
        [processes.PYTHON, "manage.py", "shell", "-c", code],
        cwd=processes.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip().splitlines()[-1]) == len(PRS)


def test_deliveries_survive_a_redis_outage_and_are_processed_once(live_db, started):
    redis_port = processes.free_port()
    redis = started.add(processes.start_redis(redis_port, log=started.logs / "redis.log"))
    env = processes.app_env(
        DATABASE_URL=db_url(live_db), REDIS_URL=f"redis://127.0.0.1:{redis_port}/0", GITHUB_WEBHOOK_SECRET=SECRET
    )
    web_port = processes.free_port()
    started.add(processes.start_gunicorn(env, web_port, log=started.logs / "gunicorn.log"))
    base = f"http://127.0.0.1:{web_port}"

    processes.stop(redis)  # the broker goes away
    assert not processes.port_open(redis_port)

    ids = [f"redis-down-{n}" for n in PRS]
    for number, delivery_id in zip(PRS, ids, strict=True):
        response = post_delivery(base, hotfix_payload(number=number), SECRET, delivery_id=delivery_id)
        assert response.status_code == 202, response.text
        assert response.json() == {"status": "queued", "delivery": delivery_id}
    # A redelivery of one of them during the outage is still a duplicate, not a second row.
    assert post_delivery(base, hotfix_payload(number=PRS[0]), SECRET, delivery_id=ids[0]).json() == {
        "status": "duplicate"
    }
    stored = WebhookDelivery.objects.filter(delivery_id__in=ids)
    assert sorted(stored.values_list("status", flat=True)) == [DeliveryStatus.PENDING] * len(PRS)
    assert MergedPullRequest.objects.count() == 0

    # Redis comes back (same port, empty: whatever was published is gone), the sweep re-queues.
    started.add(processes.start_redis(redis_port, log=started.logs / "redis.log"))
    _sweep(env)
    started.add(processes.start_celery_worker(env, name="sweeper", concurrency=2, log=started.logs / "worker.log"))
    processes.wait_until(
        lambda: not stored.exclude(status=DeliveryStatus.PROCESSED).exists(),
        timeout=60,
        what="every delivery to be processed",
        interval=0.2,
    )

    # Each try is counted before it runs (so a killed worker's try counts too): a second message for
    # the same delivery that arrives while the first is processing is counted, then finds the row done.
    # What shows it was processed once is below: one merged PR, one hotfix row and one record per PR.
    assert all(1 <= attempts <= 2 for attempts in stored.values_list("attempts", flat=True))
    assert sorted(MergedPullRequest.objects.values_list("number", flat=True)) == list(PRS)
    assert HotfixPullRequest.objects.count() == len(PRS)
    assert Postmortem.objects.count() == len(PRS)
