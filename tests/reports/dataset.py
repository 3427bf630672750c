"""A hand-built data set for the monthly report, with every March 2026 number computed by hand.

TIME_ZONE is America/New_York: March 2026 runs from 2026-03-01 05:00 UTC (EST) to
2026-04-01 04:00 UTC (EDT, daylight saving started on 8 March). The numbers each
record contributes are written next to it; EXPECTED_MARCH sums them up.
"""

from datetime import UTC, date, datetime

from postmortems.choices import ActionKind, ActionStatus, AssessmentStatus, PostmortemStatus
from postmortems.models import (
    ChecklistAssessment,
    FailureCategory,
    HotfixPullRequest,
    MissingChecklistItem,
)
from tests.factories import (
    MergedPullRequestFactory,
    PostmortemFactory,
    PreventionActionFactory,
    RepositoryFactory,
    TeamFactory,
)

TZ_NAME = "America/New_York"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _pr(repo, when, hotfix=False, **kw):
    return MergedPullRequestFactory(repository=repo, merged_at=when, is_hotfix=hotfix, **kw)


def _pm(repo, anchor, **kw):
    kw.setdefault("status", PostmortemStatus.DRAFT)
    return PostmortemFactory(repository=repo, team=repo.team, anchor_at=anchor, **kw)


def _action(postmortem, created, due, **kw):
    kw.setdefault("kind", ActionKind.PROCESS)
    return PreventionActionFactory(postmortem=postmortem, created_at=created, due_date=due, **kw)


def build() -> dict:
    """Every record of the data set, created in a fixed order (factory sequences stay the same)."""
    alpha = TeamFactory(slug="alpha", name="Alpha")
    beta = TeamFactory(slug="beta", name="Beta")
    repo_a = RepositoryFactory(full_name="acme/forecast", team=alpha)
    repo_b = RepositoryFactory(full_name="acme/orders", team=beta)
    c1 = FailureCategory.objects.get(slug="untested-downstream-dependency")
    c2 = FailureCategory.objects.get(slug="environment-specific-configuration")
    c3 = FailureCategory.objects.get(slug="data-or-schema-change")
    prs = _pull_requests(repo_a, repo_b)
    pm1, pm2 = _march_with_two_hotfix_merges(repo_a, repo_b, c1, c2, prs)
    _pm3, pm4 = _march_at_the_edges(repo_a, c2, c3, prs)
    pm_jan, pm_feb, pm_dismissed = _other_months_and_dismissed(repo_a, repo_b, c1, c3, prs)
    _checklist(pm1, pm2, pm4, pm_jan, pm_dismissed)
    _actions(pm1, pm2, pm4, pm_feb, pm_jan, pm_dismissed)
    return {"alpha": alpha, "beta": beta, "repo_a": repo_a, "repo_b": repo_b, "pm1": pm1}


def _pull_requests(repo_a, repo_b) -> dict:
    # Deployments. January 2026 has none at all (hotfix rate null).
    pr1 = _pr(repo_a, utc(2026, 3, 1, 5, 30))  # Mar 1 00:30 EST → March
    _pr(repo_a, utc(2026, 3, 1, 4, 30))  # Feb 28 23:30 EST → February (March in UTC!)
    pr3 = _pr(repo_a, utc(2026, 4, 1, 3, 30), hotfix=True)  # Mar 31 23:30 EDT → March, hotfix of PM3
    _pr(repo_a, utc(2026, 4, 1, 4, 30))  # Apr 1 00:30 EDT → April
    pr5 = _pr(repo_b, utc(2026, 3, 15, 12), hotfix=True)  # PM1's first hotfix → March
    pr6 = _pr(repo_b, utc(2026, 4, 10, 12), hotfix=True)  # PM1's second hotfix → April
    pr7 = _pr(repo_a, utc(2026, 3, 20, 12), hotfix=True)  # PM2 → March
    pr8 = _pr(repo_a, utc(2026, 3, 5, 12), hotfix=True)  # dismissed: a deployment, not a hotfix
    return {"pr1": pr1, "pr3": pr3, "pr5": pr5, "pr6": pr6, "pr7": pr7, "pr8": pr8}


def _march_with_two_hotfix_merges(repo_a, repo_b, c1, c2, prs: dict) -> tuple:
    # PM1: two hotfix PRs in different months; belongs to March (earliest merge). MTTR 4 h.
    pm1 = _pm(
        repo_b,
        utc(2026, 3, 15, 12),
        category=c1,
        detection_method="manual_check",
        detected_at=utc(2026, 3, 15, 8),
        resolved_at=utc(2026, 3, 15, 12),
        created_at=utc(2026, 3, 15, 12),
        due_at=utc(2026, 3, 20, 12),
        approved_at=utc(2026, 3, 19, 12),  # approved in March, by its due time; 96 h after the first merge
        status=PostmortemStatus.APPROVED,
        gap_kind="skipped",
        gap_skipped=True,
    )
    HotfixPullRequest.objects.create(merged_pr=prs["pr5"], postmortem=pm1)
    HotfixPullRequest.objects.create(merged_pr=prs["pr6"], postmortem=pm1)
    # PM2: MTTR 2 h; due in March, approved in April (late; overdue at the end of March).
    # Introduced by pr1 (Mar 1 05:30 UTC) → hotfix Mar 20 12:00 UTC: the defect lived 462.5 h.
    pm2 = _pm(
        repo_a,
        utc(2026, 3, 20, 12),
        category=c2,
        detection_method="automated_alert",
        detected_at=utc(2026, 3, 20, 10),
        resolved_at=utc(2026, 3, 20, 12),
        created_at=utc(2026, 3, 20, 12),
        due_at=utc(2026, 3, 25, 12),
        approved_at=utc(2026, 4, 2, 12),
        status=PostmortemStatus.APPROVED,
        introduced_by=prs["pr1"],
        gap_kind="skipped",
        gap_skipped=True,
        gap_ineffective=True,
    )
    HotfixPullRequest.objects.create(merged_pr=prs["pr7"], postmortem=pm2)
    return pm1, pm2


def _march_at_the_edges(repo_a, c2, c3, prs: dict) -> tuple:
    # PM3: merged Mar 31 23:30 EDT → March; created then too; due in April; checklist not assessed.
    pm3 = _pm(
        repo_a,
        utc(2026, 4, 1, 3, 30),
        category=c2,
        detection_method="customer_report",
        detected_at=utc(2026, 3, 31, 22),
        resolved_at=utc(2026, 4, 1, 3, 30),  # MTTR 5.5 h
        created_at=utc(2026, 4, 1, 3, 30),
        due_at=utc(2026, 4, 6, 3, 30),
    )
    HotfixPullRequest.objects.create(merged_pr=prs["pr3"], postmortem=pm3)
    # PM4: no PR (anchored on resolved_at); MTTR 6 h; in review and overdue; recurred despite prevention.
    pm4 = _pm(
        repo_a,
        utc(2026, 3, 10, 15),
        category=c3,
        detection_method="automated_check",
        detected_at=utc(2026, 3, 10, 9),
        resolved_at=utc(2026, 3, 10, 15),
        created_at=utc(2026, 3, 10, 15),
        due_at=utc(2026, 3, 12, 15),
        status=PostmortemStatus.IN_REVIEW,
        recurred_despite_prevention=True,
        gap_kind="missing",
        gap_missing=True,
    )
    return pm3, pm4


def _other_months_and_dismissed(repo_a, repo_b, c1, c3, prs: dict) -> tuple:
    # Earlier months: c3 in January (so March's c3 recurs across months), c1 in December (too early).
    pm_jan = _pm(
        repo_a,
        utc(2026, 1, 20, 12),
        category=c3,
        detection_method="manual_check",
        detected_at=utc(2026, 1, 20, 10),
        resolved_at=utc(2026, 1, 20, 12),
        created_at=utc(2026, 1, 20, 12),
        due_at=utc(2026, 1, 25, 12),
        approved_at=utc(2026, 1, 24, 12),
        status=PostmortemStatus.APPROVED,
        gap_kind="none",
    )
    _pm(
        repo_b,
        utc(2025, 12, 10, 12),
        category=c1,
        created_at=utc(2025, 12, 10, 12),
        due_at=utc(2025, 12, 15, 12),
        approved_at=utc(2025, 12, 12, 12),
        status=PostmortemStatus.APPROVED,
    )
    # February, no category, no PR: approved in March (counts as approved in March; no approval time).
    pm_feb = _pm(
        repo_b,
        utc(2026, 2, 10, 12),
        created_at=utc(2026, 2, 10, 12),
        due_at=utc(2026, 2, 15, 12),
        approved_at=utc(2026, 3, 5, 12),
        status=PostmortemStatus.APPROVED,
    )
    # Dismissed: not an incident. Would otherwise be opened, overdue and a hotfix in March.
    pm_dismissed = _pm(
        repo_a,
        utc(2026, 3, 5, 12),
        category=c1,
        created_at=utc(2026, 3, 5, 12),
        due_at=utc(2026, 3, 10, 12),
        status=PostmortemStatus.DISMISSED,
        dismissal_reason="Not a hotfix after all.",
        dismissed_at=utc(2026, 3, 6, 12),
    )
    HotfixPullRequest.objects.create(merged_pr=prs["pr8"], postmortem=pm_dismissed)
    return pm_jan, pm_feb, pm_dismissed


def _checklist(pm1, pm2, pm4, pm_jan, pm_dismissed) -> None:
    # Checklist: item 1 skipped twice in March (once it would have caught it), item 2 followed but ineffective.
    # By text: the default checklist's version in force starts with the evidence steps (SPEC §10).
    items = {item.text: item for item in pm1.checklist_version.items.all()}
    staging = items["Ran all downstream jobs end-to-end in staging"]
    config_diff = items["Reviewed the configuration diff for the target environment"]
    assess = ChecklistAssessment.objects.create
    assess(postmortem=pm1, item=staging, status=AssessmentStatus.SKIPPED, would_have_caught=True)
    assess(postmortem=pm1, item=config_diff, status=AssessmentStatus.FOLLOWED)
    assess(postmortem=pm2, item=staging, status=AssessmentStatus.SKIPPED, would_have_caught=False)
    assess(postmortem=pm2, item=config_diff, status=AssessmentStatus.FOLLOWED, ineffective=True)
    assess(postmortem=pm4, item=staging, status=AssessmentStatus.FOLLOWED)
    assess(postmortem=pm_jan, item=staging, status=AssessmentStatus.SKIPPED, would_have_caught=True)
    assess(postmortem=pm_dismissed, item=staging, status=AssessmentStatus.SKIPPED, would_have_caught=True)
    MissingChecklistItem.objects.create(
        postmortem=pm4, text='=HYPERLINK("x") compare row counts', proposed_at=utc(2026, 3, 10, 16)
    )


def _actions(pm1, pm2, pm4, pm_feb, pm_jan, pm_dismissed) -> None:
    done = {"status": ActionStatus.DONE, "evidence_url": "https://example.com/pr/1"}
    _action(pm1, utc(2026, 3, 15, 13), date(2026, 3, 25), completed_at=utc(2026, 3, 24, 15), kind="test", **done)
    _action(pm1, utc(2026, 3, 16, 9), date(2026, 3, 28), completed_at=utc(2026, 4, 2, 9), **done)  # late
    _action(pm2, utc(2026, 3, 21, 9), date(2026, 4, 10))  # open, due in April
    _action(
        pm4,
        utc(2026, 3, 10, 16),
        date(2026, 3, 31),
        kind=ActionKind.TEMPORARY_MITIGATION,
        expires_at=date(2026, 3, 20),
    )  # open at month end, past due (31 < Apr 1), expired mitigation
    # Completed Mar 3 23:30 EST (Mar 4 04:30 UTC): on its due date in TIME_ZONE, so on time.
    _action(pm_feb, utc(2026, 2, 11, 9), date(2026, 3, 3), completed_at=utc(2026, 3, 4, 4, 30), **done)
    _action(pm_feb, utc(2026, 2, 11, 9), date(2026, 3, 15), status=ActionStatus.WONT_DO, wont_do_reason="Dup.")
    _action(pm_jan, utc(2026, 1, 21, 9), date(2026, 2, 1), completed_at=utc(2026, 2, 5, 9), **done)
    _action(pm_dismissed, utc(2026, 3, 6, 9), date(2026, 3, 10))  # dismissed: ignored


EXPECTED_MARCH = {
    "month": "2026-03",
    "deployments": 5,
    "hotfixes": 3,
    "hotfix_rate": 0.6,
    "postmortems_opened": 4,
    "postmortems_approved": 2,
    "overdue": 2,
    "sla_met_rate": 0.3333,
    "mttr_hours": {"median": 4.75, "p90": 5.85},
    "time_to_approval_hours": {"median": 96.0},
    "recurred_despite_prevention": 1,
    "by_detection_method": {
        "automated_alert": 1,
        "automated_check": 1,
        "manual_check": 1,
        "customer_report": 1,
        "engineer_noticed": 0,
        "not_recorded": 0,
    },
    "actions": {
        "created": 4,
        "completed": 2,
        "open_past_due": 2,
        "due": 4,
        "completed_by_due_date": 2,
        "done_on_time_rate": 0.5,
        "expired_temporary_mitigations": 1,
        "open_temporary_mitigations": 1,
    },
    "defect_lifetime_hours": {"count": 1, "median": 462.5, "p90": 462.5},
}
