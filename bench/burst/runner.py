"""Driver of the burst benchmark (see `run`): a flood of real, signed deliveries, then the drain.

The mix, for 2,000 PRs merged into the default branch (every 5th one a hotfix by label):
`opened` and `synchronize` before the merge (ignored), the merging `closed`, a second
`closed` with a new delivery id (GitHub can send an event twice), a `labeled` after the
merge for hotfixes, and redeliveries of the same delivery id (answered `duplicate`),
shuffled with a fixed seed so events about one PR race each other, up to 10,000 requests.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import hmac
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import redis
import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.webhook.runner import free_port, machine  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
FIXTURES = Path(os.environ.get("GITHUB_FIXTURES", ROOT.parent / "shared" / "fixtures" / "github" / "webhooks"))
PG = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "pm_bench_burst"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
SECRET = "bench-burst-webhook-secret"
HEADING, END = "## Burst: 10,000 deliveries, then the drain", "<!-- bench:burst:end -->"
HOTFIX_EVERY = 5


def deliveries(prs: int, total: int, seed: int = 7) -> list[tuple[str, str, bytes]]:
    """(delivery id, event, body) in send order; redeliveries reuse an earlier id and body."""
    fixture = json.loads((FIXTURES / "pull_request.closed.json").read_text())
    items: list[tuple[str, str, bytes]] = []

    def add(number: int, action: str, kind: str, merged: bool, hotfix: bool) -> None:
        payload = copy.deepcopy(fixture)
        pr = payload["pull_request"]
        payload["action"], payload["number"] = action, number
        pr.update(number=number, title=f"Fix batch job {number}", state="closed" if merged else "open")
        pr.update(merged=merged, merged_at="2026-03-10T12:00:00Z" if merged else None)
        pr["merge_commit_sha"] = f"{number:040x}"
        pr["html_url"] = f"https://github.com/Codertocat/Hello-World/pull/{number}"
        pr["labels"] = [{"name": "hotfix", "color": "d73a4a", "default": False}] if hotfix and merged else []
        items.append((f"burst-{number}-{kind}", "pull_request", json.dumps(payload).encode()))

    for number in range(1, prs + 1):
        hotfix = number % HOTFIX_EVERY == 0
        add(number, "opened", "opened", merged=False, hotfix=False)
        add(number, "synchronize", "sync", merged=False, hotfix=False)
        add(number, "closed", "closed", merged=True, hotfix=hotfix)
        add(number, "closed", "closed-again", merged=True, hotfix=hotfix)
        if hotfix:
            add(number, "labeled", "labeled", merged=True, hotfix=True)
    rng = random.Random(seed)
    redeliveries = [rng.choice(items) for _ in range(max(0, total - len(items)))]
    items += redeliveries
    rng.shuffle(items)
    return items[:total]


def sign(body: bytes) -> str:
    return "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


def send_all(url: str, items: list[tuple[str, str, bytes]], clients: int) -> tuple[Counter, dict[str, int], float]:
    """POST every delivery from `clients` threads with keep-alive; returns statuses, status per id, seconds."""
    statuses: Counter = Counter()
    accepted: dict[str, int] = {}
    lock = threading.Lock()
    cursor = iter(range(len(items)))

    def worker() -> None:
        session = requests.Session()
        while True:
            with lock:
                index = next(cursor, None)
            if index is None:
                return
            delivery_id, event, body = items[index]
            headers = {
                "Content-Type": "application/json",
                "X-GitHub-Event": event,
                "X-GitHub-Delivery": delivery_id,
                "X-Hub-Signature-256": sign(body),
            }
            try:
                status = session.post(url, data=body, headers=headers, timeout=30).status_code
            except requests.RequestException:
                status = 0
            with lock:
                statuses[status] += 1
                if status == 202:
                    accepted[delivery_id] = status

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses, accepted, time.monotonic() - started


def counts(conn: psycopg.Connection) -> dict[str, int]:
    one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
    return {
        "deliveries": one("SELECT count(*) FROM postmortems_webhookdelivery"),
        "pending": one("SELECT count(*) FROM postmortems_webhookdelivery WHERE status = 'pending'"),
        "failed": one("SELECT count(*) FROM postmortems_webhookdelivery WHERE status = 'failed'"),
        "processed": one("SELECT count(*) FROM postmortems_webhookdelivery WHERE status = 'processed'"),
        "ignored": one("SELECT count(*) FROM postmortems_webhookdelivery WHERE status = 'ignored'"),
        "merged_prs": one("SELECT count(*) FROM postmortems_mergedpullrequest"),
        "distinct_prs": one("SELECT count(DISTINCT (repository_id, number)) FROM postmortems_mergedpullrequest"),
        "hotfix_prs": one("SELECT count(*) FROM postmortems_hotfixpullrequest"),
        "postmortems": one("SELECT count(*) FROM postmortems_postmortem"),
        "hotfixes_not_one_postmortem": one(
            "SELECT count(*) FROM (SELECT postmortem_id FROM postmortems_hotfixpullrequest "
            "GROUP BY postmortem_id HAVING count(*) <> 1) AS t"
        ),
        "attempts_over_one": one("SELECT count(*) FROM postmortems_webhookdelivery WHERE attempts > 1"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prs", type=int, default=2000)
    parser.add_argument("--deliveries", type=int, default=10000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--gunicorn-workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--drain-timeout", type=int, default=900, help="seconds to wait for the backlog")
    parser.add_argument("--no-write", action="store_true", help="print, do not update bench/RESULTS.md")
    args = parser.parse_args()

    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        "DATABASE_URL": f"{PG}/{DB_NAME}",
        "REDIS_URL": REDIS_URL,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-" + "y" * 40,
        "GITHUB_WEBHOOK_SECRET": SECRET,
        "GITHUB_TOKEN": "",  # no write-back: GitHub is not part of this measurement
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_ACCESS_LOG": "",  # gunicorn.conf.py: no access log line per request
        "PYTHONPATH": str(ROOT),
    }
    work = ROOT / "bench" / ".work"
    work.mkdir(parents=True, exist_ok=True)
    items = deliveries(args.prs, args.deliveries)
    distinct_ids = len({delivery_id for delivery_id, _, _ in items})

    print(f"resetting {DB_NAME} and Redis {REDIS_URL} ...", flush=True)
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [DB_NAME])
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True,
                   capture_output=True)  # fmt: skip
    broker = redis.Redis.from_url(REDIS_URL)
    broker.flushdb()

    port = free_port()
    procs: list[subprocess.Popen] = []
    try:
        procs.append(_spawn([str(ROOT / ".venv/bin/gunicorn"), "tracker.wsgi:application", "--bind",
                             f"127.0.0.1:{port}", "--workers", str(args.gunicorn_workers), "--worker-class", "gthread",
                             "--threads", str(args.threads), "--backlog", "2048", "--log-level", "warning"],
                            env, work / "burst-gunicorn.log"))  # fmt: skip
        procs.append(_spawn([str(ROOT / ".venv/bin/celery"), "-A", "tracker", "worker", "--concurrency", "2",
                             "--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
                            env, work / "burst-worker.log"))  # fmt: skip
        _wait_http(f"http://127.0.0.1:{port}/healthz")

        print(f"sending {len(items)} deliveries ({distinct_ids} distinct ids) for {args.prs} PRs ...", flush=True)
        t0 = time.monotonic()
        statuses, accepted, send_seconds = send_all(f"http://127.0.0.1:{port}/webhooks/github/", items, args.clients)
        print(f"sent in {send_seconds:.1f} s: {dict(statuses)}; waiting for the backlog ...", flush=True)
        with psycopg.connect(f"{PG}/{DB_NAME}", autocommit=True) as conn:
            drained = _drain(conn, broker, args.drain_timeout)
            t_end = time.monotonic()
            final = counts(conn)
            stored_ids = {row[0] for row in conn.execute("SELECT delivery_id FROM postmortems_webhookdelivery")}
    finally:
        for proc in reversed(procs):
            _stop(proc)

    hotfixes = args.prs // HOTFIX_EVERY
    checks = {
        "every accepted delivery stored": set(accepted) <= stored_ids,
        "backlog drained (nothing pending, queue empty)": drained,
        "no delivery failed": final["failed"] == 0,
        f"every PR recorded once ({args.prs})": final["merged_prs"] == final["distinct_prs"] == args.prs,
        f"every hotfix with exactly one postmortem ({hotfixes})": final["hotfix_prs"]
        == final["postmortems"]
        == hotfixes
        and final["hotfixes_not_one_postmortem"] == 0,
        "no 5xx or connection errors": not any(s >= 500 or s == 0 for s in statuses),
    }
    report = summarise(args, len(items), distinct_ids, statuses, accepted, send_seconds, t_end - t0, final, checks)
    print(report)
    if not args.no_write:
        write_results(report)
    if not all(checks.values()):
        raise SystemExit("burst benchmark: a check failed (see above)")


def _spawn(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)  # fmt: skip


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _wait_http(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{url} did not answer 200 within 60 s")


def _drain(conn: psycopg.Connection, broker: redis.Redis, timeout: int) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pending = conn.execute("SELECT count(*) FROM postmortems_webhookdelivery WHERE status = 'pending'").fetchone()
        if pending[0] == 0 and broker.llen("celery") == 0:
            return True
        time.sleep(0.5)
    return False


def summarise(args, sent, distinct_ids, statuses, accepted, send_s, total_s, final, checks) -> str:
    status_text = ", ".join(f"{code or 'error'}: {n}" for code, n in sorted(statuses.items()))
    lines = [
        f"{HEADING} (issue 7)",
        "",
        f"- Command: `bench/burst/run` ({args.clients} client threads with keep-alive; gunicorn gthread "
        f"{args.gunicorn_workers} workers × {args.threads} threads; one Celery worker with 2 processes; DEBUG off; "
        f"PostgreSQL `{DB_NAME}`, Redis DB 7; no GitHub write-back)",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine()}; client, gunicorn, workers, PostgreSQL and Redis share it; load average at the "
        f"end {os.getloadavg()[0]:.1f} (other work on the host counts against these numbers)",
        f"- Mix: {sent} requests, {distinct_ids} distinct delivery ids, {args.prs} PRs merged "
        f"({args.prs // HOTFIX_EVERY} hotfixes): opened, synchronize, closed (merged), the same closed again under a "
        "new id, labeled for hotfixes, and redeliveries of earlier ids; shuffled",
        "",
        "| measure | value |",
        "| --- | --- |",
        f"| answers | {status_text} |",
        f"| intake | {sent / send_s:.0f} req/s ({send_s:.1f} s for {sent} requests) |",
        f"| drain (first request → backlog empty) | {total_s:.1f} s; backlog after intake cleared "
        f"{total_s - send_s:.1f} s after the last request |",
        f"| processing throughput | {(final['processed'] + final['ignored']) / total_s:.0f} deliveries/s end to end |",
        f"| deliveries stored | {final['deliveries']} (accepted with 202: {len(accepted)}) |",
        f"| processed / ignored / failed / pending | {final['processed']} / {final['ignored']} / {final['failed']} / "
        f"{final['pending']} |",
        f"| deliveries run more than once | {final['attempts_over_one']} |",
        f"| merged PRs / distinct | {final['merged_prs']} / {final['distinct_prs']} |",
        f"| hotfix PRs / postmortems | {final['hotfix_prs']} / {final['postmortems']} |",
        "",
        *[f"- {'✔' if ok else '✘ FAILED'} {name}" for name, ok in checks.items()],
        END,
    ]
    return "\n".join(lines)


def write_results(section: str) -> None:
    """Replace our section (from its heading to its end marker), leaving the other benchmarks' alone."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    start = text.find(HEADING)
    if start >= 0:
        end = text.find(END, start)
        end = end + len(END) if end >= 0 else (text.find("\n## ", start + 1) + 1 or len(text))
        text = text[:start] + section + text[end:]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(text)
    print(f"updated {RESULTS}")


if __name__ == "__main__":
    main()
