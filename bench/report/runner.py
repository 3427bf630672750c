"""Monthly report benchmark: bulk-load with generate_series, time the API against hand-written SQL.

Run through `bench/report/run`. Steps: (re)create the database pm_bench_report, migrate,
load 10% of the data, measure, load the other 90%, measure again (the query count must
not change), check that the API's JSON equals the full-report SQL's (`full_sql.py`) and
its headline the headline SQL's, write bench/RESULTS.md.
"""

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from evidence_load import check_against_rule, evidence_counts, load_evidence  # next to this script
from full_sql_statements import STATEMENTS  # next to this script

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

from bench.results_file import replace_section  # noqa: E402 (the repository root is on sys.path now)

DB_NAME = os.environ.get("BENCH_REPORT_DB", "pm_bench_report")
# Every 10th PR is a hotfix with its own postmortem → 100,000 postmortems; two evidence rows per PR.
N_PRS = int(os.environ.get("BENCH_REPORT_PRS", "1000000"))  # smaller only to try the bench out
MONTH = "2026-10"
REPS = 7
SPAN_START = "2018-11-01 00:00+00"
SPAN_SECONDS = 96 * 30.44 * 86400  # about eight years ending with October 2026

ADMIN_URL = os.environ["BENCH_PG_URL"] + "/postgres"


def recreate_database() -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v0"], check=True, cwd=ROOT)


SETUP_SQL = """
INSERT INTO postmortems_team (name, slug, slack_webhook_url)
SELECT 'Bench team ' || t, 'bench-' || t, '' FROM generate_series(1, 5) t;
INSERT INTO postmortems_repository (full_name, default_branch, production_branches, hotfix_labels,
    hotfix_branch_prefixes, hotfix_title_pattern, postmortem_due_days, writeback_enabled, debt_status_enabled,
    created_at, team_id, environment_stages, staging_branches, staging_checks, staging_status, active,
    action_issue_repository, action_issues)
SELECT 'bench/repo-' || r, 'main', '[]', '["hotfix"]', '["hotfix/"]', '', 5, false, false, now(),
       (SELECT min(id) FROM postmortems_team WHERE slug LIKE 'bench-%') + r % 5, '{}', '["staging"]', '[]', false,
       true, '', false
FROM generate_series(0, 49) r;
"""

# %(lo)s..%(hi)s is a slice of PR numbers; merged_at is a permutation of the span so any
# slice covers all months evenly (the 10% load looks like the full one, only smaller).
# Rows are inserted in merge order, like a live system records them.
PRS_SQL = """
INSERT INTO postmortems_mergedpullrequest (repository_id, number, title, author_login, merged_at, merge_commit_sha,
    base_branch, head_branch, head_repository, labels, is_hotfix, html_url, recorded_at, head_sha,
    staging_verification, staging_reason, staging_evidence_ids, staging_override, staging_override_reason)
SELECT %(repo0)s + i %% 50, i, 'Change ' || i, 'dev' || (i %% 40), %(start)s::timestamptz
       + make_interval(secs => ((i::bigint * 7919) %% %(n)s) * %(step)s),
       md5(i::text) || left(md5('m' || i), 8), 'main', 'feature/' || i, '',
       CASE WHEN i %% 10 = 0 THEN '["hotfix"]'::jsonb ELSE '[]'::jsonb END, i %% 10 = 0, '', now(),
       md5('h' || i) || left(md5('hh' || i), 8), 'pending', '', '[]', '', ''
FROM generate_series(%(lo)s, %(hi)s - 1) i
ORDER BY 5;  -- stored in merge order, as webhooks record them
"""

POSTMORTEMS_SQL = """
INSERT INTO postmortems_postmortem (title, status, severity, summary, impact, detected_at, resolved_at,
    detection_method, caught_in, trigger, root_cause, category_id, repository_id, team_id, due_at, submitted_at,
    approved_at, dismissed_at, dismissal_reason, checklist_version_id, introduced_by_id, recurred_despite_prevention,
    gap_kind, gap_skipped, gap_ineffective, gap_missing, anchor_at, needs_dismissal_review, created_at, updated_at)
SELECT 'bench pm ' || m.number,
       CASE WHEN k %% 100 = 99 THEN 'dismissed'  -- 1%% turn out not to be hotfixes
            ELSE (ARRAY['approved','approved','approved','approved','approved','approved','approved','draft',
                        'in_review','in_review'])[k %% 10 + 1] END,
       'SEV' || (k %% 4 + 1), '', '', m.merged_at - make_interval(hours => k %% 12 + 1), m.merged_at,
       (ARRAY['automated_alert','automated_check','manual_check','customer_report','engineer_noticed'])[k %% 5 + 1],
       'staging', 'code', 'bench root cause', (%(categories)s::bigint[])[k %% 9 + 1], m.repository_id, r.team_id,
       m.merged_at + interval '5 days', NULL,
       CASE WHEN k %% 10 < 7 THEN m.merged_at + make_interval(days => k %% 9 + 1) END,
       CASE WHEN k %% 100 = 99 THEN m.merged_at + interval '1 day' END,
       CASE WHEN k %% 100 = 99 THEN 'bench: not a hotfix' ELSE '' END,
       %(version)s, CASE WHEN k %% 3 = 0 AND m.number > 0 THEN m.id - 1 END, k %% 13 = 0,
       (ARRAY['skipped','ineffective','missing','none'])[k %% 4 + 1], k %% 4 = 0, k %% 4 = 1, k %% 4 = 2,
       m.merged_at, false, m.merged_at + interval '10 minutes', now()
FROM (SELECT *, number / 10 AS k FROM postmortems_mergedpullrequest
      WHERE is_hotfix AND number >= %(lo)s AND number < %(hi)s) m
JOIN postmortems_repository r ON r.id = m.repository_id
ORDER BY m.merged_at;

INSERT INTO postmortems_hotfixpullrequest (merged_pr_id, repository_id, postmortem_id, no_longer_hotfix,
    comment_state, commit_status, commit_status_state, writeback_error, writeback_attempts, created_at)
SELECT m.id, m.repository_id, p.id, false, 'not_sent', '', 'not_sent', '', 0, now()
FROM postmortems_mergedpullrequest m JOIN postmortems_postmortem p ON p.title = 'bench pm ' || m.number
WHERE m.is_hotfix AND m.number >= %(lo)s AND m.number < %(hi)s;

INSERT INTO postmortems_preventionaction (postmortem_id, description, kind, due_date, status, wont_do_reason,
    completed_at, evidence_url, expires_at, created_at, updated_at)
SELECT p.id, 'bench action', (ARRAY['process','documentation','temporary_mitigation'])[p.id %% 3 + 1],
       (p.anchor_at + interval '14 days')::date,
       CASE WHEN p.id %% 10 < 9 THEN 'done' WHEN p.id %% 2 = 0 THEN 'open' ELSE 'in_progress' END, '',
       CASE WHEN p.id %% 10 < 9 THEN p.anchor_at + make_interval(days => (p.id %% 20)::int) END, '',
       CASE WHEN p.id %% 3 = 2 THEN (p.anchor_at + interval '30 days')::date END,
       p.anchor_at + interval '1 hour', now()
FROM postmortems_postmortem p
WHERE p.title LIKE 'bench pm %%' AND NOT EXISTS (SELECT 1 FROM postmortems_preventionaction a
                                                  WHERE a.postmortem_id = p.id);

INSERT INTO postmortems_checklistassessment (postmortem_id, item_id, status, would_have_caught, ineffective, note,
    evidence, evidence_reason, evidence_status, override_reason, source)
SELECT p.id, i.id, CASE WHEN i.position %% 2 = 1 THEN 'skipped' ELSE 'followed' END,
       CASE WHEN i.position %% 2 = 1 THEN p.id %% 2 = 0 END, i.position %% 2 = 0 AND p.id %% 5 = 0, '',
       '[]', '', '', '', 'person'
FROM postmortems_postmortem p JOIN postmortems_checklistitem i ON i.version_id = p.checklist_version_id
     AND i.position <= 2
WHERE p.title LIKE 'bench pm %%' AND NOT EXISTS (SELECT 1 FROM postmortems_checklistassessment a
                                                  WHERE a.postmortem_id = p.id);
"""

HAND_SQL = """
WITH pm AS (
  SELECT count(*) FILTER (WHERE created_at >= %(s)s AND created_at < %(e)s) AS opened,
         count(*) FILTER (WHERE approved_at >= %(s)s AND approved_at < %(e)s) AS approved,
         count(*) FILTER (WHERE due_at < %(e)s AND created_at < %(e)s
                          AND (approved_at IS NULL OR approved_at >= %(e)s)) AS overdue,
         count(*) FILTER (WHERE due_at >= %(s)s AND due_at < %(e)s) AS due,
         count(*) FILTER (WHERE due_at >= %(s)s AND due_at < %(e)s AND approved_at <= due_at) AS sla_met,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - detected_at))
           FILTER (WHERE anchor_at >= %(s)s AND anchor_at < %(e)s) AS mttr_median,
         percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - detected_at))
           FILTER (WHERE anchor_at >= %(s)s AND anchor_at < %(e)s) AS mttr_p90
  FROM postmortems_postmortem WHERE status <> 'dismissed'
), approval AS (
  SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM p.approved_at - f.first_merge)) AS median
  FROM postmortems_postmortem p
  CROSS JOIN LATERAL (SELECT min(m.merged_at) AS first_merge FROM postmortems_hotfixpullrequest h
                      JOIN postmortems_mergedpullrequest m ON m.id = h.merged_pr_id WHERE h.postmortem_id = p.id) f
  WHERE p.status <> 'dismissed' AND p.approved_at >= %(s)s AND p.approved_at < %(e)s AND f.first_merge IS NOT NULL
)
SELECT (SELECT count(*) FROM postmortems_mergedpullrequest WHERE merged_at >= %(s)s AND merged_at < %(e)s),
       (SELECT count(*) FROM postmortems_hotfixpullrequest h
          JOIN postmortems_mergedpullrequest m ON m.id = h.merged_pr_id
          JOIN postmortems_postmortem p ON p.id = h.postmortem_id
         WHERE m.merged_at >= %(s)s AND m.merged_at < %(e)s AND p.status <> 'dismissed'),
       pm.opened, pm.approved, pm.overdue, pm.due, pm.sla_met, pm.mttr_median, pm.mttr_p90, approval.median
FROM pm, approval
"""


def load(cursor, lo: int, hi: int, repo0: int, categories: list[int], version: int) -> float:
    started = time.perf_counter()
    params = {"lo": lo, "hi": hi, "repo0": repo0, "start": SPAN_START, "n": N_PRS, "step": SPAN_SECONDS / N_PRS}
    cursor.execute(PRS_SQL, params)
    cursor.execute(POSTMORTEMS_SQL, {**params, "categories": categories, "version": version})
    load_evidence(cursor, lo, hi)
    cursor.execute("VACUUM ANALYZE")  # what autovacuum does after a bulk load
    return time.perf_counter() - started


def interleaved_medians(runners: dict, reps: int = REPS) -> dict[str, tuple[float, list[float]]]:
    """Median ms of each runner, timed in turns (rotating which goes first) so drift hits all alike."""
    for run in runners.values():
        run()  # warm-up (plans, caches)
    times: dict[str, list[float]] = {name: [] for name in runners}
    names = list(runners)
    for rep in range(reps):
        for name in names[rep % len(names) :] + names[: rep % len(names)]:
            started = time.perf_counter()
            runners[name]()
            times[name].append((time.perf_counter() - started) * 1000)
    return {name: (statistics.median(values), values) for name, values in times.items()}


def measure(client, month_bounds) -> dict:
    from django.db import connection
    from django.utils import timezone
    from full_sql import full_report_numbers  # next to this script, which is on sys.path

    from postmortems.months import parse_month

    url = f"/api/v1/reports/monthly/?month={MONTH}"
    executed: list[str] = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    api = response.json()
    start, end = month_bounds
    month, tz = parse_month(MONTH), timezone.get_default_timezone()
    with connection.cursor() as cursor:

        def hand():
            cursor.execute(HAND_SQL, {"s": start, "e": end})
            return cursor.fetchone()

        timings = interleaved_medians(
            {
                "api": lambda: client.get(url),
                "full_sql": lambda: full_report_numbers(cursor, month, tz),
                "headline_sql": hand,
            }
        )
        row = hand()
        full = json.loads(json.dumps(full_report_numbers(cursor, month, tz)))
    # Every number of the first edition, not only the headline: the API and the hand-written SQL agree.
    # SPEC §12's additions (findings, caught-in, DORA bands, upkeep, teams) have no hand-written SQL
    # here yet; they are left out of the comparison, not out of the timed request.
    assert _first_edition(api) == full, "the API and the hand-written SQL disagree"
    hours = lambda seconds: None if seconds is None else round(float(seconds) / 3600, 2)  # noqa: E731
    sql_numbers = {
        "deployments": row[0],
        "hotfixes": row[1],
        "postmortems_opened": row[2],
        "postmortems_approved": row[3],
        "overdue": row[4],
        "sla_met_rate": round(row[6] / row[5], 4) if row[5] else None,
        "mttr_hours": {"median": hours(row[7]), "p90": hours(row[8])},
        "time_to_approval_hours": {"median": hours(row[9])},
    }
    api_numbers = {key: api[key] for key in sql_numbers}
    assert api_numbers == sql_numbers, (api_numbers, sql_numbers)
    return timings | {
        "queries": len(executed),
        "numbers": sql_numbers,
        "compared": _count_numbers(_first_edition(api)),
    }


def _count_numbers(value) -> int:
    """How many numbers (and nulls standing for one) a JSON document holds."""
    if isinstance(value, dict):
        return sum(_count_numbers(item) for item in value.values())
    if isinstance(value, list):
        return sum(_count_numbers(item) for item in value)
    return int(value is None or (isinstance(value, int | float) and not isinstance(value, bool)))


def counts(cursor) -> tuple[int, int, int]:
    cursor.execute(
        "SELECT (SELECT count(*) FROM postmortems_mergedpullrequest), (SELECT count(*) FROM postmortems_postmortem),"
        " (SELECT count(*) FROM postmortems_evidence)"
    )
    return cursor.fetchone()


def main() -> None:
    recreate_database()
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from postmortems.models import ChecklistTemplateVersion, FailureCategory, Repository, User
    from postmortems.months import parse_month
    from postmortems.reports import month_period

    with connection.cursor() as cursor:
        cursor.execute(SETUP_SQL)
    repo0 = Repository.objects.filter(full_name__startswith="bench/").order_by("id").first().id
    categories = list(FailureCategory.objects.order_by("id").values_list("id", flat=True)[:9])
    version = ChecklistTemplateVersion.objects.filter(template__is_default=True).order_by("-number").first().id
    user = User.objects.create_user("bench-engineer", password="bench-password-123")
    client = Client()
    client.force_login(user)
    period = month_period(parse_month(MONTH))
    results = []
    for lo, hi in ((0, N_PRS // 10), (N_PRS // 10, N_PRS)):
        with connection.cursor() as cursor:
            load_s = load(cursor, lo, hi, repo0, categories, version)
            size = counts(cursor)
            answers = evidence_counts(cursor)
        checked = check_against_rule()
        print(
            f"loaded PRs {lo}..{hi} in {load_s:.1f} s → {size[0]:,} merged PRs, {size[1]:,} postmortems, "
            f"{size[2]:,} evidence rows; answers {answers}; {checked} sampled answers equal the product's rule",
            flush=True,
        )
        result = measure(client, (period.start, period.end))
        result |= {"size": size, "load_s": load_s, "answers": answers, "rule_checked": checked}
        api_ms, full_ms, headline_ms = (result[name][0] for name in ("api", "full_sql", "headline_sql"))
        print(
            f"  API median {api_ms:.1f} ms, full-report SQL {full_ms:.1f} ms (ratio {api_ms / full_ms:.2f}), "
            f"headline SQL {headline_ms:.1f} ms (ratio {api_ms / headline_ms:.2f}), "
            f"queries per request {result['queries']}",
            flush=True,
        )
        results.append(result)
    write_results(results)


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def write_results(results: list[dict]) -> None:
    from django.db import connection

    big = results[-1]
    api_ms, full_ms, headline_ms = (big[name][0] for name in ("api", "full_sql", "headline_sql"))
    lines = [
        "## Monthly report (`bench/report/run`)",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {os.cpu_count()} CPUs (nproc), {_cpu_model()}; "
        f"PostgreSQL {connection.pg_version // 10000}; Python {platform.python_version()}.",
        f"- Command: `bench/report/run` (database `{DB_NAME}`, rebuilt each run with `generate_series`).",
        f"- Report month {MONTH}, all teams; the full API path (`GET /api/v1/reports/monthly/`, session auth, "
        f"Django test client in-process, DEBUG off). {REPS} repetitions after a warm-up, the three timed in turns; "
        "medians.",
        "- Baselines, both hand-written PostgreSQL run through psycopg in the same process:",
        "  - **full-report SQL** (`bench/report/full_sql.py`): every number the API returns — headline and "
        "previous month, categories and recurring ones, detection methods, checklist items and gap kinds, "
        "proposed steps, actions and backlog, defect lifetime, staging verification of merges, hotfixes and "
        f"introducing PRs, and the 12-month trend of all of them — in {len(STATEMENTS)} "
        "statements written for speed on the existing indexes. The run checks that its result equals the API's "
        f"JSON ({big['compared']} numbers compared, all equal).",
        "  - **headline SQL** (`HAND_SQL` in `bench/report/runner.py`): only this month's headline (deployments, "
        "hotfixes, opened, approved, overdue, SLA, MTTR median/p90, time to approval) in one statement; the run "
        "checks the API's headline equals it.",
        "",
        "| merged PRs | postmortems | evidence rows | API (ms) | full-report SQL (ms) | API / full SQL "
        "| headline SQL (ms) | API / headline SQL | queries per request |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        a, f, h = (r[name][0] for name in ("api", "full_sql", "headline_sql"))
        lines.append(
            f"| {r['size'][0]:,} | {r['size'][1]:,} | {r['size'][2]:,} | {a:.1f} | {f:.1f} | {a / f:.2f} "
            f"| {h:.1f} | {a / h:.2f} | {r['queries']} |"
        )
    verdict_time = "met" if api_ms < 1000 else "NOT met"
    verdict_ratio = "met" if api_ms <= 3 * full_ms else "NOT met"
    lines += [
        "",
        f"- SPEC §7 at full size: under 1 s — {verdict_time} ({api_ms:.0f} ms); no more than 3× the hand-written "
        f"SQL for the same numbers — {verdict_ratio} ({api_ms / full_ms:.2f}× the full-report SQL). Against the "
        f"headline-only statement, which computes a dozen of the report's numbers, the API is "
        f"{api_ms / headline_ms:.1f}×.",
        f"- Query count per request: {results[0]['queries']} at the small size, {big['queries']} at full size "
        "(2 of them are the session and user lookups).",
        f"- Raw timings at full size (ms): API {', '.join(f'{t:.0f}' for t in big['api'][1])}; full-report SQL "
        f"{', '.join(f'{t:.0f}' for t in big['full_sql'][1])}; headline SQL "
        f"{', '.join(f'{t:.0f}' for t in big['headline_sql'][1])}.",
        f"- Headline numbers (identical from API and SQL): {big['numbers']}",
        f"- Evidence (SPEC §10, `bench/report/evidence_load.py`): a staging deployment or a `ci` check, then a "
        f"production deployment, for every merged PR; stored answers {big['answers']}; "
        f"{big['rule_checked']} PRs sampled at random got the same answer from the product's rule (`verdict_for`).",
        "",
    ]
    section = "\n".join(lines)
    replace_section(section, starts_with="## Monthly report")
    print(section)


SECOND_EDITION_KEYS = ("findings", "caught_in", "dora_bands", "upkeep", "teams")
SECOND_EDITION_TREND_KEYS = ("caught_in", "upkeep")


def _first_edition(report: dict) -> dict:
    """The report's JSON without SPEC §12's keys, the shape `full_sql.py` computes."""
    trend = [{k: v for k, v in m.items() if k not in SECOND_EDITION_TREND_KEYS} for m in report["trend"]]
    return {**{k: v for k, v in report.items() if k not in SECOND_EDITION_KEYS}, "trend": trend}


if __name__ == "__main__":
    main()
