"""Backfill cost benchmark (SPEC §7 "Backfill cost", issue 17): GitHub requests of `import_github_history`.

Run through `bench/backfill/run`. The real management command runs against the fake GitHub of
the test suite (`tests.github.fake_github`, serving `tests.github.fake_history`: a year of
history with 10,000 PRs merged into `main`, 5% hotfixes by label, some closed unmerged or into a
release branch, PRs and deployments before the window, staging and production deployments
every 10 merges and preview ones in between, two statuses a deployment, two check runs a
commit), with GitHub's rate limit of 5,000 requests an hour on every answer. The fake runs in
its own process, so its JSON work is not charged to the command's wall time.

Before the run the database holds what the webhook and the leads would have left: each hotfix
PR of the window recorded with its draft, whose postmortem names the merged PR that introduced
the defect (so check runs are read for hotfix and introducing commits both). The requests the
fake recorded during the run are counted by kind and checked against the budget
(`tests.github.backfill_cost`): the baseline is the budget, the ratio requests made / budget.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import re
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.results_file import replace_section  # noqa: E402
from bench.webhook.runner import machine  # noqa: E402
from tests.github.fake_history import History  # noqa: E402

PG = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
START_MARK, END_MARK = "<!-- bench:backfill:start -->", "<!-- bench:backfill:end -->"
FULL_NAME = "acme/shop"
START, END = datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC)
ENVIRONMENTS = {"production": "production", "staging": "staging"}
HOURLY_LIMIT = 5000


def build(merged: int) -> History:
    return History.build(FULL_NAME, merged=merged, start=START, end=END)


def fake_github_process(conn, merged: int) -> None:
    """The fake GitHub serving the history until told to stop; then it sends back what it recorded."""
    from tests.github.fake_github import FakeGitHub, RateLimit, Received

    fake = FakeGitHub().start()
    build(merged).serve(fake)
    conn.send(fake.base_url)
    while (command := conn.recv()) != "stop":
        if command == "forget":  # the seeding is over: count from here, on a fresh hour's budget
            fake.requests.clear()
            fake.rate_limit = RateLimit(HOURLY_LIMIT)
            conn.send("ok")
    conn.send([Received(r.method, r.path, {}, None, b"", r.at, r.status) for r in fake.requests])
    fake.stop()


def recreate_database(name: str) -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v0"], check=True, cwd=ROOT)


def count_tasks_handed_to_workers() -> Counter:
    """From now on, tasks are published (to Celery's in-memory broker: no Redis here) as with a broker in
    production, not run in this process; returns the count of those published, by task name.

    Without a broker they would run inside the command (`make run`), charging a worker's share of the
    work — recomputing the staging verification of each PR recorded — to the backfill's wall time.
    """
    from celery import current_app
    from celery.signals import before_task_publish

    current_app.conf.task_always_eager = False
    published: Counter = Counter()
    before_task_publish.connect(lambda sender=None, **_: published.update([sender]), weak=False)
    return published


class Tee(io.StringIO):
    """Keeps what the command wrote (the progress bars) and shows it as it comes."""

    def write(self, text: str) -> int:
        sys.stderr.write(text)
        return super().write(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--merged", type=int, default=10_000, help="PRs merged into main in the window")
    parser.add_argument("--db", default="pm_bench_backfill", help="PostgreSQL database (dropped and made again)")
    parser.add_argument("--no-write", action="store_true", help="print, do not update bench/RESULTS.md")
    args = parser.parse_args()
    history = build(args.merged)

    parent, child = multiprocessing.Pipe()
    server = multiprocessing.get_context("fork").Process(target=fake_github_process, args=(child, args.merged))
    server.start()  # before Django is set up: the fake's process needs none of it
    base_url = parent.recv()
    os.environ.update(DATABASE_URL=f"{PG}/{args.db}", GITHUB_API_URL=base_url, GITHUB_TOKEN="bench-token")
    try:
        recreate_database(args.db)
        import django

        django.setup()
        from django.core.management import call_command

        from postmortems.models import Repository
        from tests.github.backfill_cost import record_known_hotfixes

        repository = Repository.objects.create(
            full_name=FULL_NAME, default_branch="main", environment_stages=ENVIRONMENTS
        )
        named = record_known_hotfixes(history, repository)
        handed_on = count_tasks_handed_to_workers()
        parent.send("forget")
        parent.recv()
        out, err = io.StringIO(), Tee()
        started = time.perf_counter()
        call_command(
            "import_github_history", FULL_NAME, "--since", "2025-01-01", "--until", "2025-12-31", stdout=out, stderr=err
        )
        wall = time.perf_counter() - started
    finally:
        parent.send("stop")
        requests = parent.recv() if server.is_alive() else []
        server.join(10)
    report(args, history, requests, named, out.getvalue(), err.getvalue(), wall, handed_on)


def report(args, history: History, requests: list, named: int, out: str, err: str, wall: float, tasks) -> None:
    from postmortems.models import Evidence, MergedPullRequest
    from tests.github.backfill_cost import cost

    spent = cost(history, requests, environments=sorted(ENVIRONMENTS))
    recorded = MergedPullRequest.objects.count()
    left = re.findall(r"([\d,]+) of ([\d,]+) GitHub requests left", err)
    checks = [
        (recorded == len(history.merged_in_window()), f"every merged PR of the window recorded ({recorded:,})"),
        (spent.within, "every part within its budget"),
        (not spent.stray_check_commits, "no check runs read for a commit of a PR that is no hotfix or introducing"),
        (not spent.stray_status_reads, "no deployment's statuses read twice or out of the window"),
        (spent.by_kind["single PR"] == 0, "no PR fetched one by one (labels come with the list)"),
        (bool(left), "the progress bar showed the requests left in the rate limit"),
    ]
    section = render(args, history, spent, (named, tasks), out, left, wall, Evidence.objects.count(), checks)
    print(section)
    if not args.no_write:
        write_results(section)
    if not all(ok for ok, _ in checks):
        sys.exit(1)


def render(args, history, spent, seeded, out, left, wall, evidence, checks) -> str:
    named, tasks = seeded
    hotfixes, merged, total = len(history.hotfixes()), len(history.merged_in_window()), spent.total
    rows = [f"| {p.name} | {p.made:,} | {p.budget:,} | {p.ratio:.3f} |" for p in (*spent.parts, total)]
    kinds = ", ".join(f"{kind}: {n:,}" for kind, n in sorted(spent.by_kind.items()))
    last_left = f"{left[-1][0]} of {left[-1][1]}" if left else "not shown"
    summary = out.strip().splitlines()[-1] if out.strip() else ""
    lines = [
        START_MARK,
        "## Backfill cost: GitHub requests of `import_github_history` (SPEC §7, issue 17)",
        "",
        f"- Command: `bench/backfill/run` (`make bench-backfill`); database `{args.db}` (PostgreSQL, rebuilt each "
        "run); the fake GitHub is the test suite's (`tests/github/fake_github.py` serving "
        f"`tests/github/fake_history.py`) in its own process, sending X-RateLimit-* headers ({HOURLY_LIMIT:,} an hour)",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine()}; load average at the end {os.getloadavg()[0]:.1f} (a shared machine: the wall time "
        "is noisy, the counts are not)",
        f"- History: window 2025-01-01 – 2025-12-31; N = {merged:,} PRs merged into `main`, {hotfixes:,} hotfixes "
        f"({hotfixes / merged:.0%}), besides PRs closed unmerged, merged into a release branch or before the window; "
        f"{len(history.deployments):,} deployments (staging and production every 10 merges, preview in between, "
        f"some before the window); environments named for reading: {', '.join(sorted(ENVIRONMENTS))}",
        f"- Before the run: {named:,} hotfixes recorded with their drafts, each postmortem naming its introducing PR "
        "(as webhook deliveries and leads leave them), so check runs are due for the commits of both",
        "- Baseline: SPEC §7's budget for this history — N/50 + 3 × hotfixes for the PRs; ⌈deployments since the "
        "lookback / 100⌉ + 1 list pages per environment; one statuses request per deployment in the window; check "
        "runs for the head and merge commits of hotfix and introducing PRs — and the ratio requests made / budget",
        "",
        "| requests for | made | budget | made / budget |",
        "| --- | ---: | ---: | ---: |",
        *rows,
        "",
        f"- Requests by kind: {kinds}",
        f"- The command said: {summary} Evidence rows after the run: {evidence:,}",
        f"- Wall time of the backfill: {wall:.1f} s ({total.made / wall:.0f} requests/s against the local fake); "
        f"at GitHub's {HOURLY_LIMIT:,} requests an hour the run spends {total.made / HOURLY_LIMIT:.0%} of an hour's "
        f"budget; the progress bar ended at {last_left} GitHub requests left",
        "- Tasks handed to the workers (published to Celery's in-memory broker, not run in the command, as with "
        f"Redis in production): {', '.join(f'{name}: {n:,}' for name, n in sorted(tasks.items())) or 'none'}",
        *(f"- {'✔' if ok else '✘'} {text}" for ok, text in checks),
        END_MARK,
    ]
    return "\n".join(lines)


def write_results(section: str) -> None:
    replace_section(section, starts_with=START_MARK, ends_with=END_MARK)


if __name__ == "__main__":
    main()
