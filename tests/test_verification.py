"""The staging-verification rule of SPEC §10, case by case (no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from postmortems.choices import StagingVerification as V
from postmortems.verification import Check, Deployment, Facts, PullRequestShas, verify

HEAD = "a" * 40
MERGE = "b" * 40
LATER = "c" * 40  # a later commit of the production branch
OTHER = "d" * 40  # unrelated
STAGING_AFTER = "e" * 40  # a staging-branch push's `after`

T0 = datetime(2026, 11, 12, 9, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


LONG_AGO = T0 - timedelta(hours=100)

PR = PullRequestShas(head_sha=HEAD, merge_sha=MERGE, merged_at=at(0))


def facts(
    *,
    production=(),
    staging=(),
    checks=(),
    required=("downstream-e2e",),
    first_staging: datetime | None = LONG_AGO,
    reports_production: bool = True,
) -> Facts:
    return Facts(
        production=list(production),
        staging=list(staging),
        checks=list(checks),
        required_checks=required,
        first_staging_evidence_at=first_staging,
        reports_production=reports_production,
    )


def prod(sha: str, hours: float, status: str = "success") -> Deployment:
    return Deployment(sha=sha, occurred_at=at(hours), status=status)


def stg(sha: str, hours: float, status: str = "success", brought=()) -> Deployment:
    return Deployment(sha=sha, occurred_at=at(hours), status=status, brought=frozenset(brought))


def chk(sha: str, hours: float, status: str = "success", name: str = "downstream-e2e") -> Check:
    return Check(sha=sha, name=name, status=status, occurred_at=at(hours))


def contains_later(sha: str) -> bool:
    """LATER is a later commit of the production branch: it contains the PR."""
    return sha == LATER


def run(f: Facts, *, pr: PullRequestShas = PR, previous: str | None = None):
    return verify(pr, f, contains=contains_later, previous=previous)


CASES = {
    "merge commit deployed to staging, check passed, then production": (
        facts(staging=[stg(MERGE, 1)], checks=[chk(MERGE, 2)], production=[prod(MERGE, 3)]),
        V.VERIFIED,
    ),
    "head commit deployed to staging counts as much as the merge commit": (
        facts(staging=[stg(HEAD, -2)], checks=[chk(HEAD, -1)], production=[prod(MERGE, 3)]),
        V.VERIFIED,
    ),
    "staging branch push brought the head commit; check ran on the push's after": (
        facts(
            staging=[stg(STAGING_AFTER, 1, brought=[HEAD])], checks=[chk(STAGING_AFTER, 2)], production=[prod(MERGE, 3)]
        ),
        V.VERIFIED,
    ),
    "check ran on another commit than the one staging deployed": (
        facts(staging=[stg(STAGING_AFTER, 1, brought=[HEAD])], checks=[chk(HEAD, 2)], production=[prod(MERGE, 3)]),
        V.SKIPPED,
    ),
    "staging only after production": (
        facts(staging=[stg(MERGE, 4)], checks=[chk(MERGE, 5)], production=[prod(MERGE, 3)]),
        V.SKIPPED,
    ),
    "check passed only after production": (
        facts(staging=[stg(MERGE, 1)], checks=[chk(MERGE, 4)], production=[prod(MERGE, 3)]),
        V.SKIPPED,
    ),
    "check passed before the staging deployment does not count": (
        facts(staging=[stg(MERGE, 1)], checks=[chk(MERGE, 0.5)], production=[prod(MERGE, 3)]),
        V.SKIPPED,
    ),
    "failed staging deployment, then a successful retry": (
        facts(staging=[stg(MERGE, 1, "failure"), stg(MERGE, 1.5)], checks=[chk(MERGE, 2)], production=[prod(MERGE, 3)]),
        V.VERIFIED,
    ),
    "only a failed staging deployment": (
        facts(staging=[stg(MERGE, 1, "failure")], checks=[chk(MERGE, 2)], production=[prod(MERGE, 3)]),
        V.SKIPPED,
    ),
    "failed check, then passed on a rerun": (
        facts(staging=[stg(MERGE, 1)], checks=[chk(MERGE, 1.5, "failure"), chk(MERGE, 2)], production=[prod(MERGE, 3)]),
        V.VERIFIED,
    ),
    "required check missing": (
        facts(staging=[stg(MERGE, 1)], checks=[chk(MERGE, 2, name="lint")], production=[prod(MERGE, 3)]),
        V.SKIPPED,
    ),
    "no required checks: a staging deployment alone counts": (
        facts(staging=[stg(MERGE, 1)], required=(), production=[prod(MERGE, 3)]),
        V.VERIFIED,
    ),
    "batched production deploy of a later commit counts for the PR": (
        facts(staging=[stg(MERGE, 1)], checks=[chk(MERGE, 2)], production=[prod(LATER, 3)]),
        V.VERIFIED,
    ),
    "production deploy of an unrelated commit does not reach the PR": (
        facts(staging=[stg(MERGE, 1)], checks=[chk(MERGE, 2)], production=[prod(OTHER, 3)]),
        V.PENDING,
    ),
    "failed production deployment does not reach the PR": (
        facts(staging=[stg(MERGE, 1)], checks=[chk(MERGE, 2)], production=[prod(MERGE, 3, "failure")]),
        V.PENDING,
    ),
    "never deployed to staging in a repository that reports staging": (
        facts(production=[prod(MERGE, 3)]),
        V.SKIPPED,
    ),
    "repository with no staging evidence at all": (
        facts(production=[prod(MERGE, 3)], first_staging=None),
        V.UNKNOWN,
    ),
    "repository's first staging evidence came after this PR reached production": (
        facts(production=[prod(MERGE, 3)], first_staging=at(10)),
        V.UNKNOWN,
    ),
    "repository without production deployments: reached production at the merge": (
        facts(staging=[stg(HEAD, -2)], checks=[chk(HEAD, -1)], reports_production=False),
        V.VERIFIED,
    ),
    "repository without production deployments, staging after the merge": (
        facts(staging=[stg(MERGE, 1)], checks=[chk(MERGE, 2)], reports_production=False),
        V.SKIPPED,
    ),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_verification_rule(case):
    given, expected = CASES[case]
    assert run(given).status == expected


def test_order_of_the_evidence_does_not_matter():
    given = facts(
        staging=[stg(MERGE, 1.5), stg(MERGE, 1, "failure")],
        checks=[chk(MERGE, 2), chk(MERGE, 1.7, "failure")],
        production=[prod(OTHER, 2.5), prod(LATER, 3), prod(MERGE, 6)],
    )
    forward = run(given)
    backward = run(
        replace(
            given,
            staging=list(reversed(given.staging)),
            checks=list(reversed(given.checks)),
            production=list(reversed(given.production)),
        )
    )
    assert forward == backward
    assert forward.status == V.VERIFIED
    assert forward.reached_production_at == at(3)  # the batched deploy, the first that contained it


def test_redelivered_evidence_changes_nothing():
    once = facts(staging=[stg(MERGE, 1)], checks=[chk(MERGE, 2)], production=[prod(MERGE, 3)])
    twice = replace(once, staging=list(once.staging) * 2, checks=list(once.checks) * 2)
    assert run(once) == run(twice)


def test_unknown_is_never_rewritten_into_skipped_by_late_evidence():
    late = facts(production=[prod(MERGE, 3)], first_staging=at(-100))  # staging evidence backfilled later
    assert run(late).status == V.SKIPPED
    assert run(late, previous=V.UNKNOWN).status == V.UNKNOWN


def test_late_evidence_may_still_prove_an_unknown_verified():
    proof = facts(staging=[stg(MERGE, 1)], checks=[chk(MERGE, 2)], production=[prod(MERGE, 3)])
    assert run(proof, previous=V.UNKNOWN).status == V.VERIFIED


def test_skipped_reason_names_the_missing_check_the_commit_and_the_deploy_time():
    verdict = run(facts(staging=[stg(MERGE, 1)], production=[prod(MERGE, 5.0 + 2 / 60)]))
    assert verdict.status == V.SKIPPED
    assert verdict.reason == "no downstream-e2e check on bbbbbbb before production (deployed 12 Nov 14:02)"
    assert verdict.deployed_to_staging
    assert verdict.missing_checks == ("downstream-e2e",)


def test_skipped_reason_when_never_in_staging():
    verdict = run(facts(production=[prod(MERGE, 3)]))
    assert verdict.reason == "bbbbbbb was never deployed to staging before production (deployed 12 Nov 12:00)"
    assert not verdict.deployed_to_staging


def test_verdict_lists_the_evidence_it_rests_on():
    verdict = run(
        facts(
            staging=[replace(stg(MERGE, 1), evidence_id=11)],
            checks=[replace(chk(MERGE, 2), evidence_id=12)],
            production=[replace(prod(MERGE, 3), evidence_id=13)],
        )
    )
    assert verdict.status == V.VERIFIED
    assert sorted(verdict.evidence_ids) == [11, 12, 13]


def test_every_required_check_must_pass():
    given = facts(
        staging=[stg(MERGE, 1)],
        checks=[chk(MERGE, 2, name="downstream-e2e")],
        required=("downstream-e2e", "data-quality"),
        production=[prod(MERGE, 3)],
    )
    verdict = run(given)
    assert verdict.status == V.SKIPPED
    assert verdict.missing_checks == ("data-quality",)
    assert "no data-quality check on bbbbbbb" in verdict.reason
