"""Pages and lists at size (SPEC §7): p95 server time and query count of every page and API list.

Run through `bench/pages/run`. Builds its database from the report bench's loaders (100,000
postmortems, 1,000,000 merged PRs, …) plus people (bench/pages/people.py), reads each target's
query count after 10% of the load and after all of it, times each target at full size in-process
with the Django test client (DEBUG off, session auth), the report page against the report API in
turns, and writes its section of bench/RESULTS.md with the EXPLAIN of the slowest query.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

import django  # noqa: E402

django.setup()

import database  # noqa: E402
import results  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from people import BIG_RECORD_TITLE, BUSY, LEAD  # noqa: E402
from targets import API_FILTER_VALUES, PAGE_FILTER_VALUES, Target, api_targets, page_targets, report_targets  # noqa: E402

TARGET_MS = 200
REPORT_RATIO = 1.2


def p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile (the 19th of 20)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


class Bench:
    def __init__(self, reps: int) -> None:
        from postmortems.models import FailureCategory, Postmortem, User

        self.reps = reps
        self.clients = {}
        for who, username in (("engineer", BUSY), ("lead", LEAD)):
            client = Client()
            client.force_login(User.objects.get(username=username))
            self.clients[who] = client
        big = Postmortem.objects.get(title=BIG_RECORD_TITLE).pk
        category = FailureCategory.objects.order_by("id").first().slug
        page_values = {**PAGE_FILTER_VALUES, "category": category, "owner": BUSY}
        api_values = {**API_FILTER_VALUES, "category": category, "owner": BUSY}
        self.targets = page_targets(big_record=big, values=page_values) + api_targets(big_record=big, values=api_values)
        self.report_pair = report_targets()
        self.skipped: list[str] = []

    def get(self, target: Target):
        response = self.clients[target.who].get(target.url)
        if response.status_code != 200:
            raise SystemExit(f"{target.name}: {target.url} answered {response.status_code}")
        return response

    def queries(self, target: Target) -> int:
        with CaptureQueriesContext(connection) as captured:
            self.get(target)
        return len(captured)

    def runnable(self) -> list[Target]:
        """Every target, less the ones its user may not open (an engineer on a leads-only list)."""
        kept = []
        for target in self.targets:
            status = self.clients[target.who].get(target.url).status_code
            if target.who == "engineer" and status == 403:
                self.skipped.append(target.name)
            else:
                kept.append(target)
        return kept

    def time(self, targets: list[Target]) -> list[float]:
        """Milliseconds of `reps` requests of each target after one warm-up, the targets in turns."""
        for target in targets:
            self.get(target)
        # A web worker freezes what it loaded before serving (gunicorn.conf.py, post_worker_init), so
        # a full collection does not walk Django's own objects in the middle of a request; so does this.
        gc.collect()
        gc.freeze()
        times = [[] for _ in targets]
        for rep in range(self.reps):
            order = list(range(len(targets)))
            order = order[rep % len(order) :] + order[: rep % len(order)]
            for i in order:
                started = time.perf_counter()
                self.get(targets[i])
                times[i].append((time.perf_counter() - started) * 1000)
        return times


def slowest_query(bench: Bench, target: Target) -> tuple[float, str, list, str]:
    """The slowest statement of one request of `target`, and its EXPLAIN (ANALYZE, BUFFERS)."""
    seen = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            seen.append(((time.perf_counter() - started) * 1000, sql, params))

    with connection.execute_wrapper(timed):
        bench.get(target)
    ms, sql, params = max(seen, key=lambda row: row[0])
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return ms, sql, list(params or []), plan


def measure_full(bench: Bench, counts_small: dict[str, int]) -> dict:
    targets = bench.runnable()
    counts_full = {t.name: bench.queries(t) for t in targets}
    rows = []
    for target, times in zip(targets, bench.time(targets), strict=True):
        rows.append(
            {
                "target": target,
                "p95": p95(times),
                "median": statistics.median(times),
                "queries_small": counts_small.get(target.name),
                "queries_full": counts_full[target.name],
            }
        )
        print(f"  {target.name}: p95 {rows[-1]['p95']:.0f} ms, queries {counts_full[target.name]}", flush=True)
    page, api = bench.report_pair
    report_times = bench.time([page, api])
    report = {
        "page": (p95(report_times[0]), statistics.median(report_times[0]), bench.queries(page)),
        "api": (p95(report_times[1]), statistics.median(report_times[1]), bench.queries(api)),
        "small": (counts_small.get(page.name), counts_small.get(api.name)),
    }
    slowest = max(rows, key=lambda row: row["p95"])
    return {"rows": rows, "report": report, "slowest": (slowest, slowest_query(bench, slowest["target"]))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="keep the database if a full load finished before")
    parser.add_argument("--reps", type=int, default=20, help="timed requests per target after a warm-up")
    parser.add_argument("--no-write", action="store_true", help="print, do not update bench/RESULTS.md")
    args = parser.parse_args()
    db_name = connection.settings_dict["NAME"]
    counts_small: dict[str, int] = {}
    outcome: dict = {}

    def at_each_size(size: str) -> None:
        bench = Bench(args.reps)
        if size == "small":
            counts_small.update({t.name: bench.queries(t) for t in bench.runnable()})
            counts_small.update({t.name: bench.queries(t) for t in bench.report_pair})
            print(f"  query counts read at the small size for {len(counts_small)} targets", flush=True)
        else:
            outcome.update(measure_full(bench, counts_small))

    if args.reuse and database.fully_loaded():
        database.migrate()
        print(f"reusing {db_name} (full load marked done); query counts at the small size not read", flush=True)
        at_each_size("full")
    else:
        database.build(db_name, at_each_size)
    section = results.section(outcome, db_name=db_name, reps=args.reps, reused=args.reuse)
    print(section)
    if not args.no_write:
        results.write(section)


if __name__ == "__main__":
    main()
