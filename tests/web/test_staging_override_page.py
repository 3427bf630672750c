"""The record page shows its PRs' staging answers, and a lead overrides a `skipped` there (SPEC §10)."""

from __future__ import annotations

import pytest

from postmortems import services
from postmortems.choices import StagingVerification as V
from postmortems.models import MergedPullRequest
from tests.factories import EngineerFactory, LeadFactory, MergedPullRequestFactory, RepositoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def record():
    hotfix = MergedPullRequestFactory(
        repository=RepositoryFactory(team=None),
        number=77,
        is_hotfix=True,
        staging_verification=V.SKIPPED,
        staging_reason="no downstream-e2e check",
    )
    return services.postmortem_open_for_hotfix(merged_pr=hotfix)[0], hotfix


def test_the_page_shows_the_answer_and_a_lead_overrides_it(client, record):
    postmortem, hotfix = record
    client.force_login(LeadFactory(username="lead-two"))
    page = client.get(f"/postmortems/{postmortem.pk}/").content.decode()
    assert "no downstream-e2e check" in page and f"/merged-prs/{hotfix.pk}/staging-override/" in page
    response = client.post(
        f"/merged-prs/{hotfix.pk}/staging-override/",
        {f"so{hotfix.pk}-status": "verified", f"so{hotfix.pk}-reason": "Squashed into stg.", "next": "/postmortems/"},
    )
    assert response.status_code == 302
    assert MergedPullRequest.objects.get(pk=hotfix.pk).staging_override == V.VERIFIED
    page = client.get(f"/postmortems/{postmortem.pk}/").content.decode()
    assert "Overridden to <strong>Verified in staging</strong> by lead-two" in page
    assert "From the evidence: <strong>Skipped staging</strong>" in page


def test_an_engineer_sees_the_answer_without_the_form(client, record):
    postmortem, _ = record
    client.force_login(EngineerFactory())
    page = client.get(f"/postmortems/{postmortem.pk}/").content.decode()
    assert "Skipped staging" in page and "staging-override" not in page
