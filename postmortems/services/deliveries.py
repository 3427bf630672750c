"""What a stored webhook delivery means, and processing it exactly once (SPEC §4).

The intake (`github.webhooks`) only stores and enqueues; a task then calls
`delivery_process`, which claims the row, reads the payload into a typed event
(`github.events`) and applies it through the HANDLERS table. A merged PR is applied by
one function, `merged_pr_apply`, whether a delivery or the backfill found it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, DataError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .. import queue
from ..choices import DeliveryStatus
from ..github.events import (
    BadPayload,
    PullRequestEvent,
    parse_pull_request,
    parse_repository_event,
    parse_repository_ref,
)
from ..github.names import is_sha
from ..github.publisher import PROCESS_TASK
from ..github.rules import HotfixRules, hotfix_reasons
from ..models import HotfixPullRequest, MergedPullRequest, Repository, WebhookDelivery
from .evidence import (
    DRAIN_BATCH,
    check_run_handle,
    deployment_status_handle,
    push_handle,
    staging_verification_drain,
    staging_verification_schedule,
    status_handle,
    workflow_run_handle,
)
from .evidence_staging import verification_deferred
from .installations import installation_handle, installation_repositories_handle
from .issue_events import issues_handle
from .postmortems import postmortem_flag_not_hotfix, postmortem_open_for_hotfix, postmortem_unflag_hotfix
from .records import merged_pr_record
from .repositories import repository_event_apply, repository_resolve
from .staging_status import open_pr_track
from .writeback import debt_status_schedule, writeback_withhold

logger = logging.getLogger(__name__)

# Actions on an open PR after which a repository with overdue postmortems gets the debt status.
DEBT_ACTIONS = frozenset({"opened", "synchronize", "reopened"})
# Actions that say the PR changed after its merge: one that stops matching the rules is flagged.
RECHECK_ACTIONS = frozenset({"unlabeled", "edited"})
DONE_STATUSES = (DeliveryStatus.PROCESSED, DeliveryStatus.IGNORED)
# A delivery still pending after this long was never picked up (broker down, worker lost).
PENDING_GRACE = timedelta(minutes=1)


@dataclass(frozen=True)
class MergedPrOutcome:
    """What applying a merged PR did: whether it is a hotfix now, whether its record was opened now,
    and whether it is a hotfix recorded as history, with no record (see `open_postmortem`)."""

    is_hotfix: bool
    opened: bool
    without_record: bool = False


def merged_pr_apply(
    *,
    repository: Repository,
    event: PullRequestEvent,
    changed: str = "",
    open_postmortem: bool = True,
    write_back: bool = True,
) -> MergedPrOutcome:
    """Record a PR merged into a production branch and keep its postmortem in step with the hotfix rules.

    A PR that matches the rules gets its draft (once) and loses a "no longer a hotfix"
    flag. One that has a record and stops matching keeps it, flagged for a lead, when
    `changed` says how the PR was seen to change since its merge ("after it was
    unlabeled", or the backfill reading it as it is now); a merge or its redelivery
    never flags, as a PR linked to a record by hand need not match the rules. The
    webhook and the backfill both come here. The PR and its record are written together, with no extra
    savepoint inside a delivery's own transaction.

    The backfill passes `open_postmortem=False` for a hotfix too old to be written up now:
    it counts as a hotfix (the report's rate) with no draft, no due date, no reminder.
    `write_back=False` opens a draft whose PR gets no comment and no status, then or later.
    """
    with transaction.atomic(savepoint=False):
        reasons = hotfix_reasons(
            HotfixRules.for_repository(repository),
            labels=event.labels,
            head_branch=event.head_branch,
            title=event.title,
        )
        existing = HotfixPullRequest.objects.filter(
            merged_pr__repository=repository, merged_pr__number=event.number
        ).first()
        is_hotfix = bool(reasons) or existing is not None  # counted as a hotfix until a lead dismisses it
        merged_pr = merged_pr_record_event(repository=repository, event=event, is_hotfix=is_hotfix)
        if reasons and existing is None and not open_postmortem:
            return MergedPrOutcome(is_hotfix=True, opened=False, without_record=True)
        if reasons:
            _, opened = postmortem_open_for_hotfix(merged_pr=merged_pr)
            if opened and not write_back:
                writeback_withhold(merged_pr=merged_pr)  # before the scheduled write-back runs, after commit
            if existing is not None and existing.no_longer_hotfix:
                postmortem_unflag_hotfix(hotfix=existing)
            return MergedPrOutcome(is_hotfix=True, opened=opened)
        if existing is not None and changed:
            postmortem_flag_not_hotfix(
                hotfix=existing, reason=f"PR #{event.number} no longer matches the hotfix rules {changed}."
            )
        return MergedPrOutcome(is_hotfix=False, opened=False)


def merged_pr_record_event(*, repository: Repository, event: PullRequestEvent, is_hotfix: bool) -> MergedPullRequest:
    """Record (or refresh) the merged PR described by `event`."""
    merged_pr, _ = merged_pr_record(
        repository=repository,
        number=event.number,
        title=event.title,
        author_login=event.author_login,
        merged_at=event.merged_at,
        merge_commit_sha=event.merge_commit_sha,
        base_branch=event.base_branch,
        head_branch=event.head_branch,
        labels=list(event.labels),
        is_hotfix=is_hotfix,
        head_repository=event.head_repository if event.from_fork else "",
        html_url=event.html_url,
        head_sha=event.head_sha if is_sha(event.head_sha) else "",
    )
    # Evidence may have come first (a staging deployment of the head commit): verify the PR now.
    shas = [sha for sha in (merged_pr.head_sha, merged_pr.merge_commit_sha) if is_sha(sha)]
    staging_verification_schedule(repository=repository, shas=shas)
    return merged_pr


def repository_for(payload: Any) -> Repository:
    """The repository a delivery is about, through the one resolver (renames, transfers, recreations)."""
    ref = parse_repository_ref(payload)
    if ref is None:
        raise BadPayload("`repository` is missing.")
    return repository_resolve(ref=ref)


def repository_handle(payload: Any) -> str:
    """A `repository` delivery: renamed, transferred, edited or deleted on GitHub."""
    return repository_event_apply(event=parse_repository_event(payload))


def pull_request_handle(payload: Any) -> str:
    """Apply one `pull_request` delivery; returns the delivery's outcome status."""
    event = parse_pull_request(payload)
    repository = repository_for(payload)
    open_pr_track(repository=repository, event=event)
    if not event.merged:
        if event.action in DEBT_ACTIONS and event.head_sha:
            debt_status_schedule(repository=repository, head_sha=event.head_sha, number=event.number)
        # Opened, closed without merge, labelled before merge...: nothing to record yet.
        return DeliveryStatus.IGNORED
    if event.base_branch not in repository.effective_production_branches:
        return DeliveryStatus.IGNORED
    changed = f"after it was {event.action}" if event.action in RECHECK_ACTIONS else ""
    merged_pr_apply(repository=repository, event=event, changed=changed)
    return DeliveryStatus.PROCESSED


# Event name (the X-GitHub-Event header) -> handler; any other event is stored and ignored.
HANDLERS: dict[str, Callable[[Any], str]] = {
    "pull_request": pull_request_handle,
    # Deployment evidence (SPEC §10).
    "deployment_status": deployment_status_handle,
    "check_run": check_run_handle,
    "workflow_run": workflow_run_handle,
    "status": status_handle,
    "push": push_handle,
    "installation": installation_handle,
    "installation_repositories": installation_repositories_handle,
    "repository": repository_handle,
    "issues": issues_handle,  # prevention actions filed as GitHub issues (SPEC §11)
}


def delivery_process(delivery_pk: int, *, manual: bool = False) -> str | None:
    """Process a stored delivery once; returns its status, or None when it is gone.

    The try is counted first, in a commit of its own, so a try that never finishes (a
    database error, a killed worker) still counts, and none is made past
    GITHUB_DELIVERY_MAX_ATTEMPTS. The row is then locked for the whole run, so a second
    worker on the same delivery waits and then sees it done. A `manual` run (the admin
    asked for it) is made even past the limit, and counted. Everything the delivery
    writes is in that one transaction: a bad payload leaves no partial rows, only
    `failed` and a readable error. Database trouble leaves it `pending` (the sweep and
    Celery try again) with the error shown, until its attempts run out.
    """
    counted, status = _count_attempt(delivery_pk, past_limit=manual)
    if not counted:
        return status
    try:
        with transaction.atomic():
            delivery = WebhookDelivery.objects.select_for_update().filter(pk=delivery_pk).first()
            if delivery is None or delivery.status in DONE_STATUSES:
                return delivery.status if delivery else None
            handler = HANDLERS.get(delivery.event)
            status = handler(delivery.payload) if handler else DeliveryStatus.IGNORED
            WebhookDelivery.objects.filter(pk=delivery_pk).update(
                status=status, last_error="", processed_at=timezone.now()
            )
            return status
    except (IntegrityError, DataError) as exc:  # the data itself is refused: trying again would not help
        error = f"Database refused the delivery's data: {exc}"
    except DatabaseError as exc:  # database trouble: stays pending (if tries remain) and Celery retries
        _record_failure(delivery_pk, f"Database error: {type(exc).__name__}: {exc}", transient=True)
        raise
    except BadPayload as exc:
        error = f"Bad payload: {exc}"
    except Exception as exc:  # an unexpected bug must not leave the delivery pending forever
        logger.exception("processing delivery %s failed", delivery_pk)
        error = f"{type(exc).__name__}: {exc}"
    _record_failure(delivery_pk, error, transient=False)
    return DeliveryStatus.FAILED


def deliveries_process(delivery_pks: Sequence[int]) -> int:
    """Process deliveries the webhook published together, each exactly as `delivery_process` does; how many.

    The staging verifications they call for are written down in each delivery's own
    transaction (`verification_deferred`) and recomputed once after the batch, each merged
    PR once for all its new evidence, with no message per delivery. A drain that fails
    leaves its rows to the next batch or the sweep; the deliveries are done either way.
    """
    with verification_deferred():
        for delivery_pk in delivery_pks:
            delivery_process(delivery_pk)
    try:
        staging_verification_drain()
    except DatabaseError:
        logger.warning("recomputing staging verification after a batch failed; the next drain does it", exc_info=True)
    return len(delivery_pks)


def verification_sweep(*, rounds: int = 20) -> int:
    """Recompute what drains after batches left (a worker stopped before its drain); how many rows it took."""
    taken = 0
    for _ in range(rounds):
        drained = staging_verification_drain()
        taken += drained
        if drained < DRAIN_BATCH:
            break
    return taken


def _count_attempt(delivery_pk: int, *, past_limit: bool) -> tuple[bool, str | None]:
    """Count one try (committed at once, one statement): (True, None) means "go on".

    Otherwise there is nothing to try: the delivery is gone (None), done (its status), or
    out of tries, when it is marked `failed` with the reason and never tried again.
    """
    deliveries = WebhookDelivery.objects.filter(pk=delivery_pk).exclude(status__in=DONE_STATUSES)
    if not past_limit:
        deliveries = deliveries.filter(attempts__lt=settings.GITHUB_DELIVERY_MAX_ATTEMPTS)
    counted = deliveries.update(attempts=F("attempts") + 1)
    if counted:
        return True, None
    delivery = WebhookDelivery.objects.defer("payload").filter(pk=delivery_pk).first()
    if delivery is None or delivery.status in DONE_STATUSES:
        return False, delivery.status if delivery else None
    if delivery.status == DeliveryStatus.PENDING:  # its last try never said how it ended
        last = delivery.last_error or "the last one never finished (worker stopped or database lost)"
        _record_failure(delivery_pk, f"Gave up after {delivery.attempts} attempts; {last}", transient=False)
    return False, DeliveryStatus.FAILED


def _record_failure(delivery_pk: int, error: str, *, transient: bool) -> None:
    """Show why the last try failed; `failed` unless the error is transient and tries remain.

    Its own transaction, after the try's rollback. When the database is still away this
    cannot be written either: the attempt was counted before the try, so nothing is lost.
    """
    try:
        with transaction.atomic():
            delivery = WebhookDelivery.objects.select_for_update().defer("payload").filter(pk=delivery_pk).first()
            if delivery is None or delivery.status in DONE_STATUSES:
                return
            if not transient or delivery.attempts >= settings.GITHUB_DELIVERY_MAX_ATTEMPTS:
                delivery.status = DeliveryStatus.FAILED
            delivery.last_error = error[:2000]
            delivery.processed_at = timezone.now()
            delivery.save(update_fields=["status", "last_error", "processed_at"])
    except DatabaseError:
        logger.warning("could not record the failure of delivery %s: %s", delivery_pk, error, exc_info=True)


def deliveries_requeue(*, now: datetime | None = None, batch: int = 500) -> int:
    """Re-queue deliveries left `pending` for over a minute (broker was down, worker died,
    database trouble) and `failed` ones with attempts to spare. Returns how many were queued.

    Pending ones are queued whatever their attempts: processing counts each try and marks
    one that has used them all `failed`, so none is re-queued for ever.
    """
    now = now or timezone.now()
    stale = WebhookDelivery.objects.filter(
        status=DeliveryStatus.PENDING, received_at__lt=now - PENDING_GRACE
    ).values_list("pk", flat=True)
    retry = WebhookDelivery.objects.filter(
        status=DeliveryStatus.FAILED, attempts__lt=settings.GITHUB_DELIVERY_MAX_ATTEMPTS
    ).values_list("pk", flat=True)
    pks = list(stale.order_by("received_at")[:batch]) + list(retry.order_by("received_at")[:batch])
    for pk in pks:
        # Now, not after commit: these rows were committed long ago; a refused one waits for the next sweep.
        queue.publish(PROCESS_TASK, pk)
    return len(pks)


def delivery_reprocess(*, delivery: WebhookDelivery) -> None:
    """Run a delivery again (the admin's action): back to `pending`, then queued after commit.

    The run is made even for a delivery that used all its tries (a person asked for it),
    and counted; if it fails too, the sweep gives it up again.
    """
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.PENDING, last_error="")
    queue.enqueue(PROCESS_TASK, delivery.pk, True)
