"""Fixtures for fault tests: the test database as a URL for child processes, and process cleanup."""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from tests.github.conftest import deliver, fake_github  # noqa: F401 - fixtures: signed deliveries, a local GitHub
from tests.support import processes


@pytest.fixture
def live_db(postgres_required, transactional_db, settings) -> dict:
    """The test database (committed data, visible to the app processes a test starts)."""
    db = settings.DATABASES["default"]
    return {
        "host": db["HOST"] or "127.0.0.1",
        "port": int(db["PORT"] or 5432),
        "name": db["NAME"],
        "user": db["USER"],
        "password": db["PASSWORD"],
    }


def db_url(db: dict, *, port: int | None = None) -> str:
    auth = quote(db["user"]) + (":" + quote(db["password"]) if db["password"] else "")
    return f"postgres://{auth}@{db['host']}:{port or db['port']}/{db['name']}"


@pytest.fixture
def started(tmp_path):
    """Start processes through this; every one is stopped (by pid) when the test ends."""
    procs: list[subprocess.Popen] = []

    class Starter:
        logs: Path = tmp_path

        def add(self, proc: subprocess.Popen) -> subprocess.Popen:
            procs.append(proc)
            return proc

        def log_text(self) -> str:
            return "\n".join(p.read_text(errors="replace") for p in sorted(tmp_path.glob("*.log")))

    yield Starter()
    for proc in reversed(procs):
        processes.stop(proc)


def post_delivery(base_url: str, payload: dict, secret: str, *, delivery_id: str | None = None, event="pull_request"):
    from postmortems.github.webhooks import signature_for

    body = json.dumps(payload).encode()
    headers = {
        "Content-Type": "application/json",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery_id or str(uuid.uuid4()),
        "X-Hub-Signature-256": signature_for(body, secret),
    }
    return requests.post(f"{base_url}/webhooks/github/", data=body, headers=headers, timeout=30)
