"""The pages bench's section of bench/RESULTS.md (between its own start and end markers)."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from pathlib import Path

from bench.results_file import replace_section  # runner.py puts the repository root on sys.path

START, END = "<!-- bench:pages:start -->", "<!-- bench:pages:end -->"
TARGET_MS, REPORT_RATIO = 200, 1.2


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _sizes() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM postmortems_postmortem),"
            " (SELECT count(*) FROM postmortems_mergedpullrequest),"
            " (SELECT count(*) FROM postmortems_preventionaction),"
            " (SELECT count(*) FROM postmortems_evidence),"
            " (SELECT count(*) FROM postmortems_user)"
        )
        pms, prs, actions, evidence, users = cursor.fetchone()
    return f"{pms:,} postmortems, {prs:,} merged PRs, {actions:,} actions, {evidence:,} evidence rows, {users:,} users"


def _constant(row_small, row_full) -> str:
    if row_small is None:
        return "not read"
    return "yes" if row_small == row_full else "**NO**"


def section(outcome: dict, *, db_name: str, reps: int, reused: bool) -> str:
    from django.db import connection

    rows, report = outcome["rows"], outcome["report"]
    (slow_row, (slow_ms, slow_sql, slow_params, plan)) = outcome["slowest"]
    lines = [
        START,
        "## Pages and lists at size (`bench/pages/run`)",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {os.cpu_count()} CPUs (nproc), {_cpu_model()}; "
        f"PostgreSQL {connection.pg_version // 10000}; Python {platform.python_version()}.",
        f"- Command: `bench/pages/run` (database `{db_name}`: the report bench's loaders, then "
        "`bench/pages/people.py`; " + ("reused from an earlier load" if reused else "rebuilt in this run") + ").",
        f"- Data at full size: {_sizes()}.",
        f"- In-process, Django test client, DEBUG off, session auth; {reps} requests per target after a warm-up, "
        "all targets timed in turns. Server time = the test client's request, template rendering included. "
        "Query counts read once at 10% of the data and once at full size (the busy engineer owns 1% more records "
        "and actions than the others, so the rows shown grow with the data too).",
        "",
        "| target | user | p95 (ms) | median (ms) | queries at 10% | queries at full size | constant | < 200 ms |",
        "| --- | --- | ---: | ---: | ---: | ---: | :---: | :---: |",
    ]
    for row in rows:
        target = row["target"]
        lines.append(
            f"| {target.name} | {target.who} | {row['p95']:.0f} | {row['median']:.0f} | "
            f"{row['queries_small'] if row['queries_small'] is not None else '–'} | {row['queries_full']} | "
            f"{_constant(row['queries_small'], row['queries_full'])} | "
            f"{'yes' if row['p95'] < TARGET_MS else '**NO**'} |"
        )
    (page_p95, page_med, page_q), (api_p95, api_med, api_q) = report["page"], report["api"]
    ratio = page_p95 / api_p95
    small = report["small"]
    small_counts = f"{small[0]} and {small[1]} at 10%" if small[0] is not None else "not read at 10%"
    lines += [
        "",
        f"- Report page against the report API (same month, timed in turns): page p95 {page_p95:.0f} ms "
        f"(median {page_med:.0f}), API p95 {api_p95:.0f} ms (median {api_med:.0f}) → **{ratio:.2f}×** "
        f"(target ≤ {REPORT_RATIO}×: {'met' if ratio <= REPORT_RATIO else 'NOT met'}; median ratio "
        f"{page_med / api_med:.2f}×). Queries: page {page_q}, API {api_q} at full size; {small_counts}.",
        f"- Every target under {TARGET_MS} ms: "
        f"{'yes' if all(r['p95'] < TARGET_MS for r in rows) else 'NO'}; every query count constant: "
        f"{'yes' if all(r['queries_small'] == r['queries_full'] for r in rows) else 'NO (or not read)'}.",
        f"- Slowest target: {slow_row['target'].name} (p95 {slow_row['p95']:.0f} ms); its slowest statement "
        f"({slow_ms:.1f} ms in that request), with parameters {slow_params}:",
        "",
        "```sql",
        slow_sql,
        "```",
        "",
        "```",
        plan,
        "```",
        END,
    ]
    return "\n".join(lines)


def write(section: str) -> None:
    replace_section(section, starts_with=START, ends_with=END)
