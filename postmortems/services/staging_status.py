"""The `staging-verified` commit status on open PRs into production branches (SPEC §10).

`success` once the PR's head commit is verified in staging, `pending` before. With
branch protection requiring the context, nothing unverified reaches production. It is
written when a PR is opened, pushed to or reopened, and again when new staging evidence
about a head commit (or about what a staging deployment of it deployed) arrives; the
task retries like the `postmortem` status (`writeback.retry_delay`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .. import queue
from ..choices import EvidenceKind, EvidenceStatus, Stage, StagingVerification
from ..github.client import GitHubClient, GitHubPermanentError, GitHubTransientError
from ..github.events import PullRequestEvent
from ..models import Evidence, OpenPullRequest, Repository
from ..verification import Check, Facts, Verdict, verify_open
from .verification import PUSH_KEY_PREFIX, deployment_from_row
from .writeback import WritebackOutcome, writeback_enabled

logger = logging.getLogger(__name__)

STAGING_CONTEXT = "staging-verified"
STAGING_STATUS_TASK = "postmortems.github_staging_status"
TRACKED_ACTIONS = frozenset({"opened", "synchronize", "reopened", "edited"})
STATUS_ACTIONS = frozenset({"opened", "synchronize", "reopened"})
OPEN_PR_WINDOW = timedelta(days=30)


def staging_status_wanted(repository: Repository) -> bool:
    return repository.staging_status and writeback_enabled(repository)


def open_pr_track(*, repository: Repository, event: PullRequestEvent) -> None:
    """Keep the open PRs into production branches of a repository that writes the status; write it when due."""
    if not staging_status_wanted(repository) or not event.head_sha:
        return
    into_production = event.base_branch in repository.effective_production_branches
    if event.action == "closed" or not into_production:
        OpenPullRequest.objects.filter(repository=repository, number=event.number).delete()
        return
    if event.action not in TRACKED_ACTIONS:
        return
    OpenPullRequest.objects.update_or_create(
        repository=repository,
        number=event.number,
        defaults={"head_sha": event.head_sha, "base_branch": event.base_branch},
    )
    if event.action in STATUS_ACTIONS:
        queue.enqueue(STAGING_STATUS_TASK, repository.pk, event.head_sha, event.number)


def staging_status_for_evidence(*, repository_pk: int, shas: Sequence[str]) -> int:
    """New evidence about `shas`: rewrite the status of the open PRs it may concern (how many)."""
    repository = Repository.objects.filter(pk=repository_pk).first()
    if repository is None or not staging_status_wanted(repository) or not shas:
        return 0
    # A check on a staging-branch push's `after` concerns the heads that push brought; open PRs'
    # staging deployments are recent, which bounds the search to the index on (repository, stage, time).
    pushed = Q()
    for sha in sorted(set(shas)):
        pushed |= Q(source_key__startswith=f"{PUSH_KEY_PREFIX}{sha}:")
    brought = Evidence.objects.filter(
        pushed,
        repository_id=repository_pk,
        stage=Stage.STAGING,
        occurred_at__gte=timezone.now() - OPEN_PR_WINDOW,
        kind=EvidenceKind.DEPLOYMENT,
    ).values_list("sha", flat=True)
    heads = set(shas) | set(brought)
    prs = OpenPullRequest.objects.filter(repository_id=repository_pk, head_sha__in=heads)
    count = 0
    for number, head_sha in prs.values_list("number", "head_sha"):
        queue.enqueue(STAGING_STATUS_TASK, repository_pk, head_sha, number)
        count += 1
    return count


def open_pr_facts(repository: Repository, head_sha: str) -> Facts:
    """The staging deployments that brought `head_sha` and the required checks on what they deployed."""
    # A deployment's row names what it deployed; a staging-branch push's rows each commit it brought.
    rows = Evidence.objects.filter(
        repository=repository,
        kind=EvidenceKind.DEPLOYMENT,
        stage=Stage.STAGING,
        status=EvidenceStatus.SUCCESS,
        sha=head_sha,
    )
    staging = [deployment_from_row(row) for row in rows.order_by("occurred_at", "pk")[:200]]
    required = [str(name) for name in repository.staging_checks or []]
    deployed = {d.sha for d in staging}
    checks = Evidence.objects.filter(
        repository=repository, kind=EvidenceKind.CHECK, sha__in=deployed, name__in=required
    )
    return Facts(
        production=[],
        staging=staging,
        checks=[Check(r.sha, r.name, r.status, r.occurred_at, r.url, r.pk) for r in checks] if required else [],
        required_checks=required,
        first_staging_evidence_at=None,
        reports_production=False,
    )


def open_pr_verdict(repository: Repository, head_sha: str) -> Verdict:
    return verify_open(head_sha, open_pr_facts(repository, head_sha), now=timezone.now())


def staging_status_send(*, repository_pk: int, head_sha: str, number: int) -> WritebackOutcome:
    """Write `staging-verified` on an open PR's head commit: success once verified in staging, pending before."""
    repository = Repository.objects.filter(pk=repository_pk).first()
    if repository is None or not staging_status_wanted(repository):
        return WritebackOutcome()
    verdict = open_pr_verdict(repository, head_sha)
    if verdict.status == StagingVerification.VERIFIED:
        state, description = "success", f"Verified in staging ({verdict.staging.occurred_at:%d %b %H:%M})"
    else:
        state, description = "pending", verdict.reason or "Not verified in staging yet"
    try:
        GitHubClient().create_status(
            repository.full_name,
            head_sha,
            state=state,
            context=STAGING_CONTEXT,
            target_url=f"{settings.SITE_URL}/",
            description=description,
        )
    except GitHubTransientError as exc:
        return WritebackOutcome(retry_after=exc.retry_after or 0.0)
    except GitHubPermanentError as exc:
        logger.warning("staging-verified status on %s#%s refused: %s", repository.full_name, number, exc)
    return WritebackOutcome()
