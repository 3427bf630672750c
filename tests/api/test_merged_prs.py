"""Merged PRs in the API carry their staging verification and the evidence about their commits (SPEC §10)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from postmortems import services
from postmortems.choices import StagingVerification as V
from postmortems.services.verification import merged_pr_verify
from tests.factories import BASE_TIME, LeadFactory, MergedPullRequestFactory, RepositoryFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db

HEAD, MERGE, OTHER = "a" * 40, "b" * 40, "c" * 40


def fact(repository, key: str, *, hours: float, sha: str, **kwargs):
    kind = "deployment" if "environment" in kwargs else "check"
    row, _ = services.evidence_submit(
        repository=repository,
        external_id=key,
        kind=kind,
        sha=sha,
        status="success",
        occurred_at=BASE_TIME + timedelta(hours=hours),
        **kwargs,
    )
    return row


def verified_pr(number: int = 1, repository=None):
    repository = repository or RepositoryFactory(full_name=f"acme/repo{number}")
    pr = MergedPullRequestFactory(repository=repository, number=number, head_sha=HEAD, merge_commit_sha=MERGE)
    fact(repository, f"stg-{number}", hours=1, sha=HEAD, environment="staging", url="https://ci.example/stg")
    fact(repository, f"prod-{number}", hours=3, sha=MERGE, environment="production", url="javascript:alert(1)")
    fact(repository, f"other-{number}", hours=2, sha=OTHER, environment="staging")
    merged_pr_verify(merged_pr=pr)
    return pr


def test_a_merged_pr_carries_its_answer_and_the_evidence_of_its_commits():
    pr = verified_pr()
    body = client_for(LeadFactory()).get(f"/api/v1/merged-prs/{pr.pk}/").json()
    assert body["staging_verification"] == V.VERIFIED
    assert body["staging_reason"] == ""
    assert body["reached_production_at"].startswith((BASE_TIME + timedelta(hours=3)).strftime("%Y-%m-%dT%H"))
    assert [(e["stage"], e["sha"], e["status"], e["source"]) for e in body["evidence"]] == [
        ("staging", HEAD, "success", "api"),
        ("production", MERGE, "success", "api"),
    ]
    # Links we were handed are shown only when they may be links (SPEC §8).
    assert [e["url"] for e in body["evidence"]] == ["https://ci.example/stg", None]


def test_the_list_filters_by_the_answer():
    verified = verified_pr(1)
    pending = MergedPullRequestFactory(repository=verified.repository, number=2, head_sha=OTHER)
    client = client_for(LeadFactory())
    numbers = {
        value: [
            row["number"] for row in client.get(f"/api/v1/merged-prs/?staging_verification={value}").json()["results"]
        ]
        for value in (V.VERIFIED, V.PENDING, V.SKIPPED)
    }
    assert numbers == {V.VERIFIED: [verified.number], V.PENDING: [pending.number], V.SKIPPED: []}
    assert client.get("/api/v1/merged-prs/?staging_verification=maybe").status_code == 400


@pytest.mark.parametrize("count", [1, 6])
def test_the_list_costs_the_same_queries_however_many_prs_and_rows(count, django_assert_max_num_queries):
    for number in range(1, count + 1):
        verified_pr(number)
    client = client_for(LeadFactory())
    with django_assert_max_num_queries(6):
        body = client.get("/api/v1/merged-prs/").json()
    assert len(body["results"]) == count
    assert all(len(row["evidence"]) == 2 for row in body["results"])


def test_a_lead_overrides_a_skipped_pr_through_the_api_and_both_answers_show():
    pr = MergedPullRequestFactory(staging_verification=V.SKIPPED, staging_reason="never deployed", head_sha=HEAD)
    lead = LeadFactory(username="lead-one")
    client = client_for(lead)
    url = f"/api/v1/merged-prs/{pr.pk}/staging-override/"
    assert client.post(url, {"status": "verified", "reason": ""}, format="json").status_code == 400
    body = client.post(url, {"status": "verified", "reason": "Squashed into stg."}, format="json").json()
    assert (body["staging_verification"], body["computed_staging_verification"]) == (V.VERIFIED, V.SKIPPED)
    assert body["staging_override"]["status"] == "verified"
    assert (body["staging_override"]["by"], body["staging_override"]["reason"]) == ("lead-one", "Squashed into stg.")
    listed = client.get("/api/v1/merged-prs/?staging_verification=verified").json()["results"]
    assert [row["id"] for row in listed] == [pr.pk]
    assert client.get("/api/v1/merged-prs/?staging_verification=skipped").json()["results"] == []
