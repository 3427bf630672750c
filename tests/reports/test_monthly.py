"""reports/monthly.py and data.py: the assembled report against hand-computed numbers, and its JSON."""

import json

from postmortems.reports import (
    MonthlyReport,
    ReportScope,
    Scope,
    build_monthly_report,
    parse_report_month,
    resolve_scope,
)
from tests.reports import dataset

API = "/api/v1/reports/monthly/"


def _subset(actual: dict, expected: dict) -> dict:
    return {key: actual[key] for key in expected}


def test_api_numbers_match_hand_computed_values(data, signed_in):
    response = signed_in.get(API, {"month": "2026-03"})
    assert response.status_code == 200
    body = response.json()
    assert _subset(body, dataset.EXPECTED_MARCH) == dataset.EXPECTED_MARCH


def test_categories_recur_across_months_not_only_within_one(data, signed_in):
    body = signed_in.get(API, {"month": "2026-03"}).json()
    counts = {c["category"]: c["count"] for c in body["by_category"]}
    assert counts == {
        "environment-specific-configuration": 2,
        "untested-downstream-dependency": 1,
        "data-or-schema-change": 1,
    }
    recurring = {c["category"]: c["months"] for c in body["recurring_categories"]}
    # Twice within March; once in March and once in January; December is too long ago for c1.
    assert recurring == {
        "environment-specific-configuration": ["2026-03"],
        "data-or-schema-change": ["2026-01", "2026-03"],
    }


def test_checklist_gaps_count_skipped_would_have_caught_and_ineffective(data, signed_in):
    gaps = signed_in.get(API, {"month": "2026-03"}).json()["checklist_gaps"]
    by_item = {i["item"]: i for i in gaps["items"]}
    staging = by_item["Ran all downstream jobs end-to-end in staging"]
    config = by_item["Reviewed the configuration diff for the target environment"]
    assert (staging["skipped"], staging["skipped_would_have_caught"], staging["ineffective"]) == (2, 1, 0)
    assert (config["skipped"], config["skipped_would_have_caught"], config["ineffective"]) == (0, 0, 1)
    assert gaps["missing_items_proposed"] == 1
    assert gaps["by_gap_kind"] == {"skipped": 2, "ineffective": 1, "missing": 1, "none": 0, "not_assessed": 1}


def test_trend_has_twelve_months_oldest_first_with_null_rate_without_deployments(data, signed_in):
    trend = signed_in.get(API, {"month": "2026-03"}).json()["trend"]
    assert [m["month"] for m in trend][:2] == ["2025-04", "2025-05"]
    assert len(trend) == 12 and trend[-1]["month"] == "2026-03"
    by_month = {m["month"]: m for m in trend}
    assert (by_month["2026-01"]["deployments"], by_month["2026-01"]["hotfix_rate"]) == (0, None)
    assert (by_month["2026-02"]["deployments"], by_month["2026-02"]["hotfixes"]) == (1, 0)
    assert by_month["2026-02"]["hotfix_rate"] == 0.0
    assert by_month["2026-01"]["by_category"] == {"data-or-schema-change": 1}
    assert by_month["2026-01"]["checklist_gaps"]["Ran all downstream jobs end-to-end in staging"]["skipped"] == 1


def test_april_counts_the_second_hotfix_pr_but_not_the_postmortem_again(data, signed_in):
    body = signed_in.get(API, {"month": "2026-04"}).json()
    assert (body["deployments"], body["hotfixes"]) == (2, 1)
    assert sum(c["count"] for c in body["by_category"]) == 0
    assert body["postmortems_approved"] == 1  # PM2, approved Apr 2


def test_team_and_repository_filters(data, signed_in):
    alpha = signed_in.get(API, {"month": "2026-03", "team": "alpha"}).json()
    # Alpha: pr1, pr3, pr7 and the dismissed pr8 are deployments; pr3 and pr7 are hotfixes.
    assert (alpha["deployments"], alpha["hotfixes"], alpha["hotfix_rate"]) == (4, 2, 0.5)
    assert (alpha["postmortems_opened"], alpha["overdue"]) == (3, 2)
    repo_b = signed_in.get(API, {"month": "2026-03", "repository": "acme/orders"}).json()
    assert (repo_b["deployments"], repo_b["hotfixes"], repo_b["postmortems_opened"]) == (1, 1, 1)
    assert repo_b["scope"] == {"team": None, "repository": "acme/orders"}


def test_report_function_matches_api(data, signed_in):
    report = build_monthly_report(parse_report_month("2026-03"), resolve_scope())
    assert report.headline.deployments == 5 and report.previous.deployments == 1
    # The API answers exactly the function's report, as JSON, for every scope.
    assert signed_in.get(API, {"month": "2026-03"}).json() == json.loads(json.dumps(report.as_json()))
    alpha = build_monthly_report(parse_report_month("2026-03"), resolve_scope(team="alpha"))
    assert alpha.scope == ReportScope(team="alpha")
    response = signed_in.get(API, {"month": "2026-03", "team": "alpha"})
    assert response.json() == json.loads(json.dumps(alpha.as_json()))


def test_snapshot_json_reads_back_into_the_same_report(data):
    report = build_monthly_report(parse_report_month("2026-03"), Scope())
    stored = json.loads(json.dumps(report.as_json()))  # what a JSONField holds
    again = MonthlyReport.from_json(stored)
    assert again == report
    assert again.as_json() == report.as_json()


def test_json_keys_keep_the_published_order(data):
    body = build_monthly_report(parse_report_month("2026-03"), Scope()).as_json()
    headline = [
        "deployments",
        "hotfixes",
        "hotfix_rate",
        "postmortems_opened",
        "postmortems_approved",
        "overdue",
        "sla_met_rate",
        "mttr_hours",
        "time_to_approval_hours",
        "recurred_despite_prevention",
    ]
    assert list(body) == [
        "month",
        "scope",
        *headline,
        "by_category",
        "recurring_categories",
        "by_detection_method",
        "checklist_gaps",
        "actions",
        "defect_lifetime_hours",
        "staging_verification",
        "introducing_staging_verification",
        "hotfix_staging_verification",
        "trend",
        "previous_month",
        "category_names",
        # SPEC §12, after the first edition's keys; `teams` only without a team or repository.
        "findings",
        "caught_in",
        "dora_bands",
        "upkeep",
        "teams",
    ]
    assert list(body["previous_month"]) == headline
    assert list(body["checklist_gaps"]) == ["items", "missing_items", "missing_items_proposed", "by_gap_kind"]
    assert list(body["checklist_gaps"]["missing_items"][0]) == ["text", "postmortem", "proposed_at", "promoted"]
    assert list(body["actions"]) == list(dataset.EXPECTED_MARCH["actions"])
    assert list(body["trend"][-1]) == [
        "month",
        "deployments",
        "hotfixes",
        "hotfix_rate",
        "postmortems",
        "by_category",
        "recurring_categories",
        "checklist_gaps",
        "by_gap_kind",
        "by_detection_method",
        "actions",
        "caught_in",
        "upkeep",
        "staging_verification_rate",
        "introducing_staging_verification_rate",
        "hotfix_staging_verification_rate",
    ]
    # Lists keep the report's order: most postmortems first, then by name.
    assert [c["count"] for c in body["by_category"]] == [2, 1, 1]
    assert [c["name"] for c in body["by_category"]][1:] == ["Data or schema change", "Untested downstream dependency"]


def test_missing_item_time_is_written_in_time_zone(data):
    report = build_monthly_report(parse_report_month("2026-03"), Scope())
    # Proposed at 16:00 UTC on 10 March: noon in New York (EDT).
    assert report.as_json()["checklist_gaps"]["missing_items"][0]["proposed_at"] == "2026-03-10T12:00:00-04:00"


def test_categories_without_a_name_and_the_month_before_the_trend(data):
    report = build_monthly_report(parse_report_month("2026-03"), Scope())
    february = next(m for m in report.trend if m.month == "2026-02")
    assert february.by_category == {"uncategorised": 1}
    assert report.category_names["uncategorised"] == "Not yet categorised"
    # The oldest trend month looks back two months before the trend: nothing recurs there.
    assert report.trend[0].month == "2025-04" and report.trend[0].recurring_categories == ()
