"""What a stored delivery means, and processing it exactly once (SPEC §4)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import DatabaseError, DataError, IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .. import services
from ..choices import DeliveryStatus
from ..models import HotfixPullRequest, MergedPullRequest, Repository, WebhookDelivery
from .names import is_full_name, sha_or_blank
from .rules import HotfixRules, hotfix_reasons

logger = logging.getLogger(__name__)

# Actions on an open PR after which a repository with overdue postmortems gets the debt status.
DEBT_ACTIONS = frozenset({"opened", "synchronize", "reopened"})
DONE_STATUSES = (DeliveryStatus.PROCESSED, DeliveryStatus.IGNORED)


class BadPayload(ValueError):
    """The delivery is not what GitHub sends for its event; kept readable for the admin."""


@dataclass(frozen=True)
class PullRequestEvent:
    """The fields of a `pull_request` delivery that we act on."""

    action: str
    repository_full_name: str
    repository_id: int | None
    default_branch: str
    number: int
    title: str
    author_login: str
    merged: bool
    merged_at: datetime | None
    merge_commit_sha: str
    base_branch: str
    head_branch: str
    head_sha: str
    head_repository: str
    labels: tuple[str, ...]
    html_url: str

    @property
    def from_fork(self) -> bool:
        return bool(self.head_repository) and self.head_repository != self.repository_full_name


def _get(data: Any, path: str, kind: type | tuple[type, ...], *, required: bool = True) -> Any:
    value = data
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            if required:
                raise BadPayload(f"`{path}` is missing.")
            return None
        value = value[key]
    if value is None and not required:
        return None
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise BadPayload(f"`{path}` has the wrong type ({type(value).__name__}).")
    return storable(value) if isinstance(value, str) else value


def storable(text: str) -> str:
    """`text` as PostgreSQL can store it: JSON may carry U+0000, text columns cannot.

    (Lone surrogates, the other thing text columns refuse, never get this far: the intake refuses them.)
    """
    return text.replace("\x00", "")


def parse_pull_request(payload: Any) -> PullRequestEvent:
    """Read a `pull_request` payload, or raise BadPayload saying what is wrong."""
    if not isinstance(payload, dict):
        raise BadPayload("The payload is not a JSON object.")
    merged = _get(payload, "pull_request.merged", bool, required=False) or False
    merged_at_raw = _get(payload, "pull_request.merged_at", str, required=False)
    merged_at = parse_datetime(merged_at_raw) if merged_at_raw else None
    if merged_at_raw and merged_at is None:
        raise BadPayload("`pull_request.merged_at` is not a date and time.")
    if merged and merged_at is None:
        raise BadPayload("`pull_request.merged_at` is missing on a merged pull request.")
    labels = _get(payload, "pull_request.labels", list, required=False) or []
    head_repo = _get(payload, "pull_request.head.repo", dict, required=False) or {}
    user = _get(payload, "pull_request.user", dict, required=False) or {}
    full_name = _get(payload, "repository.full_name", str)
    if not is_full_name(full_name):  # it goes into GitHub API paths later
        raise BadPayload("`repository.full_name` is not a GitHub `owner/name`.")
    return PullRequestEvent(
        action=_get(payload, "action", str),
        repository_full_name=full_name,
        repository_id=_get(payload, "repository.id", int, required=False),
        default_branch=_get(payload, "repository.default_branch", str, required=False) or "main",
        number=_get(payload, "pull_request.number", int),
        title=_get(payload, "pull_request.title", str, required=False) or "",
        author_login=storable(str(user.get("login") or "")),
        merged=merged,
        merged_at=merged_at,
        # Anything but a full sha is dropped: it would be put in an API path.
        merge_commit_sha=sha_or_blank(_get(payload, "pull_request.merge_commit_sha", str, required=False) or ""),
        base_branch=_get(payload, "pull_request.base.ref", str),
        head_branch=_get(payload, "pull_request.head.ref", str, required=False) or "",
        head_sha=sha_or_blank(_get(payload, "pull_request.head.sha", str, required=False) or ""),
        head_repository=storable(str(head_repo.get("full_name") or "")),
        labels=tuple(storable(str(label.get("name", ""))) for label in labels if isinstance(label, dict)),
        html_url=_get(payload, "pull_request.html_url", str, required=False) or "",
    )


def handle_pull_request(payload: Any) -> str:
    """Apply one `pull_request` delivery; returns the delivery's outcome status."""
    event = parse_pull_request(payload)
    repository = services.repository_register(
        full_name=event.repository_full_name, default_branch=event.default_branch, github_id=event.repository_id
    )
    if not event.merged:
        if event.action in DEBT_ACTIONS and event.head_sha:
            services.debt_status_schedule(repository=repository, head_sha=event.head_sha, number=event.number)
        # Opened, closed without merge, labelled before merge...: nothing to record yet.
        return DeliveryStatus.IGNORED
    if event.base_branch not in repository.effective_production_branches:
        return DeliveryStatus.IGNORED
    _apply_merged(repository, event)
    return DeliveryStatus.PROCESSED


def _apply_merged(repository: Repository, event: PullRequestEvent) -> None:
    reasons = hotfix_reasons(
        HotfixRules.for_repository(repository), labels=event.labels, head_branch=event.head_branch, title=event.title
    )
    existing = HotfixPullRequest.objects.filter(
        merged_pr__repository=repository, merged_pr__number=event.number
    ).first()
    merged_pr = record_merged_pr(repository, event, is_hotfix=bool(reasons) or existing is not None)
    if reasons:
        services.postmortem_open_for_hotfix(merged_pr=merged_pr)
        if existing is not None and existing.no_longer_hotfix:
            services.postmortem_unflag_hotfix(hotfix=existing)
    elif existing is not None and event.action in ("unlabeled", "edited"):
        services.postmortem_flag_not_hotfix(
            hotfix=existing,
            reason=f"PR #{event.number} no longer matches the hotfix rules after it was {event.action}.",
        )


def record_merged_pr(repository: Repository, event: PullRequestEvent, *, is_hotfix: bool) -> MergedPullRequest:
    """Record (or refresh) the merged PR described by `event`."""
    merged_pr, _ = services.merged_pr_record(
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
    )
    return merged_pr


HANDLERS = {"pull_request": handle_pull_request}


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


def payload_action(payload: Any) -> str:
    """The delivery's `action`, as the column can store it (shown in the admin and the API)."""
    action = payload.get("action") if isinstance(payload, dict) else None
    if not isinstance(action, str):
        return ""
    return storable(action)[:100]


def backfill_pull_request(repository: Repository, pr) -> tuple[bool, bool]:
    """Record one merged PR found by the backfill (a `client.PullRequestInfo`) and open a
    postmortem if it is a hotfix without one. Returns (is_hotfix, opened_now); re-running is a no-op."""
    event = PullRequestEvent(
        action="closed",
        repository_full_name=repository.full_name,
        repository_id=repository.github_id,
        default_branch=repository.default_branch,
        number=pr.number,
        title=pr.title,
        author_login=pr.author_login,
        merged=True,
        merged_at=pr.merged_at,
        merge_commit_sha=pr.merge_commit_sha,
        base_branch=pr.base_branch,
        head_branch=pr.head_branch,
        head_sha="",
        head_repository=pr.head_repository,
        labels=tuple(pr.labels),
        html_url=pr.html_url,
    )
    with transaction.atomic():
        reasons = hotfix_reasons(
            HotfixRules.for_repository(repository),
            labels=event.labels,
            head_branch=event.head_branch,
            title=event.title,
        )
        existing = HotfixPullRequest.objects.filter(merged_pr__repository=repository, merged_pr__number=pr.number)
        merged_pr = record_merged_pr(repository, event, is_hotfix=bool(reasons) or existing.exists())
        if not reasons:
            return False, False
        _, opened = services.postmortem_open_for_hotfix(merged_pr=merged_pr)
        return True, opened
