"""End to end: a signed delivery into a live server, a real Celery worker process, a postmortem out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
import requests

from postmortems.choices import DeliveryStatus, PostmortemStatus
from postmortems.github.webhooks import signature_for
from postmortems.models import Postmortem, WebhookDelivery
from tests.github.conftest import hotfix_payload
from tracker.celery import app as celery_app

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def _database_url(settings) -> str:
    db = settings.DATABASES["default"]
    auth = quote(db["USER"]) + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(postgres_required, redis_url, settings, tmp_path):
    """A real `celery -A tracker worker` on the test database and the test Redis."""
    redis.Redis.from_url(redis_url).delete("celery")  # nothing left over from other tests
    env = os.environ | {
        "DATABASE_URL": _database_url(settings),  # the test database, not the configured one
        "REDIS_URL": redis_url,
        "DEBUG": "true",
        "SECRET_KEY": "e2e-secret-key",
        "GITHUB_WEBHOOK_SECRET": settings.GITHUB_WEBHOOK_SECRET,
        "GITHUB_TOKEN": "",
        "DB_CONN_MAX_AGE": "0",
    }
    log = (tmp_path / "worker.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tracker", "worker", "-P", "solo", "-c", "1", "-l", "info",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    old = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    celery_app.conf.task_always_eager, celery_app.conf.broker_url = False, redis_url
    celery_app._pool = None
    yield proc
    celery_app.conf.task_always_eager, celery_app.conf.broker_url = old
    celery_app._pool = None
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()


def wait_for(condition, *, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    return condition()


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
