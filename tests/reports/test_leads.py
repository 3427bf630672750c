"""reports/leads.py and lead_queries.py: caught-in, upkeep hours and teams side by side, by hand."""

import json
from datetime import date

from postmortems.models import Postmortem, PreventionAction
from postmortems.reports import MonthlyReport, Scope, build_monthly_report

MARCH = date(2026, 3, 1)


def test_teams_side_by_side_match_hand_computed_numbers(data):
    teams = [t.as_json() for t in build_monthly_report(MARCH, Scope()).teams]
    assert teams == [
        # Alpha: pr1, pr3, pr7 and the dismissed pr8 deployed, pr3 and pr7 hotfixes; PM2 and PM4 due in
        # March, neither approved in time, both overdue at its end; PM4's mitigation past due.
        {
            "team": "alpha",
            "hotfix_rate": 0.5,
            "sla_met_rate": 0.0,
            "staging_verification_rate": None,
            "overdue": 2,
            "actions_past_due": 1,
        },
        # Beta: pr5 the one deployment and a hotfix; PM1 due and approved in time; its late action past due.
        {
            "team": "beta",
            "hotfix_rate": 1.0,
            "sla_met_rate": 1.0,
            "staging_verification_rate": None,
            "overdue": 0,
            "actions_past_due": 1,
        },
    ]


def test_teams_only_in_the_all_teams_report(data, signed_in):
    assert "teams" not in build_monthly_report(MARCH, Scope(team=data["alpha"])).as_json()
    assert "teams" not in signed_in.get("/api/v1/reports/monthly/", {"month": "2026-03", "team": "beta"}).json()
    html = signed_in.get("/reports/monthly/2026-03/").content.decode()
    assert '<a href="/postmortems/?team=alpha&amp;month=2026-03">alpha</a>' in html
    assert 'id="chart-teams"' in html
    assert 'id="chart-teams"' not in signed_in.get("/reports/monthly/2026-03/", {"team": "alpha"}).content.decode()


def test_caught_in_per_month_and_in_the_trend(data):
    Postmortem.objects.filter(pk=data["pm1"].pk).update(caught_in="staging")
    Postmortem.objects.filter(category__slug="data-or-schema-change").update(caught_in="dev")  # PM4 and January
    report = build_monthly_report(MARCH, Scope())
    assert report.caught_in == {"dev": 1, "staging": 1, "production": 0, "none": 0, "not_recorded": 2}
    january = next(m for m in report.trend if m.month == "2026-01")
    assert january.caught_in == {"dev": 1, "staging": 0, "production": 0, "none": 0, "not_recorded": 0}
    assert report.trend[-1].caught_in == report.caught_in


def _hours(data) -> None:
    Postmortem.objects.filter(pk=data["pm1"].pk).update(effort_hours=6)
    march_config = Postmortem.objects.filter(category__slug="environment-specific-configuration")
    for record, hours in zip(march_config.order_by("anchor_at"), (4, 2.5), strict=True):
        Postmortem.objects.filter(pk=record.pk).update(effort_hours=hours)
    Postmortem.objects.filter(anchor_at__year=2026, anchor_at__month=1).update(effort_hours=10)
    actions = PreventionAction.objects
    actions.filter(postmortem__category__slug="environment-specific-configuration").update(estimate_hours=8)
    actions.filter(kind="temporary_mitigation").update(estimate_hours=3)
    for action, hours in zip(actions.filter(postmortem=data["pm1"]).order_by("created_at"), (2, 5), strict=True):
        actions.filter(pk=action.pk).update(estimate_hours=hours)


def test_upkeep_sets_hotfix_hours_against_open_prevention_work(data):
    _hours(data)
    report = build_monthly_report(MARCH, Scope())
    upkeep = report.upkeep.as_json()
    # Hotfix hours: PM1 6 + PM2 4 + PM3 2.5. Open at the end of March: PM2's action 8, PM4's mitigation 3,
    # PM1's second action 5 (done only on 2 April); PM1's first (done 24 March) is not open work.
    assert (upkeep["hotfix_hours"], upkeep["open_prevention_hours"]) == (12.5, 16.0)
    assert [(c["category"], c["hotfix_hours"], c["open_prevention_hours"]) for c in upkeep["by_category"]] == [
        ("environment-specific-configuration", 6.5, 8.0),
        ("untested-downstream-dependency", 6.0, 5.0),
        ("data-or-schema-change", 0.0, 3.0),
    ]
    trend = {m.month: m.upkeep.totals_json() for m in report.trend}
    assert trend["2026-01"] == {"hotfix_hours": 10.0, "open_prevention_hours": 0.0}
    april = build_monthly_report(date(2026, 4, 1), Scope()).upkeep
    assert april.open_prevention_hours == 11.0  # PM1's second action was done on 2 April


def test_a_snapshot_stored_before_the_second_edition_still_reads(data):
    stored = json.loads(json.dumps(build_monthly_report(MARCH, Scope()).as_json()))
    for key in ("findings", "caught_in", "dora_bands", "upkeep", "teams"):
        del stored[key]
    for month in stored["trend"]:
        del month["caught_in"], month["upkeep"]
    old = MonthlyReport.from_json(stored)
    assert old.findings == () and old.teams is None and old.dora_bands is None
    assert old.headline.deployments == 5


def test_teams_staging_verification_rate_counts_the_answer_that_holds(data):
    from postmortems.models import MergedPullRequest
    from postmortems.months import month_bounds

    start, end = month_bounds(MARCH)
    alpha = MergedPullRequest.objects.filter(repository__team=data["alpha"], merged_at__gte=start, merged_at__lt=end)
    assert alpha.count() == 4  # pr1, pr3, pr7 and the dismissed pr8
    alpha.update(staging_verification="skipped")
    MergedPullRequest.objects.filter(pk=alpha.order_by("merged_at").first().pk).update(staging_verification="verified")
    # Beta's one merge: the evidence said skipped, a lead overrode it (squash-merged to stg).
    MergedPullRequest.objects.filter(repository__team=data["beta"], merged_at__gte=start, merged_at__lt=end).update(
        staging_verification="skipped", staging_override="verified", staging_override_reason="Squash-merged to stg."
    )
    rates = {t.team: t.staging_verification_rate for t in build_monthly_report(MARCH, Scope()).teams}
    assert rates == {"alpha": 0.25, "beta": 1.0}
