"""The burst benchmark's moving parts: its database, gunicorn and the Celery worker, and what the database says."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import redis
import requests

from bench.burst.mix import PRODUCTION_ENV, REQUIRED_CHECK, STAGING_ENV

ROOT = Path(__file__).resolve().parents[2]
REPOSITORY = {"full_name": "Codertocat/Hello-World", "github_id": 186853002, "default_branch": "master"}
# The repository as its lead set it up (SPEC §10): its own environment names, the check staging must pass.
CONFIGURE = (
    "from postmortems.models import Repository\n"
    f"Repository.objects.create(**{REPOSITORY!r}, environment_stages={{{STAGING_ENV!r}: 'staging', "
    f"{PRODUCTION_ENV!r}: 'production'}}, staging_checks=[{REQUIRED_CHECK!r}])\n"
)


def prepare_template(pg: str, template: str, env: dict) -> None:
    """A migrated database with the configured repository, copied for each mode (CREATE DATABASE … TEMPLATE)."""
    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [template])
        conn.execute(f'DROP DATABASE IF EXISTS "{template}"')
        conn.execute(f'CREATE DATABASE "{template}"')
    template_env = env | {"DATABASE_URL": f"{pg}/{template}"}
    for cmd in (["migrate", "--noinput"], ["shell", "-c", CONFIGURE]):
        subprocess.run([sys.executable, "manage.py", *cmd], cwd=ROOT, env=template_env, check=True, capture_output=True)


def fresh_database(pg: str, name: str, template: str) -> None:
    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


def drop_database(pg: str, name: str) -> None:
    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def start(env: dict, port: int, args, work: Path) -> list[subprocess.Popen]:
    """Gunicorn (the project's gunicorn.conf.py) and one Celery worker with `args.concurrency` processes.

    Each side's database sessions carry its name (PGAPPNAME), so their CPU can be told apart.
    """
    web = f"tracker.wsgi:application --bind 127.0.0.1:{port} --workers {args.gunicorn_workers} --worker-class gthread"
    web += f" --threads {args.threads} --backlog 2048 --log-level warning"
    worker = f"-A tracker worker --concurrency {args.concurrency} --loglevel WARNING --without-gossip"
    worker += " --without-mingle --without-heartbeat"
    procs = [
        _spawn([str(ROOT / ".venv/bin/gunicorn"), *web.split()], env | {"PGAPPNAME": WEB_APP}, work / "burst-web.log"),
        _spawn(
            [str(ROOT / ".venv/bin/celery"), *worker.split()],
            env | {"PGAPPNAME": WORKER_APP},
            work / "burst-worker.log",
        ),
    ]
    wait_http(f"http://127.0.0.1:{port}/healthz")
    return procs


def stop(procs: list[subprocess.Popen]) -> None:
    for proc in reversed(procs):
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _spawn(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )


def wait_http(url: str) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{url} did not answer 200 within 90 s")


class Backlog:
    """What is still to do: deliveries `pending` in the database, messages waiting in (or taken from) the queue."""

    def __init__(self, conn: psycopg.Connection, broker: redis.Redis) -> None:
        self.conn, self.broker = conn, broker

    def sample(self) -> tuple[int, int, int]:
        """(pending deliveries, messages queued, messages taken by a worker and not yet acknowledged)."""
        pending = self.conn.execute("SELECT count(*) FROM postmortems_webhookdelivery WHERE status = 'pending'")
        return pending.fetchone()[0], self.broker.llen("celery"), self.broker.hlen("unacked")

    def empty(self) -> bool:
        return self.sample() == (0, 0, 0)

    def wait_empty(self, timeout: float, every: float = 0.1) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.empty():
                return True
            time.sleep(every)
        return False


def counts(conn: psycopg.Connection) -> dict[str, int]:
    one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
    delivery = "SELECT count(*) FROM postmortems_webhookdelivery"
    return {
        "deliveries": one(delivery),
        **{
            status: one(f"{delivery} WHERE status = '{status}'")
            for status in ("pending", "failed", "processed", "ignored")
        },
        "attempts_over_one": one(f"{delivery} WHERE attempts > 1"),
        "not_tried_once": one(f"{delivery} WHERE attempts <> 1"),
        "merged_prs": one("SELECT count(*) FROM postmortems_mergedpullrequest"),
        "distinct_prs": one("SELECT count(DISTINCT (repository_id, number)) FROM postmortems_mergedpullrequest"),
        "hotfix_prs": one("SELECT count(*) FROM postmortems_hotfixpullrequest"),
        "postmortems": one("SELECT count(*) FROM postmortems_postmortem"),
        "hotfixes_not_one_postmortem": one(
            "SELECT count(*) FROM (SELECT postmortem_id FROM postmortems_hotfixpullrequest "
            "GROUP BY postmortem_id HAVING count(*) <> 1) AS t"
        ),
        "evidence": one("SELECT count(*) FROM postmortems_evidence"),
        "repositories": one("SELECT count(*) FROM postmortems_repository"),
    }


def evidence_keys(conn: psycopg.Connection) -> list[tuple[str, str]]:
    return [(key, status) for key, status in conn.execute("SELECT source_key, status FROM postmortems_evidence")]


def verdicts(conn: psycopg.Connection) -> dict[int, str]:
    rows = conn.execute("SELECT number, staging_verification FROM postmortems_mergedpullrequest")
    return dict(rows.fetchall())


# --- where the CPU goes -------------------------------------------------------------------
TICKS = os.sysconf("SC_CLK_TCK")
WORKER_APP, WEB_APP = "burst-worker", "burst-web"  # PGAPPNAME of each side's database sessions


def _stat(pid: int) -> tuple[int, float] | None:
    """(process group, CPU seconds used) of a live process, None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    return int(fields[2]), (int(fields[11]) + int(fields[12])) / TICKS


class CpuMeter:
    """CPU seconds used by the Celery worker, gunicorn and each one's PostgreSQL sessions, as last seen.

    Read from /proc at every sample, so a session that ends (connections are renewed every
    minute) keeps what it had used when last seen.
    """

    def __init__(self, conn: psycopg.Connection, db: str, groups: dict[str, int]) -> None:
        self.conn, self.db, self.groups = conn, db, groups  # role -> process group id
        self.seen: dict[int, tuple[str, float]] = {}

    def sample(self) -> None:
        roles = {pgid: role for role, pgid in self.groups.items()}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and (stat := _stat(int(entry.name))) and stat[0] in roles:
                self.seen[int(entry.name)] = (roles[stat[0]], stat[1])
        sessions = self.conn.execute(
            "SELECT pid, application_name FROM pg_stat_activity WHERE datname = %s AND application_name IN (%s, %s)",
            [self.db, WORKER_APP, WEB_APP],
        )
        for pid, app in sessions.fetchall():
            if stat := _stat(pid):
                self.seen[pid] = (f"{app} sessions", stat[1])

    def totals(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for role, seconds in self.seen.values():
            totals[role] = totals.get(role, 0.0) + seconds
        return totals
