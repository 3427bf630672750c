"""The demo data tells the story of SPEC §0 and is safe to load twice."""

import re

import pytest
from django.core.management import call_command
from django.db.models import Count, Max, Min

from postmortems.choices import PostmortemStatus
from postmortems.demo_data import MOST_SKIPPED_STEP, STORY_BRANCH
from postmortems.models import (
    ChecklistAssessment,
    MergedPullRequest,
    Postmortem,
    PreventionAction,
    Repository,
    Team,
    User,
)
from postmortems.months import last_complete_month
from postmortems.reports import Scope, build_monthly_report
from postmortems.selectors import overdue_postmortems

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(django_db_blocker):
    call_command("seed_demo")


def test_demo_tells_the_story(seeded):
    assert Team.objects.count() >= 2
    assert MergedPullRequest.objects.values("repository").distinct().count() >= 4
    assert MergedPullRequest.objects.count() >= 2000
    statuses = set(Postmortem.objects.values_list("status", flat=True))
    assert statuses == set(PostmortemStatus.values)
    skipped = (
        ChecklistAssessment.objects.filter(status="skipped")
        .values("item__text")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    assert skipped["item__text"] == MOST_SKIPPED_STEP
    assert Postmortem.objects.filter(recurred_despite_prevention=True).exists()
    assert overdue_postmortems().filter(owner__username="eli.engineer").exists()
    assert PreventionAction.objects.filter(kind="temporary_mitigation", status="open").exists()
    assert PreventionAction.objects.filter(status="done").exclude(evidence_url="").exists()
    assert User.objects.get(username="lena.lead").is_staff


def test_demo_gives_the_report_upkeep_hours_and_findings(seeded):
    # Filled records carry realistic effort, their actions estimates (SPEC §12): the upkeep section has numbers.
    filled = Postmortem.objects.exclude(root_cause="")
    assert filled.exists() and not filled.filter(effort_hours__isnull=True).exists()
    bounds = filled.aggregate(low=Min("effort_hours"), high=Max("effort_hours"))
    assert 1 <= bounds["low"] < bounds["high"] <= 48
    assert not PreventionAction.objects.filter(postmortem__in=filled, estimate_hours__isnull=True).exists()
    report = build_monthly_report(last_complete_month(), Scope())
    assert report.upkeep.open_prevention_hours > 0
    assert report.findings


def test_demo_is_idempotent(seeded):
    counts = (MergedPullRequest.objects.count(), Postmortem.objects.count(), PreventionAction.objects.count())
    call_command("seed_demo")
    assert counts == (MergedPullRequest.objects.count(), Postmortem.objects.count(), PreventionAction.objects.count())


def test_demo_record_titles_say_hotfix_once(seeded):
    # The eight-day-old story hotfix is titled "[hotfix] …" on GitHub and left untouched by the demo.
    story = Postmortem.objects.get(hotfix_prs__merged_pr__head_branch="hotfix/replenishment-column")
    assert story.title == "[hotfix] replenishment job reads the renamed forecast column"
    titles = Postmortem.objects.filter(title__icontains="hotfix").values_list("title", flat=True)
    doubled = [title for title in titles if len(re.findall(r"(?i)hot[-_ ]?fix\b", title)) > 1]
    assert titles and doubled == []


def test_demo_evidence_tells_the_staging_story(seeded, client):
    """Some changes verified, some not, one repository with no evidence; the §0 record answers itself."""
    assert all(checks == ["downstream-e2e"] for checks in Repository.objects.values_list("staging_checks", flat=True))
    answers = set(MergedPullRequest.objects.values_list("staging_verification", flat=True))
    assert {"verified", "skipped", "unknown"} <= answers
    assert Repository.objects.filter(evidence__isnull=True).exists()
    story = MergedPullRequest.objects.get(head_branch=STORY_BRANCH)
    assert story.staging_verification == "verified"  # the fix itself ran the job in staging
    record = Postmortem.objects.get(hotfix_prs__merged_pr=story)
    assert record.introduced_by.staging_verification == "skipped"
    step = ChecklistAssessment.objects.get(postmortem=record, item__text=MOST_SKIPPED_STEP)
    assert (step.status, step.source) == ("skipped", "evidence")
    assert re.fullmatch(
        r"no downstream-e2e check on [0-9a-f]{7} before production \(deployed \d\d \w{3} 14:02\)",
        step.evidence_reason,
    )
    assert all(link["url"].startswith("https://github.com/") for link in step.evidence) and step.evidence
    client.force_login(User.objects.get(username="eli.engineer"))
    page = client.get(f"/postmortems/{record.pk}/").content.decode()
    assert MOST_SKIPPED_STEP in page
    assert f"skipped — {step.evidence_reason}" in page
    assert "Timeline" in page and "Introducing PR" in page
