"""Hand-written SQL for every number of the monthly report (SPEC §5), scope "everything".

SPEC §7 compares the report with "the hand-written SQL for the same numbers". The
headline query in runner.py computes a dozen of them; the API returns several hundred
(the 12-month trend, categories, checklist items, actions, ...). This module is the
like-for-like baseline: plain PostgreSQL, one statement per family of tables, using
the existing indexes, no ORM, no temporary tables, nothing precomputed (the statements are in
`full_sql_statements.py`).
`full_report_numbers(cursor, month, tz)` returns the same dict as
`build_monthly_report(month).as_json()`; Python only places the aggregated rows.

The definitions are those of `postmortems/reports/queries.py`: dismissed postmortems
(and their actions, assessments and proposed steps) are left out; a postmortem belongs
to the month of its `anchor_at`; months are calendar months in TIME_ZONE; "as of"
numbers (overdue, backlog) are taken at the month's end, or now for the current month.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, tzinfo
from typing import Any

from full_sql_statements import STATEMENTS  # next to this module, on sys.path with runner.py

from postmortems.months import shift_month
from postmortems.reports import month_period

TREND_MONTHS = 12
UNCATEGORISED_NAME = "Not yet categorised"

DETECTION_KEYS = ["automated_alert", "automated_check", "manual_check", "customer_report", "engineer_noticed"]
GAP_KEYS = ["skipped", "ineffective", "missing", "none", "not_assessed"]
GAP_COUNTS = ("skipped", "skipped_would_have_caught", "ineffective")


def report_parameters(month: date, tz: tzinfo, now: datetime) -> dict[str, Any]:
    """The statements' parameters: the 12 trend months (oldest first) and the bounds they use.

    Month bounds and "as of" instants come from the report's own `month_period`: the same
    calendar arithmetic, so only the SQL is compared.
    """
    firsts = [shift_month(month, -k) for k in range(TREND_MONTHS - 1, -1, -1)]
    periods = [month_period(first, now=now) for first in firsts]
    current, previous = periods[-1], periods[-2]
    return {
        "tz": getattr(tz, "key", str(tz)),
        "trend_months": TREND_MONTHS,
        "labels": [p.label for p in periods],
        "starts": [p.start for p in periods],
        "ends": [p.end for p in periods],
        "as_ofs": [p.as_of for p in periods],
        "as_of_dates": [p.as_of_date for p in periods],
        "window_start": periods[0].start,
        "window_first_day": firsts[0],
        "window_after_day": shift_month(month, 1),
        # Two more months of categories, so that the oldest trend month can be marked recurring too.
        "early_start": month_period(shift_month(firsts[0], -2), now=now).start,
        "first_as_of": periods[0].as_of,
        "last_as_of": current.as_of,
        "previous_start": previous.start,
        "previous_as_of": previous.as_of,
        "start": current.start,
        "end": current.end,
        "as_of": current.as_of,
        "uncategorised_name": UNCATEGORISED_NAME,
    }


def run_statements(cursor, params: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Every statement once, each result as a list of dicts (column name → value)."""
    results = {}
    for name, sql in STATEMENTS.items():
        cursor.execute(sql, params)
        columns = [column.name for column in cursor.description]
        results[name] = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return results


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


def _rate(part: int, whole: int) -> float | None:
    return None if not whole else round(part / whole, 4)


def _headline(prs: dict[str, Any], pm: dict[str, Any], which: str) -> dict[str, Any]:
    """The headline numbers of one month; `which` is 'previous' or 'current' (HEADLINE_SQL's suffixes)."""
    return {
        "deployments": prs["deployments"],
        "hotfixes": prs["hotfixes"],
        "hotfix_rate": _rate(prs["hotfixes"], prs["deployments"]),
        "postmortems_opened": pm[f"opened_{which}"],
        "postmortems_approved": pm[f"approved_{which}"],
        "overdue": pm[f"overdue_{which}"],
        "sla_met_rate": _rate(pm[f"sla_met_{which}"], pm[f"due_{which}"]),
        "mttr_hours": {"median": _hours(pm[f"mttr_median_{which}"]), "p90": _hours(pm[f"mttr_p90_{which}"])},
        "time_to_approval_hours": {"median": _hours(pm[f"approval_median_{which}"])},
        "recurred_despite_prevention": pm[f"recurred_{which}"],
    }


def _profile(row: dict[str, Any]) -> dict[str, dict[str, int]]:
    return {
        "by_detection_method": {key: row[key] for key in [*DETECTION_KEYS, "not_recorded"]},
        "by_gap_kind": {key: row[f"gap_{key}"] for key in GAP_KEYS},
    }


def _actions(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "created": row["created"],
        "completed": row["completed"],
        "open_past_due": row["open_past_due"],
        "due": row["due"],
        "completed_by_due_date": row["done_on_time"],
        "done_on_time_rate": _rate(row["done_on_time"], row["due"]),
        "expired_temporary_mitigations": row["expired_mitigations"],
        "open_temporary_mitigations": row["open_mitigations"],
    }


def _category_sections(rows: list[dict[str, Any]], label: str) -> dict[str, Any]:
    """This month's by_category and recurring_categories, in CATEGORIES_SQL's order."""
    this_month = [row for row in rows if row["month"] == label]
    return {
        "by_category": [
            {"category": r["slug"], "name": r["name"], "count": r["n"], "recurring": r["recurring"]} for r in this_month
        ],
        "recurring_categories": [
            {"category": r["slug"], "name": r["name"], "count": r["n"], "months": r["months_present"]}
            for r in this_month
            if r["recurring"]
        ],
    }


def _checklist_gaps(items: list[dict[str, Any]], missing: list[dict[str, Any]], tz: tzinfo) -> dict[str, Any]:
    return {
        "items": [{"item": r["item"], **{key: r[key] for key in GAP_COUNTS}} for r in items],
        "missing_items": [
            {
                "text": m["text"],
                "postmortem": m["postmortem_id"],
                "proposed_at": m["proposed_at"].astimezone(tz).isoformat(),
                "promoted": m["promoted"],
            }
            for m in missing
        ],
        "missing_items_proposed": len(missing),
    }


def _trend(results: dict[str, list[dict[str, Any]]], labels: list[str]) -> list[dict[str, Any]]:
    categories, items = defaultdict(list), defaultdict(list)
    for row in results["categories"]:
        categories[row["month"]].append(row)
    for row in results["checklist_items"]:
        items[row["month"]].append(row)
    trend = []
    for label, prs, profile, actions in zip(
        labels, results["pull_requests"], results["profile"], results["actions"], strict=True
    ):
        trend.append(
            {
                "month": label,
                "deployments": prs["deployments"],
                "hotfixes": prs["hotfixes"],
                "hotfix_rate": _rate(prs["hotfixes"], prs["deployments"]),
                "postmortems": profile["total"],
                "by_category": {(r["slug"] or "uncategorised"): r["n"] for r in categories[label]},
                "recurring_categories": sorted(r["slug"] for r in categories[label] if r["recurring"]),
                "checklist_gaps": {r["item"]: {key: r[key] for key in GAP_COUNTS} for r in items[label]},
                **_profile(profile),
                "actions": _actions(actions),
            }
        )
    return trend


STAGING_KINDS = {
    "staging_verification": "merges_",
    "introducing_staging_verification": "introducing_",
    "hotfix_staging_verification": "hotfix_",
}
STAGING_ANSWERS = ("verified", "skipped", "unknown", "pending")


def _staging_counts(row: dict[str, Any], prefix: str) -> dict[str, Any]:
    """SPEC §10: one kind's answers; rate = verified / (verified + skipped)."""
    counts = {answer: row[f"{prefix}{answer}"] for answer in STAGING_ANSWERS}
    return {**counts, "rate": _rate(counts["verified"], counts["verified"] + counts["skipped"])}


def _staging_sections(rows: list[dict[str, Any]], trend: list[dict[str, Any]]) -> dict[str, Any]:
    """This month's three staging objects; each trend month gains the three rates."""
    for month, row in zip(trend, rows, strict=True):
        month.update({f"{kind}_rate": _staging_counts(row, prefix)["rate"] for kind, prefix in STAGING_KINDS.items()})
    return {kind: _staging_counts(rows[-1], prefix) for kind, prefix in STAGING_KINDS.items()}


def assemble_report(results: dict[str, list[dict[str, Any]]], labels: list[str], tz: tzinfo) -> dict[str, Any]:
    """The statements' rows placed in the shape of `MonthlyReport.as_json()`."""
    label = labels[-1]
    headline = results["headline"][0]
    previous_prs, current_prs = results["pull_requests"][-2:]
    current_profile = _profile(results["profile"][-1])
    trend = _trend(results, labels)
    staging = _staging_sections(results["staging"], trend)
    return {
        "month": label,
        "scope": {"team": None, "repository": None},
        **_headline(current_prs, headline, "current"),
        **_category_sections(results["categories"], label),
        "by_detection_method": current_profile["by_detection_method"],
        "checklist_gaps": {
            **_checklist_gaps(
                [r for r in results["checklist_items"] if r["month"] == label], results["missing_items"], tz
            ),
            "by_gap_kind": current_profile["by_gap_kind"],
        },
        "actions": _actions(results["actions"][-1]),
        "defect_lifetime_hours": {
            "count": headline["lifetime_count"],
            "median": _hours(headline["lifetime_median"]),
            "p90": _hours(headline["lifetime_p90"]),
        },
        **staging,
        "trend": trend,
        "previous_month": _headline(previous_prs, headline, "previous"),
        "category_names": {(r["slug"] or "uncategorised"): r["name"] for r in results["categories"]},
    }


def full_report_numbers(cursor, month: date, tz: tzinfo, *, now: datetime | None = None) -> dict[str, Any]:
    """Every number of the monthly report for `month` (its first day), scope "everything"."""
    now = now or datetime.now(tz)
    params = report_parameters(month, tz, now)
    return assemble_report(run_statements(cursor, params), params["labels"], tz)
