"""Staging verification of merged PRs (SPEC §10): load the evidence one PR needs, apply the rule, store it.

The rule itself is pure (`postmortems.verification`); this module only gathers its
facts from the evidence rows and the production branch's commit order, and writes
the answer on the merged PR. It is called for the PRs that new evidence concerns
(`evidence.staging_verification_recompute`), never as a rescan of everything.

How "this deployment contains the PR" is known: the deployed commit is the PR's merge
(or head) commit, or a later commit of the same production branch in the order the
`push` events gave (`BranchCommit`). Where no push of the branch was ever received, a
successful production deployment after the merge is taken to contain it — the common
case of deploying the branch's latest commit — which the README states as a limit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from ..choices import EvidenceKind, EvidenceStatus, Stage, StagingVerification
from ..models import BranchCommit, Evidence, MergedPullRequest, Repository, User
from ..verification import Check, Deployment, Facts, PullRequestShas, Verdict, verify
from ..workflow import check_staging_override

# A production deployment long after the merge still counts, but the search is bounded.
MAX_PRODUCTION_CANDIDATES = 200
PUSH_KEY_PREFIX = "push:"


def _shas(merged_pr: MergedPullRequest) -> PullRequestShas:
    return PullRequestShas(
        head_sha=merged_pr.head_sha or "", merge_sha=merged_pr.merge_commit_sha or "", merged_at=merged_pr.merged_at
    )


def deployment_from_row(row: Evidence) -> Deployment:
    """A staging-branch push row stands for the commit it brought; what it deployed is the push's `after`."""
    if row.source_key.startswith(PUSH_KEY_PREFIX):
        after = row.source_key.split(":")[1]
        return Deployment(
            sha=after,
            occurred_at=row.occurred_at,
            status=row.status,
            brought=frozenset({row.sha}),
            url=row.url,
            evidence_id=row.pk,
        )
    return Deployment(sha=row.sha, occurred_at=row.occurred_at, status=row.status, url=row.url, evidence_id=row.pk)


def _deployments(merged_pr: MergedPullRequest, stage: str, extra: Q) -> list[Deployment]:
    rows = Evidence.objects.filter(
        extra, repository_id=merged_pr.repository_id, kind=EvidenceKind.DEPLOYMENT, stage=stage
    ).order_by("occurred_at", "pk")
    return [deployment_from_row(row) for row in rows[:MAX_PRODUCTION_CANDIDATES]]


def _checks(merged_pr: MergedPullRequest, shas: set[str], names: list[str]) -> list[Check]:
    if not shas or not names:
        return []
    rows = Evidence.objects.filter(
        repository_id=merged_pr.repository_id, kind=EvidenceKind.CHECK, sha__in=shas, name__in=names
    )
    return [
        Check(sha=r.sha, name=r.name, status=r.status, occurred_at=r.occurred_at, url=r.url, evidence_id=r.pk)
        for r in rows
    ]


FirstDeployments = dict[str, datetime | None]


def first_deployments(repository_id: int) -> FirstDeployments:
    """When the repository first reported a deployment to staging and to production, in one query.

    Each is the first row of the (repository, stage, occurred_at) index: a repository's
    whole history of deployments is never read (an aggregate over it took ~300 ms at
    40,000 deployments a repository).
    """

    def first(stage: str) -> Subquery:
        rows = Evidence.objects.filter(repository_id=OuterRef("pk"), stage=stage, kind=EvidenceKind.DEPLOYMENT)
        return Subquery(rows.order_by("occurred_at").values("occurred_at")[:1])

    found = (
        Repository.objects.filter(pk=repository_id)
        .values(staging=first(Stage.STAGING), production=first(Stage.PRODUCTION))
        .first()
    )
    return found or {"staging": None, "production": None}


def staging_facts(merged_pr: MergedPullRequest, *, firsts: FirstDeployments | None = None) -> Facts:
    """Everything the rule needs about one merged PR, in a fixed number of queries.

    `firsts` is the repository's `first_deployments` when the caller already read it (a
    recompute of several PRs of one repository asks once, not once per PR).
    """
    pr = _shas(merged_pr)
    repository = merged_pr.repository
    production = _deployments(
        merged_pr, Stage.PRODUCTION, Q(status=EvidenceStatus.SUCCESS, occurred_at__gte=pr.merged_at)
    )
    staging = _deployments(merged_pr, Stage.STAGING, Q(status=EvidenceStatus.SUCCESS, sha__in=pr.commits))
    required = [str(name) for name in repository.staging_checks or []]
    deployed = {d.sha for d in staging}
    firsts = firsts if firsts is not None else first_deployments(merged_pr.repository_id)
    return Facts(
        production=production,
        staging=staging,
        checks=_checks(merged_pr, deployed, required),
        required_checks=required,
        first_staging_evidence_at=firsts["staging"],
        reports_production=firsts["production"] is not None,
    )


def contains_for(merged_pr: MergedPullRequest, candidates: list[Deployment]) -> Callable[[str], bool]:
    """Whether a deployed commit contains the PR: a later commit of the branch its merge commit is on."""
    if not merged_pr.merge_commit_sha:
        return lambda sha: False
    repository_id = merged_pr.repository_id
    merge = BranchCommit.objects.filter(repository_id=repository_id, sha=merged_pr.merge_commit_sha).first()
    if merge is None:
        # No push of this commit was received: the order is unknown, the deployment after the merge counts.
        return lambda sha: True
    later = set(
        BranchCommit.objects.filter(
            repository_id=repository_id, branch=merge.branch, sha__in=[d.sha for d in candidates]
        )
        .filter(Q(pushed_at__gt=merge.pushed_at) | Q(pushed_at=merge.pushed_at, position__gt=merge.position))
        .values_list("sha", flat=True)
    )
    return later.__contains__


def verdict_for(
    merged_pr: MergedPullRequest, *, previous: str | None = None, firsts: FirstDeployments | None = None
) -> Verdict:
    """The SPEC §10 answer for one merged PR, from the evidence stored now."""
    facts = staging_facts(merged_pr, firsts=firsts)
    return verify(_shas(merged_pr), facts, contains=contains_for(merged_pr, list(facts.production)), previous=previous)


def merged_pr_verify(*, merged_pr: MergedPullRequest, firsts: FirstDeployments | None = None) -> Verdict:
    """Recompute and store a merged PR's staging verification; an `unknown` answer is never made `skipped` later."""
    final = merged_pr.staging_verification if merged_pr.staging_verification != StagingVerification.PENDING else None
    verdict = verdict_for(merged_pr, previous=final, firsts=firsts)
    MergedPullRequest.objects.filter(pk=merged_pr.pk).update(
        staging_verification=verdict.status,
        staging_reason=verdict.reason[:500],
        reached_production_at=verdict.reached_production_at,
        staging_evidence_ids=list(verdict.evidence_ids),
    )
    merged_pr.staging_verification = verdict.status
    merged_pr.staging_reason = verdict.reason[:500]
    merged_pr.reached_production_at = verdict.reached_production_at
    merged_pr.staging_evidence_ids = list(verdict.evidence_ids)
    return verdict


def merged_pr_staging_override(*, merged_pr: MergedPullRequest, actor: User, status: str, reason: str) -> None:
    """A lead's answer over a computed `skipped`, with why (SPEC §10).

    The computed answer stays as it is (recomputations keep updating it); reports use
    the override while there is one. Raises NotAllowed or WorkflowError.
    """
    check_staging_override(actor, merged_pr, status, reason)
    merged_pr.staging_override = status
    merged_pr.staging_override_reason = reason.strip()
    merged_pr.staging_override_by = actor
    merged_pr.staging_override_at = timezone.now()
    merged_pr.save(
        update_fields=["staging_override", "staging_override_reason", "staging_override_by", "staging_override_at"]
    )
