"""Driver of the webhook benchmark (see `run`). Bounded: about a minute in all."""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import redis
import requests

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
RESULTS = ROOT / "bench" / "RESULTS.md"
PAYLOAD = Path("/work/shared/fixtures/github/webhooks/pull_request.opened.json")
PG = "postgres://postgres@127.0.0.1:5432"
DB_NAME = "pm_bench_webhook"
REDIS_URL = "redis://127.0.0.1:6379/6"
SECRET = "bench-webhook-secret"
START, END = "<!-- bench:webhook:start -->", "<!-- bench:webhook:end -->"


def sh(*cmd: str, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, env=env, cwd=ROOT, text=True, capture_output=True, **kwargs)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def reset_database(env: dict) -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [DB_NAME])
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    sh(str(ROOT / ".venv/bin/python"), "manage.py", "migrate", "--noinput", env=env)
    with psycopg.connect(f"{PG}/{DB_NAME}", autocommit=True) as conn:
        from bench.webhook.floor import LZ4_SQL, TABLE_SQL

        conn.execute(TABLE_SQL)
        try:
            conn.execute(LZ4_SQL)
        except psycopg.errors.FeatureNotSupported:
            print("PostgreSQL has no lz4 here: the floor and the webhook both keep pglz", flush=True)


def start_gunicorn(
    env: dict, port: int, workers: int, threads: int, worker_connections: int, log: Path
) -> subprocess.Popen:
    cmd = [
        str(ROOT / ".venv/bin/gunicorn"), "tracker.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--worker-class", "gthread", "--threads", str(threads),
        "--worker-connections", str(worker_connections),
        "--backlog", "2048", "--log-level", "warning",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/bench/floor/", timeout=2)
            return proc
        except requests.RequestException:  # still booting
            time.sleep(0.5)
    proc.kill()
    raise SystemExit(f"gunicorn did not start; see {log}")


def wrk(url: str, body_file: Path, signature: str, prefix: str, seconds: int, connections: int) -> dict:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency",
         "-s", str(HERE / "signed.lua"), url, "--", str(body_file), signature, prefix],
        check=True, text=True, capture_output=True,
    ).stdout  # fmt: skip
    match = re.search(r"^RESULT (\{.*\})$", out, re.M)
    if not match:
        raise SystemExit(f"no result from wrk:\n{out}")
    result = json.loads(match.group(1))
    result["rps"] = result["requests"] / result["duration_s"]
    return result


def stored_rows(kind: str, prefix: str) -> int:
    table, column = (
        ("postmortems_webhookdelivery", "delivery_id") if kind == "webhook" else ("bench_floor_delivery", "delivery_id")
    )
    with psycopg.connect(f"{PG}/{DB_NAME}") as conn:
        return conn.execute(f"SELECT count(*) FROM {table} WHERE {column} LIKE %s", [prefix + "-%"]).fetchone()[0]


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor() or "unknown",
    )
    return (
        f"{os.cpu_count()} CPUs (nproc {sh('nproc').stdout.strip()}), {cpu}, {platform.system()} {platform.release()}"
    )


def versions() -> str:
    with psycopg.connect(f"{PG}/postgres") as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
    redis_version = redis.Redis.from_url(REDIS_URL).info()["redis_version"]
    gunicorn = sh(str(ROOT / ".venv/bin/gunicorn"), "--version").stdout.strip()
    wrk_version = subprocess.run(["wrk", "-v"], text=True, capture_output=True).stdout.splitlines()[0]
    return f"PostgreSQL {pg}, Redis {redis_version}, {gunicorn}, {wrk_version}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=12, help="length of each measured phase")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--worker-connections",
        type=int,
        default=0,
        help="connections a worker holds at most (default: connections / workers, rounded up)",
    )
    parser.add_argument("--no-write", action="store_true", help="print, do not update bench/RESULTS.md")
    args = parser.parse_args()

    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "bench.webhook.settings",
        "DATABASE_URL": f"{PG}/{DB_NAME}",
        "REDIS_URL": REDIS_URL,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "GITHUB_WEBHOOK_SECRET": SECRET,
        "GITHUB_TOKEN": "",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_ACCESS_LOG": "",  # gunicorn.conf.py: no access log line per request
        "PYTHONPATH": str(ROOT),
    }
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.webhook.settings")
    work = ROOT / "bench" / ".work"
    work.mkdir(parents=True, exist_ok=True)
    body = PAYLOAD.read_bytes()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()

    load_before = os.getloadavg()[0]
    print("resetting database and Redis DB 6 ...", flush=True)
    reset_database(env)
    redis.Redis.from_url(REDIS_URL).flushdb()
    port = free_port()
    # A gthread worker accepts every connection it can: wrk opens its 32 keep-alive connections at
    # once, and without a cap most of them can land on one worker (one core, one GIL) for the whole
    # run. The cap spreads them as GitHub's one connection per delivery spreads over time.
    args.worker_connections = args.worker_connections or -(-args.connections // args.workers)
    server = start_gunicorn(env, port, args.workers, args.threads, args.worker_connections, work / "gunicorn.log")
    base = f"http://127.0.0.1:{port}"
    urls = {"floor": f"{base}/bench/floor/", "webhook": f"{base}/webhooks/github/"}
    run_id = uuid.uuid4().hex[:8]
    phases: dict[str, list[dict]] = {"floor": [], "webhook": []}
    try:
        for kind in ("floor", "webhook"):  # warm-up: connections, caches, JIT-free but import-heavy paths
            wrk(urls[kind], PAYLOAD, signature, f"warm-{kind}-{run_id}", 3, args.connections)
        for round_number, order in enumerate((("floor", "webhook"), ("webhook", "floor")), start=1):
            for kind in order:  # ABBA order cancels drift between the two
                prefix = f"{kind}-{run_id}-{round_number}"
                print(f"measuring {kind} (round {round_number}, {args.seconds} s) ...", flush=True)
                result = wrk(urls[kind], PAYLOAD, signature, prefix, args.seconds, args.connections)
                time.sleep(1)  # let requests still in flight finish before counting
                result["stored"] = stored_rows(kind, prefix)
                phases[kind].append(result)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    queued = redis.Redis.from_url(REDIS_URL).llen("celery")
    redis.Redis.from_url(REDIS_URL).flushdb()
    args.load = (load_before, os.getloadavg()[0])
    report = summarise(phases, args, queued, len(body))
    print(report)
    if not args.no_write:
        write_results(report)


def summarise(phases: dict, args, queued: int, body_size: int) -> str:
    def total(kind: str, key: str) -> float:
        return sum(p[key] for p in phases[kind])

    rps = {kind: total(kind, "requests") / total(kind, "duration_s") for kind in phases}
    ratio = rps["webhook"] / rps["floor"]
    p99 = {kind: max(p["p99_ms"] for p in phases[kind]) for kind in phases}
    lines = [
        START,
        "## Webhook intake (SPEC §7)",
        "",
        f"- Command: `bench/webhook/run` (phases of {args.seconds} s, order floor→webhook→webhook→floor after a 3 s "
        f"warm-up of each; `wrk -t1 -c{args.connections}`; gunicorn gthread {args.workers} workers × "
        f"{args.threads} threads, at most {args.worker_connections} connections per worker so wrk's keep-alive "
        "connections spread evenly, the rest from `gunicorn.conf.py` (gc.freeze after start-up), no access log, "
        f"DEBUG off; body: `pull_request.opened.json`, {body_size} bytes, one valid "
        "signature, a unique `X-GitHub-Delivery` per request; no Celery worker running, tasks queue in Redis)",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine()}; everything (wrk, gunicorn, PostgreSQL, Redis) on the same host",
        f"- 1-minute load average before / after the run: {args.load[0]:.1f} / {args.load[1]:.1f} "
        "(anything above ~1 is other work on the same CPUs, which lowers and scatters every figure below)",
        f"- Software: {versions()}",
        "",
        "| phase | requests | 202s | rows stored | req/s | p50 ms | p90 ms | p99 ms | max ms | non-202 | socket err |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for kind in ("floor", "webhook"):
        for number, p in enumerate(phases[kind], start=1):
            errors = p["connect_errors"] + p["read_errors"] + p["write_errors"] + p["timeouts"]
            lines.append(
                f"| {kind} #{number} | {p['requests']} | {p['accepted']} | {p['stored']} | {p['rps']:.0f} | "
                f"{p['p50_ms']:.1f} | {p['p90_ms']:.1f} | {p['p99_ms']:.1f} | {p['max_ms']:.1f} | "
                f"{p['other_status']} | {errors} |"
            )
    stored_ok = all(p["stored"] >= p["accepted"] for p in phases["webhook"])
    extra = sum(p["stored"] - p["accepted"] for p in phases["webhook"])
    lines += [
        "",
        f"- Throughput: webhook {rps['webhook']:.0f} req/s vs floor {rps['floor']:.0f} req/s → "
        f"**ratio {ratio:.2f}** (target ≥ 0.80: {'met' if ratio >= 0.8 else 'NOT met'})",
        f"- p99 at {args.connections} connections: webhook **{p99['webhook']:.1f} ms** (worst phase), floor "
        f"{p99['floor']:.1f} ms (target < 100 ms: {'met' if p99['webhook'] < 100 else 'NOT met'})",
        f"- Every accepted delivery stored: {'yes' if stored_ok else 'NO'} — rows stored ≥ 202 answers in every "
        f"webhook phase; {extra} more rows than 202s seen by wrk (requests still in flight when wrk stopped "
        f"its clock are stored but not counted by wrk). Tasks left queued in Redis: {queued}.",
        END,
    ]
    return "\n".join(lines)


def write_results(section: str) -> None:
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n\nWritten by the commands in `bench/`.\n"
    if START in text and END in text:
        text = text[: text.index(START)] + section + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(text)
    print(f"updated {RESULTS}")


if __name__ == "__main__":
    main()
