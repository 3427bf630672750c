"""Staging verification from stored evidence (SPEC §10): facts loaded per PR, answers stored and kept."""

from __future__ import annotations

from datetime import timedelta

import pytest

from postmortems import services
from postmortems.choices import StagingVerification as V
from postmortems.models import BranchCommit, MergedPullRequest
from postmortems.services.evidence import staging_verification_recompute
from postmortems.services.verification import merged_pr_verify
from tests.factories import BASE_TIME, MergedPullRequestFactory, RepositoryFactory

pytestmark = pytest.mark.django_db

HEAD, MERGE, LATER = "a" * 40, "b" * 40, "c" * 40


@pytest.fixture
def repository():
    return RepositoryFactory(full_name="acme/forecast", staging_checks=["downstream-e2e"])


@pytest.fixture
def merged_pr(repository):
    return MergedPullRequestFactory(repository=repository, number=42, head_sha=HEAD, merge_commit_sha=MERGE)


def fact(repository, key: str, *, hours: float, sha: str = MERGE, status: str = "success", **kwargs):
    kind = "deployment" if "environment" in kwargs else "check"
    row, _ = services.evidence_submit(
        repository=repository,
        external_id=key,
        kind=kind,
        sha=sha,
        status=status,
        occurred_at=BASE_TIME + timedelta(hours=hours),
        **kwargs,
    )
    return row


def staged(repository, hours: float = 1, sha: str = MERGE):
    return fact(repository, f"stg-{sha[:4]}-{hours}", hours=hours, sha=sha, environment="staging")


def checked(repository, hours: float = 2, sha: str = MERGE, name: str = "downstream-e2e", status: str = "success"):
    return fact(repository, f"chk-{name}-{sha[:4]}-{hours}", hours=hours, sha=sha, name=name, status=status)


def shipped(repository, hours: float = 3, sha: str = MERGE, status: str = "success"):
    return fact(repository, f"prod-{sha[:4]}-{hours}", hours=hours, sha=sha, environment="production", status=status)


def test_staging_then_check_then_production_is_verified(repository, merged_pr):
    rows = [staged(repository), checked(repository), shipped(repository)]
    verdict = merged_pr_verify(merged_pr=merged_pr)
    stored = MergedPullRequest.objects.get(pk=merged_pr.pk)
    assert (stored.staging_verification, stored.staging_reason) == (V.VERIFIED, "")
    assert stored.reached_production_at == rows[2].occurred_at
    assert sorted(stored.staging_evidence_ids) == sorted(row.pk for row in rows)
    assert verdict.staging.evidence_id == rows[0].pk


def test_production_without_the_check_is_skipped_with_the_reason(repository, merged_pr):
    staged(repository)
    checked(repository, hours=2, status="failure")
    shipped(repository, hours=3)
    merged_pr_verify(merged_pr=merged_pr)
    stored = MergedPullRequest.objects.get(pk=merged_pr.pk)
    assert stored.staging_verification == V.SKIPPED
    assert stored.staging_reason.startswith("no downstream-e2e check on bbbbbbb before production (deployed ")


def test_a_repository_that_never_reported_staging_is_unknown_and_stays_so(repository, merged_pr):
    shipped(repository)
    assert merged_pr_verify(merged_pr=merged_pr).status == V.UNKNOWN
    # Staging evidence of an older commit shows up later (a backfill): the past answer stays unknown.
    staged(repository, hours=-50, sha="d" * 40)
    merged_pr.refresh_from_db()
    assert merged_pr_verify(merged_pr=merged_pr).status == V.UNKNOWN


def test_pending_until_production_and_no_production_reports_means_the_merge(repository, merged_pr):
    staged(repository, hours=-10, sha="d" * 40)  # the repository reported staging before this merge
    staged(repository)
    checked(repository)
    # The repository reports no production deployments at all: it reached production at its merge,
    # before its staging deployment.
    assert merged_pr_verify(merged_pr=merged_pr).status == V.SKIPPED
    other = MergedPullRequestFactory(repository=repository, number=43, merge_commit_sha="e" * 40, head_sha="f" * 40)
    for position, sha in enumerate(("9" * 40, "e" * 40)):
        BranchCommit.objects.create(
            repository=repository, branch="main", sha=sha, pushed_at=BASE_TIME, position=position
        )
    shipped(repository, hours=5, sha="9" * 40)  # the repository now reports production, of an earlier commit
    assert merged_pr_verify(merged_pr=other).status == V.PENDING
    shipped(repository, hours=6, sha="e" * 40)
    assert merged_pr_verify(merged_pr=other).status == V.SKIPPED


def test_batched_production_deploy_of_a_later_branch_commit_counts(repository, merged_pr):
    for position, sha in enumerate((MERGE, LATER)):
        BranchCommit.objects.create(
            repository=repository, branch="main", sha=sha, pushed_at=BASE_TIME, position=position
        )
    staged(repository)
    checked(repository)
    shipped(repository, sha=LATER)
    assert merged_pr_verify(merged_pr=merged_pr).status == V.VERIFIED


def test_production_deploy_of_an_earlier_branch_commit_does_not_count(repository, merged_pr):
    earlier = "1" * 40
    for position, sha in enumerate((earlier, MERGE)):
        BranchCommit.objects.create(
            repository=repository, branch="main", sha=sha, pushed_at=BASE_TIME, position=position
        )
    staged(repository)
    checked(repository)
    shipped(repository, sha=earlier)
    assert merged_pr_verify(merged_pr=merged_pr).status == V.PENDING


def test_new_evidence_recomputes_only_the_prs_it_concerns(repository, merged_pr):
    untouched = MergedPullRequestFactory(repository=repository, number=44, merge_commit_sha="7" * 40)
    staged(repository)
    checked(repository)
    shipped(repository)
    assert staging_verification_recompute(repository_pk=repository.pk, shas=[MERGE]) == [merged_pr.pk]
    assert MergedPullRequest.objects.get(pk=merged_pr.pk).staging_verification == V.VERIFIED
    assert MergedPullRequest.objects.get(pk=untouched.pk).staging_verification == V.PENDING


def test_verifying_one_pr_takes_a_fixed_number_of_queries(repository, merged_pr, django_assert_max_num_queries):
    staged(repository)
    for hours in (1.5, 2, 2.5):
        checked(repository, hours=hours)
    shipped(repository)
    with django_assert_max_num_queries(7):
        merged_pr_verify(merged_pr=merged_pr)
