"""Was a merged PR verified in staging before it reached production? The rule of SPEC §10, pure.

The rule reads facts, never the database: the service that calls it (services/evidence)
loads the repository's evidence rows around the PR and says, through `contains`, which
deployed commits contain the PR. Keeping it pure lets the tests state every case as a
table, and keeps the order of reasoning in one place:

1. The PR *reaches production* at its first successful production deployment of a
   commit that contains it (its merge commit, or a later commit of the production
   branch: a batched deploy counts for every PR merged before it), or at its merge
   when the repository reports no production deployments at all.
2. It is *verified* when, before that moment, a successful staging deployment brought
   its head or merge commit and every required staging check succeeded on the commit
   that deployment deployed, after the deployment and before production.
3. Otherwise it is *skipped* when the repository had reported staging evidence before
   that moment, and *unknown* when it had not (left out of the rates). An earlier
   `unknown` is never turned into `skipped` by evidence that arrives later.
4. Before it reaches production it is *pending*.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from .choices import StagingVerification

SUCCESS = "success"


@dataclass(frozen=True)
class Deployment:
    """A deployment fact: `brought` the commits it put in the environment, `sha` the one it deployed.

    A GitHub deployment brings and deploys one sha; a push to a staging branch brings
    every commit of the push and deploys its `after`.
    """

    sha: str
    occurred_at: datetime
    status: str = SUCCESS
    brought: frozenset[str] = frozenset()
    url: str = ""
    evidence_id: int | None = None

    @property
    def commits(self) -> frozenset[str]:
        return self.brought | {self.sha}


@dataclass(frozen=True)
class Check:
    """A check, workflow run or commit status on one commit."""

    sha: str
    name: str
    status: str
    occurred_at: datetime
    url: str = ""
    evidence_id: int | None = None


@dataclass(frozen=True)
class PullRequestShas:
    head_sha: str
    merge_sha: str
    merged_at: datetime

    @property
    def commits(self) -> frozenset[str]:
        return frozenset(sha for sha in (self.head_sha, self.merge_sha) if sha)


@dataclass(frozen=True)
class Facts:
    """What the repository reported, as the rule needs it."""

    production: Sequence[Deployment]
    staging: Sequence[Deployment]
    checks: Sequence[Check]
    required_checks: Collection[str]
    # When the repository first reported any staging evidence (None: never).
    first_staging_evidence_at: datetime | None
    # Whether the repository reports production deployments at all.
    reports_production: bool


@dataclass(frozen=True)
class Verdict:
    """The answer for one PR, with what it rests on and, when not verified, why in words."""

    status: str
    reached_production_at: datetime | None = None
    production: Deployment | None = None
    staging: Deployment | None = None
    checks: tuple[Check, ...] = ()
    missing_checks: tuple[str, ...] = ()
    reason: str = ""
    deployed_to_staging: bool = False
    evidence_ids: tuple[int, ...] = field(default=())


def reached_production(
    pr: PullRequestShas, facts: Facts, contains: Callable[[str], bool]
) -> tuple[datetime | None, Deployment | None]:
    """When (and by which deployment) the PR reached production; (None, None) while it has not."""
    if not facts.reports_production:
        return pr.merged_at, None
    candidates = sorted(
        (d for d in facts.production if d.status == SUCCESS and d.occurred_at >= pr.merged_at),
        key=lambda d: d.occurred_at,
    )
    for deployment in candidates:
        if deployment.sha in pr.commits or contains(deployment.sha):
            return deployment.occurred_at, deployment
    return None, None


def _checks_after(
    deployment: Deployment, checks: Iterable[Check], required: Collection[str], before: datetime
) -> tuple[list[Check], list[str]]:
    """The passing required checks on what `deployment` deployed, between it and `before`; and the missing names."""
    passed: dict[str, Check] = {}
    for check in sorted(checks, key=lambda c: c.occurred_at):
        if (
            check.sha == deployment.sha
            and check.name in required
            and check.status == SUCCESS
            and deployment.occurred_at <= check.occurred_at < before
        ):
            passed.setdefault(check.name, check)
    missing = sorted(name for name in required if name not in passed)
    return [passed[name] for name in sorted(passed)], missing


def _staging_candidates(pr: PullRequestShas, facts: Facts, before: datetime) -> list[Deployment]:
    return sorted(
        (d for d in facts.staging if d.status == SUCCESS and d.occurred_at < before and d.commits & pr.commits),
        key=lambda d: d.occurred_at,
        reverse=True,  # the latest staging deployment is the one that tested what shipped
    )


def short(sha: str) -> str:
    return sha[:7]


def _when(moment: datetime) -> str:
    return f"{moment:%d %b %H:%M}"


def verify(
    pr: PullRequestShas,
    facts: Facts,
    *,
    contains: Callable[[str], bool],
    previous: str | None = None,
) -> Verdict:
    """The staging verification of one merged PR (SPEC §10); `previous` is the answer stored before."""
    reached_at, production = reached_production(pr, facts, contains)
    if reached_at is None:
        return Verdict(StagingVerification.PENDING)
    required = sorted(set(facts.required_checks))
    best: tuple[Deployment, list[Check], list[str]] | None = None
    for deployment in _staging_candidates(pr, facts, reached_at):
        passed, missing = _checks_after(deployment, facts.checks, required, reached_at)
        if not missing:
            return _verdict(StagingVerification.VERIFIED, reached_at, production, deployment, passed, [], "")
        if best is None or len(missing) < len(best[2]):
            best = (deployment, passed, missing)
    had_staging = facts.first_staging_evidence_at is not None and facts.first_staging_evidence_at < reached_at
    if not had_staging or previous == StagingVerification.UNKNOWN:
        return Verdict(StagingVerification.UNKNOWN, reached_production_at=reached_at, production=production)
    deployed_at = f"deployed {_when(reached_at)}"
    if best is None:
        sha = short(pr.merge_sha or pr.head_sha)
        reason = f"{sha} was never deployed to staging before production ({deployed_at})"
        return _verdict(StagingVerification.SKIPPED, reached_at, production, None, [], [], reason)
    staging, passed, missing = best
    names = ", ".join(missing)
    noun = "check" if len(missing) == 1 else "checks"
    reason = f"no {names} {noun} on {short(staging.sha)} before production ({deployed_at})"
    return _verdict(StagingVerification.SKIPPED, reached_at, production, staging, passed, missing, reason)


def _verdict(
    status: str,
    reached_at: datetime,
    production: Deployment | None,
    staging: Deployment | None,
    passed: Sequence[Check],
    missing: Sequence[str],
    reason: str,
) -> Verdict:
    used = [production, staging, *passed]
    return Verdict(
        status=status,
        reached_production_at=reached_at,
        production=production,
        staging=staging,
        checks=tuple(passed),
        missing_checks=tuple(missing),
        reason=reason,
        deployed_to_staging=staging is not None,
        evidence_ids=tuple(f.evidence_id for f in used if f is not None and f.evidence_id is not None),
    )


def verify_open(head_sha: str, facts: Facts, *, now: datetime) -> Verdict:
    """An open PR's head commit (SPEC §10 `staging-verified`): verified once a successful staging deployment
    brought it and every required check succeeded after it on what it deployed; pending before.

    Nothing has reached production yet, so the same building blocks run with `now` as the bound.
    """
    pr = PullRequestShas(head_sha=head_sha, merge_sha="", merged_at=now)
    required = sorted(set(facts.required_checks))
    missing_best: list[str] | None = None
    for deployment in _staging_candidates(pr, facts, now):
        passed, missing = _checks_after(deployment, facts.checks, required, now)
        if not missing:
            return _verdict(StagingVerification.VERIFIED, now, None, deployment, passed, [], "")
        if missing_best is None or len(missing) < len(missing_best):
            missing_best = missing
    if missing_best is None:
        return Verdict(StagingVerification.PENDING, reason=f"{short(head_sha)} not deployed to staging yet")
    return Verdict(
        StagingVerification.PENDING,
        missing_checks=tuple(missing_best),
        reason=f"waiting for {', '.join(missing_best)} in staging",
        deployed_to_staging=True,
    )
