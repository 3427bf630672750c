"""What a stored webhook delivery means, and processing it exactly once (SPEC §4).

The intake (`github.webhooks`) only stores and enqueues; a task then calls
`delivery_process`, which claims the row, reads the payload into a typed event
(`github.events`) and applies it through the HANDLERS table. A merged PR is applied by
one function, `merged_pr_apply`, whether a delivery or the backfill found it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, DataError, IntegrityError, transaction
from django.utils import timezone

from .. import queue
from ..choices import DeliveryStatus
from ..github.events import BadPayload, PullRequestEvent, parse_pull_request
from ..github.names import is_sha
from ..github.publisher import PROCESS_TASK
from ..github.rules import HotfixRules, hotfix_reasons
from ..models import HotfixPullRequest, MergedPullRequest, Repository, WebhookDelivery
from .evidence import (
    check_run_handle,
    deployment_status_handle,
    push_handle,
    staging_verification_schedule,
    status_handle,
    workflow_run_handle,
)
from .postmortems import postmortem_flag_not_hotfix, postmortem_open_for_hotfix, postmortem_unflag_hotfix
from .records import merged_pr_record, repository_register
from .staging_status import open_pr_track
from .writeback import debt_status_schedule

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
    """What applying a merged PR did: whether it is a hotfix now, and whether its record was opened now."""

    is_hotfix: bool
    opened: bool


def merged_pr_apply(*, repository: Repository, event: PullRequestEvent, changed: str = "") -> MergedPrOutcome:
    """Record a PR merged into a production branch and keep its postmortem in step with the hotfix rules.

    A PR that matches the rules gets its draft (once) and loses a "no longer a hotfix"
    flag. One that has a record and stops matching keeps it, flagged for a lead, when
    `changed` says how the PR was seen to change since its merge ("after it was
    unlabeled", or the backfill reading it as it is now); a merge or its redelivery
    never flags, as a PR linked to a record by hand need not match the rules. The
    webhook and the backfill both come here. The PR and its record are written together, with no extra
    savepoint inside a delivery's own transaction.
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
        if reasons:
            _, opened = postmortem_open_for_hotfix(merged_pr=merged_pr)
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


def pull_request_handle(payload: Any) -> str:
    """Apply one `pull_request` delivery; returns the delivery's outcome status."""
    event = parse_pull_request(payload)
    repository = repository_register(
        full_name=event.repository_full_name, default_branch=event.default_branch, github_id=event.repository_id
    )
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
}


def delivery_process(delivery_pk: int) -> str | None:
    """Process a stored delivery once; returns its status, or None when it is gone.

    The row is locked for the whole run, so a second worker on the same delivery waits
    and then sees it done. Everything the delivery writes is in the same transaction:
    a bad payload leaves no partial rows, only `failed` and a readable error.
    """
    try:
        with transaction.atomic():
            delivery = WebhookDelivery.objects.select_for_update().filter(pk=delivery_pk).first()
            if delivery is None or delivery.status in DONE_STATUSES:
                return delivery.status if delivery else None
            handler = HANDLERS.get(delivery.event)
            status = handler(delivery.payload) if handler else DeliveryStatus.IGNORED
            WebhookDelivery.objects.filter(pk=delivery_pk).update(
                status=status, attempts=delivery.attempts + 1, last_error="", processed_at=timezone.now()
            )
            return status
    except (IntegrityError, DataError) as exc:  # the data itself is refused: trying again would not help
        error = f"Database refused the delivery's data: {exc}"
    except DatabaseError:
        raise  # database trouble: stay pending, the sweep (or Celery) tries again
    except BadPayload as exc:
        error = f"Bad payload: {exc}"
    except Exception as exc:  # an unexpected bug must not leave the delivery pending forever
        logger.exception("processing delivery %s failed", delivery_pk)
        error = f"{type(exc).__name__}: {exc}"
    _record_failure(delivery_pk, error)
    return DeliveryStatus.FAILED


def _record_failure(delivery_pk: int, error: str) -> None:
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().defer("payload").filter(pk=delivery_pk).first()
        if delivery is None or delivery.status in DONE_STATUSES:
            return
        delivery.status = DeliveryStatus.FAILED
        delivery.attempts += 1
        delivery.last_error = error[:2000]
        delivery.processed_at = timezone.now()
        delivery.save(update_fields=["status", "attempts", "last_error", "processed_at"])


def deliveries_requeue(*, now: datetime | None = None, batch: int = 500) -> int:
    """Re-queue deliveries left `pending` for over a minute (broker was down, worker died)
    and `failed` ones with attempts to spare. Returns how many were queued."""
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
    """Run a delivery again (the admin's action): back to `pending`, then queued after commit."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.PENDING, last_error="")
    queue.enqueue(PROCESS_TASK, delivery.pk)
