"""Driver of the burst benchmark (see `run`): real, signed deliveries of PRs and their evidence, then the drain.

Two modes, each on a fresh copy of one migrated database, with gunicorn and one Celery
worker of 2 processes started for it:

- fast: the whole mix (10,000 pull_request + 40,000 evidence deliveries by default) as
  fast as the intake takes them; the figure is the drain time;
- paced: the same mix for fewer PRs, sent at 150 deliveries/s for 60 s; the backlog
  (pending deliveries + messages queued + messages taken and not yet acknowledged) is
  sampled every 0.5 s; the figures are its maximum and the time it takes to empty after
  the last request (SPEC §7: at most 1,000, within 10 s).

Each mode checks: every accepted delivery stored; nothing pending or failed; each
delivery tried exactly once; the evidence rows are exactly the (source_key, status)
pairs the runner expects from what it sent; every PR recorded once with the staging
verification SPEC §10 gives it; one postmortem per hotfix. The mix is in `mix.py`.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import redis
import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.burst import mix, report, stack  # noqa: E402
from bench.webhook.runner import free_port  # noqa: E402

# Beside the checkout (../shared), or beside the directory of work trees it is in.
_SHARED = next(
    (p / "shared" for p in (ROOT.parent, ROOT.parent.parent) if (p / "shared").is_dir()), ROOT.parent / "shared"
)
FIXTURES = Path(os.environ.get("GITHUB_FIXTURES", _SHARED / "fixtures" / "github" / "webhooks"))
PG = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
SECRET = "bench-burst-webhook-secret"
SAMPLE_EVERY = 0.5


def sign(body: bytes) -> str:
    return "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class Sent:
    statuses: Counter = field(default_factory=Counter)
    accepted: set[str] = field(default_factory=set)
    seconds: float = 0.0
    last_request_at: float = 0.0  # monotonic, when the last answer came
    max_lag: float = 0.0  # paced: how far behind its slot a request went out, at worst


def send(url: str, items: list[tuple[str, str, bytes]], clients: int, rate: float | None) -> Sent:
    """POST every delivery from `clients` keep-alive threads: as fast as answered, or request i at i / rate."""
    sent, lock, cursor = Sent(), threading.Lock(), iter(range(len(items)))
    started = time.monotonic()

    def worker() -> None:
        session = requests.Session()
        while True:
            with lock:
                index = next(cursor, None)
            if index is None:
                return
            if rate is not None:
                slot = started + index / rate
                delay = slot - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                with lock:
                    sent.max_lag = max(sent.max_lag, -delay)
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
                sent.statuses[status] += 1
                sent.last_request_at = max(sent.last_request_at, time.monotonic())
                if status == 202:
                    sent.accepted.add(delivery_id)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sent.seconds = time.monotonic() - started
    return sent


class Sampler(threading.Thread):
    """Every SAMPLE_EVERY seconds until stopped: the backlog (seconds since start, pending, queued, taken),
    and the CPU used so far by the worker, gunicorn and their database sessions."""

    def __init__(self, dsn: str, broker: redis.Redis, started: float, cpu: stack.CpuMeter) -> None:
        super().__init__(daemon=True)
        self.dsn, self.broker, self.started, self.cpu = dsn, broker, started, cpu
        self.samples: list[tuple[float, int, int, int]] = []
        self.halt = threading.Event()

    def run(self) -> None:
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            backlog = stack.Backlog(conn, self.broker)
            while not self.halt.is_set():
                self.samples.append((time.monotonic() - self.started, *backlog.sample()))
                self.cpu.sample()
                self.halt.wait(SAMPLE_EVERY)


def run_mode(name: str, the_mix: mix.Mix, args, env: dict, broker: redis.Redis) -> report.ModeResult:
    dsn = f"{PG}/{args.db}"
    stack.fresh_database(PG, args.db, args.db + "_template")
    broker.flushdb()
    port = free_port()
    work = ROOT / "bench" / ".work"
    work.mkdir(parents=True, exist_ok=True)
    procs = stack.start(env | {"DATABASE_URL": dsn}, port, args, work)
    url = f"http://127.0.0.1:{port}/webhooks/github/"
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            backlog = stack.Backlog(conn, broker)
            warm_item, warm_key = mix.warm_up(FIXTURES)
            if send(url, [warm_item], 1, None).statuses != Counter({202: 1}) or not backlog.wait_empty(60):
                raise SystemExit("the warm-up delivery was not accepted and processed")
            rate = args.rate if name == "paced" else None
            print(
                f"[{name}] sending {len(the_mix.items)} deliveries for {the_mix.prs} PRs"
                f"{f' at {rate:.0f}/s' if rate else ''} ...",
                flush=True,
            )
            cpu = stack.CpuMeter(conn, args.db, {"worker": procs[1].pid, "gunicorn": procs[0].pid})
            cpu.sample()
            cpu_before = cpu.totals()
            started = time.monotonic()
            sampler = Sampler(dsn, broker, started, cpu)
            sampler.start()
            sent = send(url, the_mix.items, args.clients, rate)
            print(f"[{name}] sent in {sent.seconds:.1f} s: {dict(sent.statuses)}; draining ...", flush=True)
            drained = backlog.wait_empty(args.drain_timeout)
            emptied_at = time.monotonic()
            sampler.halt.set()
            sampler.join()
            cpu.sample()
            cpu_used = {role: seconds - cpu_before.get(role, 0.0) for role, seconds in cpu.totals().items()}
            result = report.ModeResult(
                name=name,
                mix=the_mix,
                sent=sent,
                drained=drained,
                started=started,
                emptied_at=emptied_at,
                samples=sampler.samples,
                final=stack.counts(conn),
                stored_ids={row[0] for row in conn.execute("SELECT delivery_id FROM postmortems_webhookdelivery")},
                evidence_keys=stack.evidence_keys(conn),
                expected_extra={warm_key},
                verdicts=stack.verdicts(conn),
                cpu=cpu_used,
            )
    finally:
        stack.stop(procs)
    print(report.mode_lines(result, args), flush=True)
    return result


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modes", default="fast,paced", help="fast, paced or both (comma-separated)")
    parser.add_argument("--prs", type=int, default=2000, help="PRs of the fast mode")
    parser.add_argument("--pr-deliveries", type=int, default=10000)
    parser.add_argument("--evidence-deliveries", type=int, default=40000)
    parser.add_argument("--rate", type=float, default=150.0, help="paced mode: deliveries per second")
    parser.add_argument("--paced-seconds", type=float, default=60.0, help="paced mode: how long it sends")
    parser.add_argument("--clients", type=int, default=32, help="client threads with keep-alive")
    parser.add_argument("--gunicorn-workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--drain-timeout", type=int, default=1800, help="seconds to wait for the backlog")
    parser.add_argument(
        "--db",
        default=os.environ.get("BENCH_BURST_DB", "pm_bench_burst"),
        help="database name (a copy of <db>_template, made first)",
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7"))
    parser.add_argument("--no-write", action="store_true", help="print, do not update bench/RESULTS.md")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        "REDIS_URL": args.redis_url,
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
    mixes = {name: build_mix(name, args) for name in [mode.strip() for mode in args.modes.split(",") if mode.strip()]}
    print(f"preparing {args.db}_template (migrate, repository settings) ...", flush=True)
    stack.prepare_template(PG, args.db + "_template", env)
    broker = redis.Redis.from_url(args.redis_url)
    results = [run_mode(name, the_mix, args, env, broker) for name, the_mix in mixes.items()]
    stack.drop_database(PG, args.db + "_template")
    section = report.section(results, args)
    print(section)
    if not args.no_write:
        report.write_results(section)
    if not all(all(result.checks().values()) for result in results):
        raise SystemExit("burst benchmark: a check failed (see above)")


def build_mix(name: str, args) -> mix.Mix:
    """The fast mode's mix as asked; the paced one keeps its proportions for rate × seconds deliveries."""
    if name == "fast":
        return mix.build(
            FIXTURES, prs=args.prs, pr_deliveries=args.pr_deliveries, evidence_deliveries=args.evidence_deliveries
        )
    if name != "paced":
        raise SystemExit(f"unknown mode {name!r} (fast, paced)")
    total = round(args.rate * args.paced_seconds)
    share = total / (args.pr_deliveries + args.evidence_deliveries)
    pr_deliveries = round(args.pr_deliveries * share)
    return mix.build(
        FIXTURES,
        prs=max(1, round(args.prs * share)),
        pr_deliveries=pr_deliveries,
        evidence_deliveries=total - pr_deliveries,
    )


if __name__ == "__main__":
    main()
