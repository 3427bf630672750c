"""A real `celery -A tracker worker` for end-to-end tests, on the test database and the test Redis.

While it runs, tasks the test process enqueues go to that Redis instead of running eagerly.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import redis

from tests.support.processes import ROOT
from tracker.celery import app as celery_app


def child_database_url(settings) -> str:
    """The test database (not the configured one) as a DATABASE_URL for a child process."""
    db = settings.DATABASES["default"]
    auth = quote(db["USER"]) + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextlib.contextmanager
def celery_worker(settings, redis_url: str, log_path: Path, **env: str) -> Iterator[subprocess.Popen]:
    """Start one solo worker process (its output in `log_path`, kept as `proc.log_path`); stop it after."""
    redis.Redis.from_url(redis_url).delete("celery")  # nothing left over from other tests
    environment = os.environ | {
        "DATABASE_URL": child_database_url(settings),
        "REDIS_URL": redis_url,
        "DEBUG": "true",
        "SECRET_KEY": "e2e-secret-key",
        "GITHUB_WEBHOOK_SECRET": settings.GITHUB_WEBHOOK_SECRET,
        "GITHUB_TOKEN": "",
        "DB_CONN_MAX_AGE": "0",
        **env,
    }
    old = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tracker", "worker", "-P", "solo", "-c", "1", "-l", "info",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        proc.log_path = log_path
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = False, redis_url
        celery_app._pool = None
        try:
            yield proc
        finally:
            celery_app.conf.task_always_eager, celery_app.conf.broker_url = old
            celery_app._pool = None
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wait_for(condition, *, timeout: float = 60.0):
    """Poll `condition` until it returns something true (or the time is up); return its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    return condition()
