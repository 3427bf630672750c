"""Driver of the webhook benchmark (see `run`). Bounded: about two minutes in all."""

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
sys.path.insert(0, str(ROOT))  # run as a script: `bench` is the repository's folder
from bench.results_file import replace_section  # noqa: E402

HERE = Path(__file__).resolve().parent
PAYLOAD = Path("/work/shared/fixtures/github/webhooks/pull_request.opened.json")
PG = "postgres://postgres@127.0.0.1:5432"
SECRET = "bench-webhook-secret"
START, END = "<!-- bench:webhook:start -->", "<!-- bench:webhook:end -->"
# The three things measured: the bare floor (its own project and database), the floor view inside
# the product (behind all its middleware), and the product's webhook.
PHASES = ("bare floor", "in-product floor", "webhook")
PATHS = {"bare floor": "/", "in-product floor": "/bench/floor/", "webhook": "/webhooks/github/"}


def sh(*cmd: str, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, env=env, cwd=ROOT, text=True, capture_output=True, **kwargs)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def recreate_database(name: str) -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")


def lz4_where_available(conn: psycopg.Connection, sql: str) -> None:
    try:
        conn.execute(sql)
    except psycopg.errors.FeatureNotSupported:
        print("PostgreSQL has no lz4 here: the floors and the webhook all keep pglz", flush=True)


def reset_databases(product_db: str, floor_db: str, env: dict) -> None:
    from bench.webhook import floor
    from bench.webhook.floor_project import urls as bare

    recreate_database(product_db)
    sh(str(ROOT / ".venv/bin/python"), "manage.py", "migrate", "--noinput", env=env)
    with psycopg.connect(f"{PG}/{product_db}", autocommit=True) as conn:
        conn.execute(floor.TABLE_SQL)
        lz4_where_available(conn, floor.LZ4_SQL)
    recreate_database(floor_db)
    with psycopg.connect(f"{PG}/{floor_db}", autocommit=True) as conn:
        conn.execute(bare.SCHEMA_SQL)
        lz4_where_available(conn, bare.LZ4_SQL)


def start_gunicorn(app: str, env: dict, port: int, probe: str, log: Path) -> subprocess.Popen:
    """Gunicorn as the image runs it: from the repository root, so `gunicorn.conf.py` decides
    workers, threads and connections per worker; only the bind address and log level are ours."""
    cmd = [str(ROOT / ".venv/bin/gunicorn"), app, "--log-level", "warning"]
    env = env | {"GUNICORN_BIND": f"127.0.0.1:{port}"}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}{probe}", timeout=2)
            return proc
        except requests.RequestException:  # still booting
            time.sleep(0.5)
    proc.kill()
    raise SystemExit(f"gunicorn did not start; see {log}")


def gunicorn_config(env: dict) -> dict[str, str]:
    """The settings gunicorn.conf.py resolves to in this environment (what both servers run with)."""
    out = sh(str(ROOT / ".venv/bin/gunicorn"), "--print-config", "tracker.wsgi:application", env=env).stdout
    wanted = ("workers", "threads", "worker_class", "worker_connections", "keepalive", "backlog")
    pairs = (line.split("=", 1) for line in out.splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs if key.strip() in wanted}


def connections_per_worker(port: int) -> list[int]:
    """Established connections on the server's port, counted per gunicorn worker process (ss)."""
    out = subprocess.run(
        ["ss", "-Htnp", "state", "established", f"( sport = :{port} )"], text=True, capture_output=True
    ).stdout
    counts: dict[str, int] = {}
    for pid in re.findall(r"pid=(\d+)", out):
        counts[pid] = counts.get(pid, 0) + 1
    return sorted(counts.values(), reverse=True)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def serving_processes(server: subprocess.Popen, database: str) -> list[int]:
    """The server's gunicorn workers and the PostgreSQL backends serving its database."""
    workers = [int(stat.parent.name) for stat in Path("/proc").glob("[0-9]*/stat") if _parent_pid(stat) == server.pid]
    with psycopg.connect(f"{PG}/postgres") as conn:
        backends = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'", [database]
        ).fetchall()
    return workers + [pid for (pid,) in backends]


def _parent_pid(stat: Path) -> int | None:
    try:
        return int(stat.read_text().rsplit(")", 1)[1].split()[1])
    except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
        return None


def cpu_snapshot(server: subprocess.Popen, database: str) -> dict[int, float]:
    return {pid: cpu_seconds(pid) for pid in serving_processes(server, database)}


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between two snapshots (a process new in `after` counts from zero)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def wrk(url: str, port: int, signature: str, prefix: str, seconds: int, connections: int) -> dict:
    """One wrk phase; halfway through, how wrk's keep-alive connections sit on the workers."""
    proc = subprocess.Popen(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency",
         "-s", str(HERE / "signed.lua"), url, "--", str(PAYLOAD), signature, prefix],
        text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    time.sleep(seconds / 2)
    spread = connections_per_worker(port)
    out, err = proc.communicate(timeout=seconds + 30)
    match = re.search(r"^RESULT (\{.*\})$", out, re.M)
    if proc.returncode or not match:
        raise SystemExit(f"no result from wrk:\n{out}\n{err}")
    result = json.loads(match.group(1))
    result["rps"] = result["requests"] / result["duration_s"]
    result["spread"] = spread
    return result


def stored_rows(dsn: str, table: str, prefix: str) -> int:
    with psycopg.connect(dsn) as conn:
        return conn.execute(f"SELECT count(*) FROM {table} WHERE delivery_id LIKE %s", [prefix + "-%"]).fetchone()[0]


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


def versions(redis_url: str) -> str:
    with psycopg.connect(f"{PG}/postgres") as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
    redis_version = redis.Redis.from_url(redis_url).info()["redis_version"]
    gunicorn = sh(str(ROOT / ".venv/bin/gunicorn"), "--version").stdout.strip()
    wrk_version = subprocess.run(["wrk", "-v"], text=True, capture_output=True).stdout.splitlines()[0]
    return f"PostgreSQL {pg}, Redis {redis_version}, {gunicorn}, {wrk_version}, Python {platform.python_version()}"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=12, help="length of each measured phase")
    parser.add_argument("--connections", type=int, default=32, help="wrk's keep-alive connections")
    parser.add_argument(
        "--db-suffix", default="", help="appended to the database names, so two checkouts never share one"
    )
    parser.add_argument("--redis-db", type=int, default=6)
    parser.add_argument("--no-write", action="store_true", help="print, do not update bench/RESULTS.md")
    return parser.parse_args()


def environments(args: argparse.Namespace) -> dict[str, dict]:
    """The process environment of each server: production settings (DEBUG off) and gunicorn.conf.py
    as it stands. Gunicorn's own settings come from the caller's environment, as an operator sets
    them (README: GUNICORN_MAX_CLIENTS for more than its default of 32 clients at once)."""
    common = os.environ | {
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "GITHUB_WEBHOOK_SECRET": SECRET,
        "GUNICORN_ACCESS_LOG": "",  # gunicorn.conf.py: no access log line per request
        "PYTHONPATH": str(ROOT),
    }
    product = common | {
        "DJANGO_SETTINGS_MODULE": "bench.webhook.settings",
        "DATABASE_URL": f"{PG}/{args.product_db}",
        "REDIS_URL": args.redis_url,
        "GITHUB_TOKEN": "",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
    }
    bare = common | {
        "DJANGO_SETTINGS_MODULE": "bench.webhook.floor_project.settings",
        "FLOOR_DATABASE_NAME": args.floor_db,
    }
    return {"product": product, "bare": bare}


def measure(args: argparse.Namespace, servers: dict[str, subprocess.Popen], signature: str) -> dict[str, list[dict]]:
    """Warm each up, then measure in the order A B C C B A, which cancels drift between them.

    Besides wrk's figures, the CPU time the serving processes (gunicorn workers and their
    PostgreSQL backends) spent per stored row: what each request costs whatever else the
    machine is doing, where req/s and latency also show the other work on the same CPUs.
    """
    ports = {kind: args.ports[kind] for kind in PHASES}
    databases = {"bare floor": args.floor_db, "in-product floor": args.product_db, "webhook": args.product_db}
    urls = {kind: f"http://127.0.0.1:{ports[kind]}{PATHS[kind]}" for kind in PHASES}
    tables = {
        "bare floor": (f"{PG}/{args.floor_db}", "floor_delivery"),
        "in-product floor": (f"{PG}/{args.product_db}", "bench_floor_delivery"),
        "webhook": (f"{PG}/{args.product_db}", "postmortems_webhookdelivery"),
    }
    run_id = uuid.uuid4().hex[:8]
    for kind in PHASES:  # warm-up: connections, caches, import-heavy first requests
        wrk(urls[kind], ports[kind], signature, f"warm-{kind[:4]}-{run_id}", 3, args.connections)
    phases: dict[str, list[dict]] = {kind: [] for kind in PHASES}
    for kind in (*PHASES, *reversed(PHASES)):
        prefix = f"{kind[:4]}-{run_id}-{len(phases[kind]) + 1}"
        print(f"measuring {kind} ({args.seconds} s) ...", flush=True)
        before = cpu_snapshot(servers[kind], databases[kind])
        result = wrk(urls[kind], ports[kind], signature, prefix, args.seconds, args.connections)
        time.sleep(1)  # let requests still in flight finish before counting
        result["stored"] = stored_rows(*tables[kind], prefix)
        result["cpu_ms"] = cpu_used(before, cpu_snapshot(servers[kind], databases[kind])) * 1000 / result["stored"]
        phases[kind].append(result)
    return phases


def main() -> None:
    args = parse_args()
    args.product_db, args.floor_db = f"pm_bench_webhook{args.db_suffix}", f"pm_bench_floor{args.db_suffix}"
    args.redis_url = f"redis://127.0.0.1:6379/{args.redis_db}"
    args.max_clients = os.environ.get("GUNICORN_MAX_CLIENTS", "unset, its default")
    env = environments(args)
    work = ROOT / "bench" / ".work"
    work.mkdir(parents=True, exist_ok=True)
    body = PAYLOAD.read_bytes()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()

    args.gunicorn = gunicorn_config(env["product"])
    capacity = int(args.gunicorn["workers"]) * int(args.gunicorn["worker_connections"])
    if capacity < args.connections:
        raise SystemExit(
            f"gunicorn.conf.py holds {capacity} connections at once, fewer than --connections {args.connections}: "
            f"set GUNICORN_MAX_CLIENTS={args.connections}, as an operator would (README, Operating it)"
        )
    load_before = os.getloadavg()[0]
    print(f"resetting {args.product_db}, {args.floor_db} and Redis DB {args.redis_db} ...", flush=True)
    reset_databases(args.product_db, args.floor_db, env["product"])
    redis.Redis.from_url(args.redis_url).flushdb()
    ports = {"bare": free_port(), "product": free_port()}
    servers = [
        start_gunicorn("bench.webhook.floor_project.wsgi:application", env["bare"], ports["bare"], "/",
                       work / "gunicorn-floor.log"),
        start_gunicorn("tracker.wsgi:application", env["product"], ports["product"], "/healthz",
                       work / "gunicorn.log"),
    ]  # fmt: skip
    try:
        args.ports = {"bare floor": ports["bare"], "in-product floor": ports["product"], "webhook": ports["product"]}
        by_phase = {"bare floor": servers[0], "in-product floor": servers[1], "webhook": servers[1]}
        phases = measure(args, by_phase, signature)
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            server.wait(timeout=30)
    queued = redis.Redis.from_url(args.redis_url).llen("celery")
    redis.Redis.from_url(args.redis_url).flushdb()
    args.load = (load_before, os.getloadavg()[0])
    report = summarise(phases, args, queued, len(body))
    print(report)
    if not args.no_write:
        write_results(report)


def summarise(phases: dict, args, queued: int, body_size: int) -> str:
    def total(kind: str, key: str) -> float:
        return sum(p[key] for p in phases[kind])

    rps = {kind: total(kind, "requests") / total(kind, "duration_s") for kind in phases}
    p99 = {kind: max(p["p99_ms"] for p in phases[kind]) for kind in phases}
    ratio = rps["webhook"] / rps["bare floor"]
    cpu = {kind: sum(p["cpu_ms"] * p["stored"] for p in phases[kind]) / total(kind, "stored") for kind in phases}
    in_product_ratio = rps["in-product floor"] / rps["bare floor"]
    config = args.gunicorn
    lines = [
        START,
        "## Webhook intake (SPEC §7)",
        "",
        f"- Command: `bench/webhook/run` (phases of {args.seconds} s in the order bare floor → in-product floor → "
        f"webhook → webhook → in-product floor → bare floor, after a 3 s warm-up of each; `wrk -t1 "
        f"-c{args.connections}` keep-alive; body `pull_request.opened.json`, {body_size} bytes, one valid signature, "
        "a unique `X-GitHub-Delivery` per request; no Celery worker running, tasks queue in Redis)",
        "- Servers: two gunicorns started the same way, from the repository root, so `gunicorn.conf.py` decides "
        f"everything: {config.get('worker_class')} × {config.get('workers')} workers × {config.get('threads')} "
        f"threads, at most {config.get('worker_connections')} connections per worker "
        f"(`GUNICORN_MAX_CLIENTS`: {args.max_clients}), keepalive "
        f"{config.get('keepalive')} s, gc.freeze after start-up, no access log, DEBUG off",
        "- Bare floor: `bench/webhook/floor_project`, its own Django project (no installed apps, no middleware) and "
        f"database (`{args.floor_db}`, one table, unique delivery id, body as text); its one view checks the "
        "signature and inserts the raw body. In-product floor: the same work as a view inside the product "
        "(`bench/webhook/floor.py`), behind all the product's middleware. Webhook: `POST /webhooks/github/`.",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine()}; everything (wrk, gunicorn, PostgreSQL, Redis) on the same host",
        f"- 1-minute load average before / after the run: {args.load[0]:.1f} / {args.load[1]:.1f} "
        "(anything above ~1 is other work on the same CPUs, which lowers and scatters every figure below)",
        f"- Software: {versions(args.redis_url)}",
        "",
        "| phase | requests | 202s | rows stored | req/s | p50 ms | p90 ms | p99 ms | max ms | non-202 | socket err "
        "| connections per worker | server CPU ms per row |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines += phase_rows(phases)
    stored_ok = all(p["stored"] >= p["accepted"] for kind in PHASES for p in phases[kind])
    extra = sum(p["stored"] - p["accepted"] for p in phases["webhook"])
    lines += [
        "",
        f"- Throughput: webhook {rps['webhook']:.0f} req/s vs bare floor {rps['bare floor']:.0f} req/s → "
        f"**ratio {ratio:.2f}** (target ≥ 0.80: {'met' if ratio >= 0.8 else 'NOT met'}); in-product floor "
        f"{rps['in-product floor']:.0f} req/s → {in_product_ratio:.2f}× the bare floor (what the product's middleware "
        "costs a request that uses none of it)",
        f"- CPU per stored row, gunicorn workers + their PostgreSQL backends (steadier than req/s on a busy "
        f"machine): webhook {cpu['webhook']:.2f} ms, bare floor {cpu['bare floor']:.2f} ms, in-product floor "
        f"{cpu['in-product floor']:.2f} ms → the bare floor costs {cpu['bare floor'] / cpu['webhook']:.2f}× "
        "the webhook's CPU (wrk, Redis and PostgreSQL's WAL writer are not counted)",
        f"- p99 at {args.connections} connections (worst phase): webhook **{p99['webhook']:.1f} ms** (target "
        f"< 100 ms: {'met' if p99['webhook'] < 100 else 'NOT met'}), bare floor {p99['bare floor']:.1f} ms, "
        f"in-product floor {p99['in-product floor']:.1f} ms",
        f"- Every accepted delivery stored: {'yes' if stored_ok else 'NO'} — rows stored ≥ 202 answers in every "
        f"phase; {extra} more webhook rows than 202s seen by wrk (requests still in flight when wrk stopped "
        f"its clock are stored but not counted by wrk). Tasks left queued in Redis: {queued}.",
        END,
    ]
    return "\n".join(lines)


def phase_rows(phases: dict) -> list[str]:
    rows = []
    for kind in PHASES:
        for number, p in enumerate(phases[kind], start=1):
            errors = p["connect_errors"] + p["read_errors"] + p["write_errors"] + p["timeouts"]
            rows.append(
                f"| {kind} #{number} | {p['requests']} | {p['accepted']} | {p['stored']} | {p['rps']:.0f} | "
                f"{p['p50_ms']:.1f} | {p['p90_ms']:.1f} | {p['p99_ms']:.1f} | {p['max_ms']:.1f} | "
                f"{p['other_status']} | {errors} | {' / '.join(map(str, p['spread']))} | {p['cpu_ms']:.2f} |"
            )
    return rows


def write_results(section: str) -> None:
    replace_section(section, starts_with=START, ends_with=END)


if __name__ == "__main__":
    main()
