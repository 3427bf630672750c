"""Scheduling tasks by name: after commit only, in-process or through a broker, never failing the caller."""

from __future__ import annotations

import ast
import base64
import json
import logging
import re
from pathlib import Path

import pytest
import redis
from django.db import transaction

from postmortems import queue
from postmortems.choices import DeliveryStatus
from postmortems.models import WebhookDelivery
from tests.support import processes
from tracker.celery import app as celery_app

pytestmark = pytest.mark.django_db

PROCESS = "postmortems.process_github_delivery"
PACKAGE = Path(__file__).resolve().parents[1] / "postmortems"


@pytest.fixture
def in_process():
    old = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = old


@pytest.fixture
def broker_at():
    """Point the app at a broker for one test; connections to the previous one are dropped both ways."""
    old = celery_app.conf.task_always_eager, celery_app.conf.broker_url

    def _point(url: str) -> None:
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = False, url
        celery_app._pool = celery_app.amqp._producer_pool = None

    yield _point
    celery_app.conf.task_always_eager, celery_app.conf.broker_url = old
    celery_app._pool = celery_app.amqp._producer_pool = None


def pending_delivery(delivery_id: str = "queued-1") -> WebhookDelivery:
    return WebhookDelivery.objects.create(delivery_id=delivery_id, event="issues", payload={"action": "opened"})


def status_of(delivery: WebhookDelivery) -> str:
    delivery.refresh_from_db()
    return delivery.status


def test_enqueue_runs_the_task_only_after_commit(in_process, django_capture_on_commit_callbacks):
    delivery = pending_delivery()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queue.enqueue(PROCESS, delivery.pk)
        assert status_of(delivery) == DeliveryStatus.PENDING  # not yet: the transaction is still open
    assert len(callbacks) == 1
    assert status_of(delivery) == DeliveryStatus.IGNORED  # ran on commit, in this process


def test_enqueue_in_a_transaction_that_rolls_back_never_runs(in_process, django_capture_on_commit_callbacks):
    delivery = pending_delivery()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue.enqueue(PROCESS, delivery.pk)
        raise RuntimeError("the caller's write failed")
    assert callbacks == []
    assert status_of(delivery) == DeliveryStatus.PENDING


def test_in_process_the_task_is_found_by_name_and_run_here(in_process):
    # Celery's send_task would ignore task_always_eager and publish to a broker that is not there.
    delivery = pending_delivery()
    assert queue.publish(PROCESS, delivery.pk) is True
    assert status_of(delivery) == DeliveryStatus.IGNORED


def test_in_process_an_unknown_task_name_is_an_error(in_process):
    with pytest.raises(KeyError):
        queue.publish("postmortems.no_such_task", 1)


def test_with_a_broker_the_task_is_published_by_name(redis_url, broker_at):
    client = redis.Redis.from_url(redis_url)
    client.delete("celery")
    broker_at(redis_url)
    delivery = pending_delivery()
    assert queue.publish(PROCESS, delivery.pk) is True
    message = json.loads(client.rpop("celery"))
    args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
    assert (message["headers"]["task"], args) == (PROCESS, [delivery.pk])
    assert status_of(delivery) == DeliveryStatus.PENDING  # a worker's job, not ours


def test_broker_down_is_logged_and_never_raised_into_the_caller(broker_at, caplog, django_capture_on_commit_callbacks):
    broker_at("redis://127.0.0.1:1/0")  # nothing listens on port 1
    delivery = pending_delivery()
    with caplog.at_level(logging.WARNING, logger="postmortems.queue"):
        assert queue.publish(PROCESS, delivery.pk) is False
        with django_capture_on_commit_callbacks(execute=True):
            queue.enqueue(PROCESS, delivery.pk)
    assert [r.levelno for r in caplog.records if r.name == "postmortems.queue"] == [logging.WARNING] * 2
    assert "stays pending" in caplog.text
    assert status_of(delivery) == DeliveryStatus.PENDING  # the sweep picks it up later


def test_a_fresh_process_finds_tasks_by_name_though_nothing_imported_them():
    """The web process never imports tasks.py; in-process mode must still find the task."""
    code = (
        "import sys, django; django.setup(); from postmortems import queue;"
        "print('postmortems.tasks' in sys.modules);"
        "print(queue.registered('postmortems.sweep_github_deliveries').name)"
    )
    env = {k: v for k, v in processes.app_env().items() if k not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env |= {"DJANGO_SETTINGS_MODULE": "tracker.settings", "DEBUG": "true"}
    result = processes.subprocess.run(
        [processes.PYTHON, "-c", code], cwd=processes.ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "postmortems.sweep_github_deliveries"]


def task_names_named_below_the_edges() -> set[str]:
    """Every "postmortems.<name>" string constant in the package outside tasks.py: the names queue.py is given."""
    names = set()
    for path in PACKAGE.rglob("*.py"):
        if path.name == "tasks.py" or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                names.update(n for n in [node.value] if re.fullmatch(r"postmortems\.[a-z_]+", n))
    return names


def test_every_task_name_scheduled_below_the_edges_is_a_registered_task():
    names = task_names_named_below_the_edges()
    assert {PROCESS, "postmortems.process_github_deliveries", "postmortems.github_writeback"} <= names
    assert sorted(name for name in names if name not in celery_app.tasks) == []
