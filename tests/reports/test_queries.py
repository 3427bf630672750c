"""reports/queries.py: database aggregation in a fixed number of queries, whatever the amount of data."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.utils import timezone

from postmortems.choices import ActionKind, ActionStatus
from postmortems.models import Postmortem
from postmortems.reports import Scope, build_monthly_report, month_period
from postmortems.reports import queries as q
from postmortems.reports.percentiles import percentile
from tests.factories import MergedPullRequestFactory, PostmortemFactory, PreventionActionFactory, RepositoryFactory
from tests.reports import dataset

API = "/api/v1/reports/monthly/"
# 15 for the first edition, 3 for SPEC §10's staging verification (reports/staging.py), 6 for
# SPEC §12 (findings, caught-in, upkeep); the all-teams report reads 4 more for its teams side by side.
REPORT_QUERIES = 24
ALL_TEAMS_REPORT_QUERIES = 28


def test_query_counts_do_not_grow_with_the_data(data, signed_in, django_assert_max_num_queries):
    # Session, user, then the all-teams report's queries.
    with django_assert_max_num_queries(ALL_TEAMS_REPORT_QUERIES + 2):
        assert signed_in.get(API, {"month": "2026-03"}).status_code == 200
    # The API's, plus the teams and repositories of the filter form, plus the session save.
    with django_assert_max_num_queries(ALL_TEAMS_REPORT_QUERIES + 5):
        assert signed_in.get("/reports/monthly/2026-03/").status_code == 200
    repo = RepositoryFactory(full_name="acme/more")
    for n in range(30):
        MergedPullRequestFactory(repository=repo, merged_at=dataset.utc(2026, 3, 2 + n % 20, 12))
        record = PostmortemFactory(
            repository=repo, team=repo.team, anchor_at=dataset.utc(2026, 3, 2 + n % 20, 12), effort_hours=3
        )
        PreventionActionFactory(postmortem=record, due_date=date(2026, 3, 3), estimate_hours=2)
    with django_assert_max_num_queries(ALL_TEAMS_REPORT_QUERIES + 2):
        body = signed_in.get(API, {"month": "2026-03"}).json()
    assert body["deployments"] == 35
    assert len(body["teams"]) == 3 and body["upkeep"]["hotfix_hours"] == 90
    with django_assert_max_num_queries(ALL_TEAMS_REPORT_QUERIES + 5):
        assert signed_in.get("/reports/monthly/2026-03/").status_code == 200


def test_building_a_report_runs_exactly_the_report_queries(data, django_assert_num_queries):
    with django_assert_num_queries(REPORT_QUERIES):
        build_monthly_report(date(2026, 3, 1), Scope(team=data["alpha"]))
    with django_assert_num_queries(ALL_TEAMS_REPORT_QUERIES):
        build_monthly_report(date(2026, 3, 1), Scope())


def test_a_dismissed_hotfix_stays_a_deployment_but_is_no_hotfix(data):
    march = month_period(date(2026, 3, 1))
    counts = q.pull_requests_by_month(Scope(), march.start, march.end, timezone.get_default_timezone())
    # pr1, pr3, pr5, pr7 and the dismissed pr8 (pr2 was merged on 28 February in New York).
    assert counts == {"2026-03": q.PullRequestCounts(deployments=5, hotfixes=3)}


def test_postmortem_counts_are_as_of_each_period_end(data):
    february, march = month_period(date(2026, 2, 1)), month_period(date(2026, 3, 1))
    before, now = q.postmortem_counts(Scope(), [february, march])
    # February: its one record was due on the 15th and approved only in March.
    assert before == q.PostmortemCounts(opened=1, approved=0, overdue=1, due=1, sla_met=0, recurred=0)
    assert now == q.PostmortemCounts(opened=4, approved=2, overdue=2, due=3, sla_met=1, recurred=1)


def test_action_backlog_counts_an_action_at_each_month_end_it_was_open(db, settings):
    settings.TIME_ZONE = "UTC"
    periods = [month_period(date(2026, m, 1), now=datetime(2026, 5, 1, tzinfo=UTC)) for m in (1, 2, 3, 4)]
    record = PostmortemFactory()
    # Created in January, due 1 March, done on 15 April: open at the ends of Jan, Feb and Mar; past due in March.
    PreventionActionFactory(
        postmortem=record,
        created_at=datetime(2026, 1, 10, tzinfo=UTC),
        due_date=date(2026, 3, 1),
        status=ActionStatus.DONE,
        completed_at=datetime(2026, 4, 15, tzinfo=UTC),
        evidence_url="https://example.com/pr/2",
    )
    # A temporary mitigation from February that expired on 20 March and is still open.
    PreventionActionFactory(
        postmortem=record,
        kind=ActionKind.TEMPORARY_MITIGATION,
        created_at=datetime(2026, 2, 10, tzinfo=UTC),
        due_date=date(2026, 6, 1),
        expires_at=date(2026, 3, 20),
    )
    backlog = q.action_backlog(Scope(), periods)
    assert [b.open_past_due for b in backlog] == [0, 0, 1, 0]
    assert [b.open_mitigations for b in backlog] == [0, 1, 1, 1]
    assert [b.expired_mitigations for b in backlog] == [0, 0, 1, 1]


def test_dismissed_records_and_their_actions_are_left_out(data):
    Postmortem.objects.exclude(status="dismissed").update(
        status="dismissed", dismissal_reason="Not a hotfix.", dismissed_at=dataset.utc(2026, 4, 1)
    )
    report = build_monthly_report(date(2026, 3, 1), Scope())
    assert (report.headline.postmortems_opened, report.headline.hotfixes, report.actions.created) == (0, 0, 0)
    assert report.headline.deployments == 5  # merged PRs stay deployments


@pytest.mark.parametrize("fraction", [0.5, 0.9, 0.25])
def test_python_percentile_matches_postgresql_percentile_cont(db, postgres_required, fraction):
    values = [7.0, 1.0, 3.5, 10.0, 2.0]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT percentile_cont(%s) WITHIN GROUP (ORDER BY v) FROM unnest(%s::float8[]) AS v", [fraction, values]
        )
        (expected,) = cursor.fetchone()
    assert percentile(values, fraction) == pytest.approx(expected)
    assert percentile([], fraction) is None
