"""When evidence must be looked at again: recomputing verification after commit, re-staging stored deployments.

Kept apart from `evidence` (which records facts and registers repositories) so that the
repository settings service can re-stage deployments without an import cycle.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from .. import queue
from ..models import Evidence, Repository, VerificationDue
from ..stages import stage_for

RECOMPUTE_TASK = "postmortems.recompute_staging_verification"
# Commits per recompute message: bounded so one huge push never makes one huge task.
SCHEDULE_BATCH = 500

# Set while a worker processes a batch of deliveries that it drains afterwards (`verification_deferred`).
_deferred: ContextVar[bool] = ContextVar("staging_verification_deferred", default=False)


@contextmanager
def verification_deferred() -> Iterator[None]:
    """Within this block recomputes are written down (`VerificationDue`), in the caller's transaction,
    instead of sent to the broker; whoever opens it drains them after (`staging_verification_drain`).

    A batch of deliveries then recomputes each merged PR once for all the evidence it brought,
    with no message per delivery, and a worker killed between a delivery's commit and the
    drain loses nothing: the rows stay for the next drain or the sweep.
    """
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)


def staging_verification_schedule(*, repository: Repository, shas: Iterable[str]) -> None:
    """Recompute, after commit, the verification of the merged PRs these commits concern (none: nothing)."""
    unique = sorted(set(shas))
    if unique and _deferred.get():
        VerificationDue.objects.bulk_create([VerificationDue(repository=repository, sha=sha) for sha in unique])
        return
    for start in range(0, len(unique), SCHEDULE_BATCH):
        queue.enqueue(RECOMPUTE_TASK, repository.pk, unique[start : start + SCHEDULE_BATCH])


def evidence_restage(*, repository: Repository) -> int:
    """Give stored deployments the stage the repository's (changed) mapping says; how many rows changed.

    A staging-branch push stays staging whatever the mapping says. The commits whose
    stage changed are recomputed.
    """
    rows = (
        Evidence.objects.filter(repository=repository).exclude(environment="").exclude(source_key__startswith="push:")
    )
    changed = 0
    for environment in rows.values_list("environment", flat=True).distinct().order_by():
        stage = stage_for(environment, repository.environment_stages)
        moved = rows.filter(environment=environment).exclude(stage=stage)
        staging_verification_schedule(repository=repository, shas=moved.values_list("sha", flat=True).distinct())
        changed += moved.update(stage=stage)
    return changed
