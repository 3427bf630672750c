"""The monthly report against a hand-built data set: API, page and CSV agree with hand-computed numbers."""

import csv
import io
import json
import re
from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command

from postmortems.models import ReportSnapshot
from postmortems.reports import build_monthly_report, parse_month, resolve_scope
from postmortems.services.report_snapshots import monthly_snapshot_run
from tests.factories import MergedPullRequestFactory, PostmortemFactory, RepositoryFactory
from tests.reports import dataset

API = "/api/v1/reports/monthly/"


@pytest.fixture
def ny(settings):
    settings.TIME_ZONE = dataset.TZ_NAME
    settings.CELERY_TIMEZONE = dataset.TZ_NAME


@pytest.fixture
def data(db, ny):
    return dataset.build()


@pytest.fixture
def signed_in(client, engineer):
    client.force_login(engineer)
    return client


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


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"month": "2026-3"}, "month"),
        ({"month": "2026-13"}, "month"),
        ({"month": "march"}, "month"),
        ({"month": "2999-01"}, "month"),
        ({"month": "2026-03", "team": "nope"}, "team"),
        ({"month": "2026-03", "repository": "acme/nope"}, "repository"),
    ],
)
def test_bad_input_is_a_400_with_a_clear_message(data, signed_in, params, field):
    response = signed_in.get(API, params)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert response.json()["detail"]


def test_api_needs_sign_in(db, client):
    assert client.get(API).status_code in (401, 403)


def _page_headline(html: str) -> dict[str, str]:
    rows = re.findall(r'<tr data-metric="([^"]+)">\s*<th scope="row">[^<]*</th>\s*<td class="num">([^<]*)</td>', html)
    return dict(rows)


def test_page_shows_the_same_numbers_with_change_from_last_month(data, signed_in):
    response = signed_in.get("/reports/monthly/2026-03/")
    assert response.status_code == 200
    html = response.content.decode()
    headline = _page_headline(html)
    assert headline["Deployments"] == "5"
    assert headline["Hotfixes"] == "3"
    assert headline["Hotfix rate"] == "60%"
    assert headline["Postmortems opened"] == "4"
    assert headline["Postmortems approved"] == "2"
    assert headline["Overdue"] == "2"
    assert headline["SLA met"] == "33%"
    assert headline["MTTR median (h)"] == "4.75"
    assert headline["MTTR p90 (h)"] == "5.85"
    assert headline["Time to approval, median (h)"] == "96.0"
    # February had one deployment: +4.
    assert re.search(
        r'data-metric="Deployments">.*?<td class="num">1</td>\s*<td class="num change[^"]*">\+4</td>', html, re.S
    )
    # Chart data blocks are JSON (not inline code) and carry the trend.
    blocks = dict(re.findall(r'<script id="(chart-[a-z]+-data)" type="application/json">(.*?)</script>', html, re.S))
    assert set(blocks) == {
        f"chart-{n}-data" for n in ("hotfixes", "categories", "checklist", "detection", "actions", "mitigations")
    }
    assert "<script>" not in html and " style=" not in html
    hotfix_figure = json.loads(blocks["chart-hotfixes-data"])
    assert [t["name"] for t in hotfix_figure["data"]] == ["Deployments", "Hotfixes", "Hotfix rate (%)"]
    assert '<a href="/reports/monthly/2026-02/" rel="prev">' in html
    assert '<a href="/reports/monthly/2026-04/" rel="next">' in html


def test_csv_has_the_same_numbers_and_neutralises_formulas(data, signed_in):
    response = signed_in.get("/reports/monthly/2026-03/", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["metric", "breakdown", "value"]
    values = {(m, b): v for m, b, v in rows[1:]}
    api = signed_in.get(API, {"month": "2026-03"}).json()
    for key in ("deployments", "hotfixes", "hotfix_rate", "postmortems_opened", "postmortems_approved", "overdue"):
        assert values[(key, "")] == str(api[key])
    assert values[("sla_met_rate", "")] == "0.3333"
    assert values[("mttr_hours", "median")] == "4.75"
    assert values[("mttr_hours", "p90")] == "5.85"
    assert values[("by_category", "Environment-specific configuration")] == "2"
    assert values[("checklist_gaps.ineffective", "Reviewed the configuration diff for the target environment")] == "1"
    assert values[("actions", "done_on_time_rate")] == "0.5"
    # The user-written missing step starts with "=": it is written as text, not a formula.
    missing = [b for (m, b) in values if m == "checklist_gaps.missing_item"]
    assert missing == ['\'=HYPERLINK("x") compare row counts']


def test_query_counts_do_not_grow_with_the_data(data, signed_in, django_assert_max_num_queries):
    # Session, user, then 15 report queries.
    with django_assert_max_num_queries(17):
        assert signed_in.get(API, {"month": "2026-03"}).status_code == 200
    # The API's 17, plus the teams and repositories of the filter form, plus the session save.
    with django_assert_max_num_queries(20):
        assert signed_in.get("/reports/monthly/2026-03/").status_code == 200
    repo = RepositoryFactory(full_name="acme/more")
    for n in range(30):
        MergedPullRequestFactory(repository=repo, merged_at=dataset.utc(2026, 3, 2 + n % 20, 12))
        PostmortemFactory(repository=repo, anchor_at=dataset.utc(2026, 3, 2 + n % 20, 12))
    with django_assert_max_num_queries(17):
        body = signed_in.get(API, {"month": "2026-03"}).json()
    assert body["deployments"] == 35
    # The API's 17, plus the teams and repositories of the filter form, plus the session save.
    with django_assert_max_num_queries(20):
        assert signed_in.get("/reports/monthly/2026-03/").status_code == 200


def test_page_bad_month_and_unknown_team_answer_400(data, signed_in):
    assert signed_in.get("/reports/monthly/2026-00/").status_code == 400
    response = signed_in.get("/reports/monthly/2026-03/", {"team": "ghosts"})
    assert response.status_code == 400
    assert "Unknown team" in response.content.decode()


def test_plotly_js_is_served_by_the_app_with_long_cache(data, signed_in):
    html = signed_in.get("/reports/monthly/2026-03/").content.decode()
    urls = re.findall(r'<script src="(/reports/assets/plotly-[0-9a-f]+\.js)"', html)
    assert len(urls) == 1 and "cdn" not in html.lower()
    response = signed_in.get(urls[0])
    assert response.status_code == 200
    assert "max-age=31536000" in response["Cache-Control"]
    assert b"plotly" in response.content[:2000].lower()


def test_snapshot_stored_once_and_leads_mailed_once(data, lead, staff, time_machine):
    time_machine.move_to(dataset.utc(2026, 4, 1, 10))  # 06:00 on the 1st in New York
    first = monthly_snapshot_run()
    again = monthly_snapshot_run()
    assert first.pk == again.pk and ReportSnapshot.objects.count() == 1
    assert first.month == date(2026, 3, 1)
    assert first.data["deployments"] == 5
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == sorted([lead.email, staff.email])
    assert "2026-03" in message.subject
    assert f"/reports/snapshots/{first.pk}/" in message.body
    assert "Deployments: 5 (last month 1)" in message.body


def test_snapshot_pages_and_regenerate_command(data, signed_in):
    call_command("report_snapshot", "2026-03", "--team", "alpha", stdout=io.StringIO())
    snapshot = ReportSnapshot.objects.get(scope="team:alpha")
    assert snapshot.data["deployments"] == 4
    MergedPullRequestFactory(repository=data["repo_a"], merged_at=dataset.utc(2026, 3, 9, 12))
    call_command("report_snapshot", "2026-03", "--team", "alpha", stdout=io.StringIO())
    snapshot.refresh_from_db()
    assert snapshot.data["deployments"] == 5 and ReportSnapshot.objects.count() == 1
    listing = signed_in.get("/reports/snapshots/").content.decode()
    assert f"/reports/snapshots/{snapshot.pk}/" in listing
    detail = signed_in.get(f"/reports/snapshots/{snapshot.pk}/")
    assert detail.status_code == 200
    assert _page_headline(detail.content.decode())["Deployments"] == "5"


def test_report_function_matches_api(data):
    report = build_monthly_report(parse_month("2026-03"), resolve_scope())
    assert report.headline.deployments == 5 and report.previous.deployments == 1


def test_openapi_schema_describes_report_and_400(data, signed_in):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/reports/monthly/"]["get"]
    assert {"200", "400"} <= set(operation["responses"])
    assert "MonthlyReport" in schema["components"]["schemas"]


def test_beat_runs_the_snapshot_task_on_the_first_of_the_month(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["monthly-report-snapshot"]
    assert entry["task"] == "postmortems.store_monthly_report_snapshot"
    assert entry["schedule"].day_of_month == {1}


def test_snapshot_task_stores_last_month(data, lead, time_machine):
    from postmortems.tasks import store_monthly_report_snapshot

    time_machine.move_to(dataset.utc(2026, 4, 1, 10))
    pk = store_monthly_report_snapshot()
    assert ReportSnapshot.objects.get(pk=pk).month_label == "2026-03"
    assert store_monthly_report_snapshot() == pk and len(mail.outbox) == 1
