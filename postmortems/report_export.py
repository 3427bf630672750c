"""The monthly report's JSON as people read it: headline rows with the change, and CSV rows.

Both work on `MonthlyReport.as_json()` (or a stored snapshot of it), never on the database.
"""

from __future__ import annotations

from typing import Any

# (label, JSON path, kind, lower is better) of the numbers at the top of the page.
HEADLINE_ROWS: list[tuple[str, tuple[str, ...], str, bool]] = [
    ("Deployments", ("deployments",), "count", False),
    ("Hotfixes", ("hotfixes",), "count", True),
    ("Hotfix rate", ("hotfix_rate",), "rate", True),
    ("Postmortems opened", ("postmortems_opened",), "count", True),
    ("Postmortems approved", ("postmortems_approved",), "count", False),
    ("Overdue", ("overdue",), "count", True),
    ("SLA met", ("sla_met_rate",), "rate", False),
    ("MTTR median (h)", ("mttr_hours", "median"), "hours", True),
    ("MTTR p90 (h)", ("mttr_hours", "p90"), "hours", True),
    ("Time to approval, median (h)", ("time_to_approval_hours", "median"), "hours", True),
    ("Recurred despite prevention", ("recurred_despite_prevention",), "count", True),
]


def _dig(data: dict, path: tuple[str, ...]) -> Any:
    for key in path:
        data = (data or {}).get(key)
    return data


def headline_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Each headline number with last month's value and the change, from a report's JSON."""
    previous = data.get("previous_month") or {}
    rows = []
    for label, path, kind, lower_is_better in HEADLINE_ROWS:
        value, before = _dig(data, path), _dig(previous, path)
        change = None if value is None or before is None else round(value - before, 4)
        trend = "same" if not change else ("better" if (change < 0) == lower_is_better else "worse")
        rows.append(
            {"label": label, "kind": kind, "value": value, "previous": before, "change": change, "trend": trend}
        )
    return rows


def _csv_rows_for_counts(metric: str, counts: dict[str, Any]) -> list[list[Any]]:
    return [[metric, key, value] for key, value in counts.items()]


def report_csv_rows(data: dict[str, Any]) -> list[list[Any]]:
    """One row per metric (metric, breakdown, value), and one per category / item where broken down."""
    rows: list[list[Any]] = [["month", "", data["month"]]]
    scope = data.get("scope") or {}
    if scope.get("team") or scope.get("repository"):
        kind = "team" if scope.get("team") else "repository"
        rows.append(["scope", kind, scope[kind]])
    else:
        rows.append(["scope", "", "all teams"])
    for key in ("deployments", "hotfixes", "hotfix_rate", "postmortems_opened", "postmortems_approved", "overdue"):
        rows.append([key, "", data[key]])
    rows.append(["sla_met_rate", "", data["sla_met_rate"]])
    rows += _csv_rows_for_counts("mttr_hours", data["mttr_hours"])
    rows += _csv_rows_for_counts("time_to_approval_hours", data["time_to_approval_hours"])
    rows += [["by_category", c["name"], c["count"]] for c in data["by_category"]]
    rows += [["recurring_categories", c["name"], c["count"]] for c in data["recurring_categories"]]
    rows += _csv_rows_for_counts("by_detection_method", data["by_detection_method"])
    gaps = data["checklist_gaps"]
    for item in gaps["items"]:
        for key in ("skipped", "skipped_would_have_caught", "ineffective"):
            rows.append([f"checklist_gaps.{key}", item["item"], item[key]])
    rows.append(["checklist_gaps.missing_items_proposed", "", gaps["missing_items_proposed"]])
    rows += [["checklist_gaps.missing_item", m["text"], 1] for m in gaps["missing_items"]]
    rows += _csv_rows_for_counts("checklist_gaps.by_gap_kind", gaps["by_gap_kind"])
    rows += _csv_rows_for_counts("actions", data["actions"])
    rows.append(["recurred_despite_prevention", "", data["recurred_despite_prevention"]])
    rows += _csv_rows_for_counts("defect_lifetime_hours", data["defect_lifetime_hours"])
    for month in data["trend"]:
        for key in ("deployments", "hotfixes", "hotfix_rate"):
            rows.append([f"trend.{key}", month["month"], month[key]])
    return rows


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """Neutralise spreadsheet formula injection: text cells starting with = + - @ get a leading '."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
