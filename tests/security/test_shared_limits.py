"""Limits hold across processes: gunicorn runs several, and web may run on several hosts.

API and password-reset throttle counts live in the Redis cache when REDIS_URL is set; sign-in lockout
counts live in the database (django-axes' database handler). Each test uses two separate processes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.cache import cache

from tests.factories import EngineerFactory

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "pw-for-tests-123"  # tests/factories.py


def _in_process(code: str, **env: str) -> str:
    """Run `code` in a fresh Django process (manage.py shell) and return what it printed."""
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "true", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _requests(path: str, n: int, ip: str, data: dict | None = None) -> str:
    method = "post" if data is not None else "get"
    return (
        "from django.test import Client\n"
        "c = Client()\n"
        f"print(' '.join(str(c.{method}({path!r}, {data!r}, REMOTE_ADDR={ip!r}).status_code) for _ in range({n})))"
    )


def test_api_throttle_counts_are_shared_between_processes(redis_url, tmp_path):
    ip = f"198.51.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    env = {"REDIS_URL": redis_url, "API_THROTTLE_ANON": "3/minute", "DATABASE_URL": f"sqlite:///{tmp_path}/db"}
    assert _in_process(_requests("/api/v1/postmortems/", 3, ip), **env) == "401 401 401"
    # A second process (another gunicorn worker, another host) sees the same count.
    assert _in_process(_requests("/api/v1/postmortems/", 1, ip), **env) == "429"


@pytest.mark.django_db(transaction=True)
def test_sign_in_lockout_is_shared_between_processes():
    user = EngineerFactory(username="locked-everywhere")
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("needs PostgreSQL, which other processes can reach")
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    wrong = {"username": user.username, "password": "wrong"}
    statuses = _in_process(
        _requests("/accounts/login/", settings.AXES_FAILURE_LIMIT, "198.51.100.40", wrong), DATABASE_URL=url
    )
    assert statuses.split()[-1] == "429"
    right = {"username": user.username, "password": PASSWORD}
    assert _in_process(_requests("/accounts/login/", 1, "198.51.100.40", right), DATABASE_URL=url) == "429"


def test_clearing_the_cache_keeps_what_else_lives_in_redis(redis_url, settings):
    if not settings.CACHES["default"]["BACKEND"].endswith("SharedRedisCache"):
        pytest.fail("with REDIS_URL set the cache must be the shared Redis cache")
    raw = redis.Redis.from_url(redis_url)
    raw.set("test-shared-cache:not-ours", "a queued task")
    cache.set("ours", 1)
    try:
        cache.clear()
        assert cache.get("ours") is None
        assert raw.get("test-shared-cache:not-ours") == b"a queued task"
    finally:
        raw.delete("test-shared-cache:not-ours")
        raw.close()
