"""The pages bench's database: the report bench's load (its own functions, imported), then the people.

Built in two steps like the report bench — 10% of the data, then the rest — so each target's query
count is read at two data sizes. A marker table says the full load finished, so `--reuse` can skip
the (long) rebuild when only the pages or the indexes changed.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
from people import load_people  # next to this script, which is on sys.path

ROOT = Path(__file__).resolve().parents[2]
MARKER = "bench_pages_loaded"


def report_bench():
    """bench/report/runner.py as a module (it is a script, not a package); its loaders are what we reuse."""
    sys.path.insert(0, str(ROOT / "bench" / "report"))  # its own imports (full_sql) sit beside it
    spec = importlib.util.spec_from_file_location("report_bench", ROOT / "bench" / "report" / "runner.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def admin_url() -> str:
    return os.environ["BENCH_PG_URL"] + "/postgres"


def recreate(db_name: str) -> None:
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {db_name}")
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v0"], check=True, cwd=ROOT)


def fully_loaded() -> bool:
    from django.db import OperationalError, connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [MARKER])
            return cursor.fetchone()[0]
    except OperationalError:  # no such database yet
        return False
    finally:
        connection.close()  # a rebuild drops the database under any open connection


def migrate() -> None:
    """On a reused database: the migrations of this tree (an index added since the load)."""
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v0"], check=True, cwd=ROOT)


def build(db_name: str, at_each_size: Callable[[str], None]) -> None:
    """Recreate `db_name`, load the report bench's data in its two slices plus the people, and call
    `at_each_size("small")` after the first slice and `at_each_size("full")` after the second."""
    from django.db import connection

    report = report_bench()
    recreate(db_name)
    with connection.cursor() as cursor:
        cursor.execute(report.SETUP_SQL)
    repo0, categories, version = _reference_ids()
    for size, (lo, hi) in (("small", (0, report.N_PRS // 10)), ("full", (report.N_PRS // 10, report.N_PRS))):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            _load_slice(report, cursor, lo, hi, repo0, categories, version)
            load_people(cursor)
            merged, postmortems, evidence = report.counts(cursor)
        print(
            f"loaded {size}: {merged:,} merged PRs, {postmortems:,} postmortems, {evidence:,} evidence rows "
            f"in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        if size == "full":  # marked before measuring, so a failed measurement can be re-run with --reuse
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE TABLE {MARKER} (loaded_at timestamptz DEFAULT now())")
        at_each_size(size)


def _load_slice(report, cursor, lo: int, hi: int, repo0: int, categories: list[int], version: int) -> None:
    """The report bench's `load`, statement by statement, with an ANALYZE before the evidence answers.

    Its answers statement runs a lateral look-up per merged PR; planned on a fresh evidence table
    with no statistics it walks each repository's whole evidence per PR (hours at full size).
    The statements themselves are the report bench's own.
    """
    evidence = sys.modules["evidence_load"]  # bench/report/evidence_load.py, imported by the report bench
    params = {"lo": lo, "hi": hi, "repo0": repo0, "start": report.SPAN_START, "n": report.N_PRS}
    params["step"] = report.SPAN_SECONDS / report.N_PRS
    cursor.execute(report.PRS_SQL, params)
    cursor.execute(report.POSTMORTEMS_SQL, {**params, "categories": categories, "version": version})
    cursor.execute(evidence.EVIDENCE_SQL, {"lo": lo, "hi": hi})
    cursor.execute("ANALYZE")
    cursor.execute(evidence.VERDICTS_SQL, {})
    cursor.execute("VACUUM ANALYZE")


def _reference_ids() -> tuple[int, list[int], int]:
    """What the report bench's loader needs: the first bench repository, nine categories, the checklist version."""
    from postmortems.models import ChecklistTemplateVersion, FailureCategory, Repository

    repo0 = Repository.objects.filter(full_name__startswith="bench/").order_by("id").first().id
    categories = list(FailureCategory.objects.order_by("id").values_list("id", flat=True)[:9])
    version = ChecklistTemplateVersion.objects.filter(template__is_default=True).order_by("-number").first().id
    return repo0, categories, version
