"""Deployment evidence (SPEC §10): storing each fact once, and knowing which merged PRs it is about.

Facts come from the webhook (`deployment_status`, `check_run`, `workflow_run`, `status`,
`push` to a staging branch), from the evidence API and from the backfill; all are
stored by `evidence_record`, which inserts only what is new (`ON CONFLICT DO NOTHING`
on `(source_key, status)`), so a redelivery, or the same fact sent by a repository, an
organisation and an App hook, adds nothing. Whatever is new schedules, after commit,
a recompute of the merged PRs it concerns.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from django.db import connections, models, router, transaction
from django.db.models import Q

from ..choices import DeliveryStatus, EvidenceKind, EvidenceSource, EvidenceStatus, Stage
from ..github.evidence_events import (
    EvidenceEvent,
    EvidenceFact,
    PushEvent,
    parse_check_run,
    parse_deployment_status,
    parse_push,
    parse_status,
    parse_workflow_run,
)
from ..models import BranchCommit, Evidence, MergedPullRequest, Repository, VerificationDue
from ..stages import stage_for
from .checklist_evidence import checklist_evidence_refresh
from .evidence_staging import staging_verification_schedule
from .records import repository_register
from .staging_status import staging_status_for_evidence
from .verification import first_deployments, merged_pr_verify

INSERT_BATCH = 500
M = TypeVar("M", bound=models.Model)
# Commits written down for a recompute that one drain takes at most.
DRAIN_BATCH = 500


def _insert_new(objs: Sequence[M], conflict: tuple[str, ...]) -> list[M]:
    """`INSERT … ON CONFLICT (conflict) DO NOTHING`: those of `objs` that were new, now with their ids.

    One statement per batch, and no look-up first: the unique constraint decides what is
    a duplicate, also between two workers inserting the same fact at the same moment.
    The new rows' ids come back with their `conflict` values, which say which objects
    they are, so nothing is read back.
    """
    if not objs:
        return []
    meta = objs[0]._meta
    connection = connections[router.db_for_write(type(objs[0]))]
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    keys = [meta.get_field(name) for name in conflict]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    on = ", ".join(quote(field.column) for field in keys)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    created: list[M] = []
    for start in range(0, len(objs), INSERT_BATCH):
        batch = objs[start : start + INSERT_BATCH]
        params = [field.get_db_prep_save(field.pre_save(obj, True), connection) for obj in batch for field in fields]
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {', '.join([row] * len(batch))} "  # noqa: S608 - our names
            f"ON CONFLICT ({on}) DO NOTHING RETURNING {quote(meta.pk.column)}, {on}"
        )
        by_key = {tuple(getattr(obj, field.attname) for field in keys): obj for obj in reversed(batch)}
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for pk, *key in cursor.fetchall():
                obj = by_key[tuple(key)]
                obj.pk, obj._state.adding, obj._state.db = pk, False, connection.alias
                created.append(obj)
    return sorted(created, key=lambda obj: obj.pk)


def _row(repository: Repository, fact: EvidenceFact, source: str, stage: str | None) -> Evidence:
    if stage is None:
        stage = stage_for(fact.environment, repository.environment_stages) if fact.environment else ""
    return Evidence(
        repository=repository,
        kind=fact.kind,
        sha=fact.sha,
        environment=fact.environment,
        stage=stage,
        name=fact.name,
        status=fact.status,
        url=fact.url,
        occurred_at=fact.occurred_at,
        source=source,
        source_key=fact.source_key,
    )


def evidence_record(
    *, repository: Repository, facts: Iterable[EvidenceFact], source: str, stage: str | None = None
) -> list[Evidence]:
    """Store the facts that are new; returns them (a redelivery returns nothing).

    Each fact's stage comes from the repository's mapping of its environment, unless
    `stage` says it for all (a staging branch is staging whatever it is called). New
    facts schedule a recompute of the merged PRs they concern.
    """
    rows = [_row(repository, fact, source, stage) for fact in facts]
    created = _insert_new(rows, ("source_key", "status"))
    staging_verification_schedule(repository=repository, shas=[row.sha for row in created])
    return created


def evidence_record_one(*, repository: Repository, fact: EvidenceFact, source: str) -> tuple[Evidence, bool]:
    """Store one fact; the stored row and whether it is new (the API's 201 or 200)."""
    created = evidence_record(repository=repository, facts=[fact], source=source)
    if created:
        return created[0], True
    return Evidence.objects.get(source_key=fact.source_key, status=fact.status), False


# --- webhook handlers (registered in services.deliveries.HANDLERS) ---------------------


def evidence_event_apply(event: EvidenceEvent | None) -> str:
    """Store a parsed evidence delivery; `ignored` when it says nothing new (inactive, not completed)."""
    if event is None or not event.facts:
        return DeliveryStatus.IGNORED
    repository = repository_register(
        full_name=event.repository_full_name, default_branch=event.default_branch, github_id=event.repository_id
    )
    evidence_record(repository=repository, facts=event.facts, source=EvidenceSource.GITHUB)
    return DeliveryStatus.PROCESSED


def push_facts(event: PushEvent) -> list[EvidenceFact]:
    """A push to a staging branch as evidence: a successful staging deployment of every commit it brought."""
    return [
        EvidenceFact(
            kind=EvidenceKind.DEPLOYMENT,
            sha=sha,
            status=EvidenceStatus.SUCCESS,
            occurred_at=event.pushed_at,
            source_key=f"push:{event.after}:{sha}",
            environment=event.branch,
            url=event.compare_url,
        )
        for sha in event.brought
    ]


def branch_commits_record(*, repository: Repository, event: PushEvent) -> list[str]:
    """Remember the order in which a production branch received its commits; the shas seen for the first time."""
    rows = [
        BranchCommit(repository=repository, branch=event.branch, sha=sha, pushed_at=event.pushed_at, position=index)
        for index, sha in enumerate(event.brought)
    ]
    return [commit.sha for commit in _insert_new(rows, ("repository", "sha", "branch"))]


def push_apply(event: PushEvent | None) -> str:
    """A push: staging evidence when the branch is a staging branch, commit order when it is a production branch."""
    if event is None or not event.brought:
        return DeliveryStatus.IGNORED
    repository = repository_register(
        full_name=event.repository_full_name, default_branch=event.default_branch, github_id=event.repository_id
    )
    staging = event.branch in repository.staging_branches
    production = event.branch in repository.effective_production_branches
    if not (staging or production):
        return DeliveryStatus.IGNORED
    if staging:
        evidence_record(
            repository=repository, facts=push_facts(event), source=EvidenceSource.GITHUB, stage=Stage.STAGING
        )
    if production:
        # A production deployment that arrived before this push now contains more merged PRs.
        staging_verification_schedule(
            repository=repository, shas=branch_commits_record(repository=repository, event=event)
        )
    return DeliveryStatus.PROCESSED


def deployment_status_handle(payload: Any) -> str:
    return evidence_event_apply(parse_deployment_status(payload))


def check_run_handle(payload: Any) -> str:
    return evidence_event_apply(parse_check_run(payload))


def workflow_run_handle(payload: Any) -> str:
    return evidence_event_apply(parse_workflow_run(payload))


def status_handle(payload: Any) -> str:
    return evidence_event_apply(parse_status(payload))


def push_handle(payload: Any) -> str:
    return push_apply(parse_push(payload))


# --- which merged PRs new evidence concerns ---------------------------------------------


def _production_deployed(repository_pk: int) -> models.QuerySet:
    return Evidence.objects.filter(
        repository_id=repository_pk,
        kind=EvidenceKind.DEPLOYMENT,
        stage=Stage.PRODUCTION,
        status=EvidenceStatus.SUCCESS,
    ).values("sha")


def _at_or_before(commit: BranchCommit) -> Q:
    return Q(pushed_at__lt=commit.pushed_at) | Q(pushed_at=commit.pushed_at, position__lte=commit.position)


def batched_commits(*, repository_pk: int, shas: Iterable[str]) -> set[str]:
    """The production-branch commits that a production deployment of one of `shas` brought along.

    A production deployment of a commit of a production branch contains every earlier
    commit of that branch (SPEC §10, batched deploys); those since the previous
    production-deployed commit of the branch are the ones it newly brings. Known only for
    branches whose pushes we received (`BranchCommit`).
    """
    deployed = BranchCommit.objects.filter(repository_id=repository_pk, sha__in=list(shas)).filter(
        sha__in=_production_deployed(repository_pk)
    )
    brought: set[str] = set()
    for commit in deployed:
        branch = BranchCommit.objects.filter(repository_id=repository_pk, branch=commit.branch)
        earlier = branch.filter(_at_or_before(commit))
        previous = (
            earlier.exclude(pk=commit.pk)
            .filter(sha__in=_production_deployed(repository_pk))
            .order_by("-pushed_at", "-position")
            .first()
        )
        if previous is not None:
            earlier = earlier.exclude(_at_or_before(previous))
        brought.update(earlier.values_list("sha", flat=True))
    return brought


def merged_prs_for_commits(*, repository_pk: int, shas: Sequence[str]) -> list[MergedPullRequest]:
    """The merged PRs that evidence about `shas` concerns: those whose head or merge commit is among them,
    and those a production deployment of one of them brought along. Oldest merge first.

    Their rows are locked (in id order, so two recomputes never deadlock) until the caller's
    transaction ends: a recompute that started after new evidence was committed waits for
    one still running on older evidence, and so its answer is the one that stays.
    """
    commits = set(shas) | batched_commits(repository_pk=repository_pk, shas=shas)
    locked = list(
        MergedPullRequest.objects.filter(repository_id=repository_pk)
        .select_related("repository")
        .select_for_update(of=("self",))
        .filter(Q(head_sha__in=commits) | Q(merge_commit_sha__in=commits))
        .order_by("pk")
    )
    return sorted(locked, key=lambda pr: (pr.merged_at, pr.pk))


def staging_verification_recompute(*, repository_pk: int, shas: Sequence[str]) -> list[int]:
    """Recompute `staging_verification` of the merged PRs that new evidence about `shas` concerns.

    Returns their ids, oldest merge first. Only these PRs can have changed, so nothing
    is rescanned. One transaction (the caller's, when there is one), which holds their
    rows (see `merged_prs_for_commits`).
    """
    with transaction.atomic(savepoint=False):
        affected = merged_prs_for_commits(repository_pk=repository_pk, shas=[str(sha) for sha in shas])
        # Read once for all of them: the same repository, the same transaction.
        firsts = first_deployments(repository_pk) if affected else None
        for merged_pr in affected:  # SPEC §10's rule, one PR at a time, here and nowhere else
            merged_pr_verify(merged_pr=merged_pr, firsts=firsts)
        # Open PRs whose head these commits are (or were brought with) get their `staging-verified` status again.
        staging_status_for_evidence(repository_pk=repository_pk, shas=[str(sha) for sha in shas])
        # Drafts whose introducing PR this evidence concerns: their evidence steps answer again.
        checklist_evidence_refresh(merged_pr_ids=[pr.pk for pr in affected])
    return [pr.pk for pr in affected]


def staging_verification_drain(*, limit: int = DRAIN_BATCH) -> int:
    """Recompute for the commits that deliveries wrote down (`VerificationDue`); how many rows it took.

    One transaction: it takes at most `limit` rows that no other drain holds (SKIP LOCKED),
    recomputes each repository's commits together, so each merged PR once however much
    evidence about it arrived, and deletes the rows with the answers written; an error
    leaves them for the next drain or the sweep. Bounded, so a worker goes back to its
    deliveries.
    """
    with transaction.atomic():
        rows = list(
            VerificationDue.objects.select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", "repository_id", "sha")[:limit]
        )
        by_repository: dict[int, set[str]] = defaultdict(set)
        for _, repository_pk, sha in rows:
            by_repository[repository_pk].add(sha)
        for repository_pk, shas in sorted(by_repository.items()):
            staging_verification_recompute(repository_pk=repository_pk, shas=sorted(shas))
        VerificationDue.objects.filter(pk__in=[row[0] for row in rows]).delete()
    return len(rows)


# --- the evidence API ---------------------------------------------------------------


def evidence_submit(
    *,
    repository: Repository,
    external_id: str,
    kind: str,
    sha: str,
    status: str,
    occurred_at: datetime,
    name: str = "",
    environment: str = "",
    url: str = "",
) -> tuple[Evidence, bool]:
    """A fact posted by a pipeline outside GitHub; the stored row and whether it is new.

    Keyed by the caller's `external_id` within the repository: the same id and status
    again is the same fact (the stored row comes back), a new status is a new fact.
    """
    fact = EvidenceFact(
        kind=kind,
        sha=sha,
        status=status,
        occurred_at=occurred_at,
        source_key=f"api:{repository.pk}:{external_id}",
        environment=environment,
        name=name,
        url=url,
    )
    return evidence_record_one(repository=repository, fact=fact, source=EvidenceSource.API)
