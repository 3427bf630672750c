"""Celery tasks: thin wrappers that take ids, re-fetch, and call a service.

Code below the edges schedules these by name through `queue.py`; the names here are
that contract, so renaming a task means renaming its callers' constant too.
"""

from celery import shared_task
from django.db import OperationalError

from . import services
from .services.evidence import staging_verification_recompute
from .services.report_snapshots import monthly_snapshot_run
from .services.retention import webhook_payloads_prune
from .services.staging_status import staging_status_send
from .services.writeback import retry_delay


@shared_task(name="postmortems.send_overdue_reminders")
def send_overdue_reminders() -> int:
    """Daily (working days): remind owners of overdue drafts by email."""
    return services.overdue_reminders_send()


@shared_task(name="postmortems.store_monthly_report_snapshot")
def store_monthly_report_snapshot() -> int:
    """The 1st of each month: store last month's report and mail the leads (both at most once)."""
    return monthly_snapshot_run().pk


# --- GitHub --------------------------------------------------------------------------
# Deliveries are claimed under a row lock and done ones are skipped, so a message seen
# twice (late acks, the sweep, a redelivery) is harmless.

GITHUB_WRITEBACK_MAX_RETRIES = 6


@shared_task(
    name="postmortems.process_github_delivery",
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    retry_jitter=True,
    max_retries=3,
)
def process_github_delivery(delivery_pk: int) -> str | None:
    """Apply one stored webhook delivery (a no-op when it is already processed)."""
    return services.delivery_process(delivery_pk)


@shared_task(name="postmortems.prune_webhook_payloads")
def prune_webhook_payloads() -> int:
    """Daily: drop webhook payloads older than the retention period (metadata kept)."""
    return webhook_payloads_prune()


@shared_task(name="postmortems.sweep_github_deliveries")
def sweep_github_deliveries() -> int:
    """Every minute: re-queue deliveries stuck in `pending`, retry `failed` ones a few times."""
    return services.deliveries_requeue()


@shared_task(bind=True, name="postmortems.github_writeback", max_retries=GITHUB_WRITEBACK_MAX_RETRIES)
def github_writeback(self, hotfix_pk: int) -> None:
    """Comment on a hotfix PR (once) and set its `postmortem` commit status."""
    final = self.request.retries >= self.max_retries
    outcome = services.hotfix_writeback(hotfix_pk=hotfix_pk, final_attempt=final)
    if outcome.retry_after is not None and not final:
        raise self.retry(countdown=retry_delay(self.request.retries, outcome.retry_after))


@shared_task(bind=True, name="postmortems.github_debt_status", max_retries=GITHUB_WRITEBACK_MAX_RETRIES)
def github_debt_status(self, repository_pk: int, head_sha: str, number: int) -> None:
    """Set the `postmortem-debt` status on a new PR of a repository that asks for it."""
    outcome = services.debt_status_send(repository_pk=repository_pk, head_sha=head_sha, number=number)
    if outcome.retry_after is not None and self.request.retries < self.max_retries:
        raise self.retry(countdown=retry_delay(self.request.retries, outcome.retry_after))


@shared_task(bind=True, name="postmortems.github_reminder_comment", max_retries=GITHUB_WRITEBACK_MAX_RETRIES)
def github_reminder_comment(self, hotfix_pk: int) -> None:
    """Remind on the hotfix PR that its postmortem is overdue (once per PR)."""
    outcome = services.hotfix_reminder_comment(hotfix_pk=hotfix_pk)
    if outcome.retry_after is not None and self.request.retries < self.max_retries:
        raise self.retry(countdown=retry_delay(self.request.retries, outcome.retry_after))


@shared_task(bind=True, name="postmortems.github_staging_status", max_retries=GITHUB_WRITEBACK_MAX_RETRIES)
def github_staging_status(self, repository_pk: int, head_sha: str, number: int) -> None:
    """Set the `staging-verified` status on an open PR's head commit (SPEC §10)."""
    outcome = staging_status_send(repository_pk=repository_pk, head_sha=head_sha, number=number)
    if outcome.retry_after is not None and self.request.retries < self.max_retries:
        raise self.retry(countdown=retry_delay(self.request.retries, outcome.retry_after))


@shared_task(
    name="postmortems.process_github_deliveries",
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    retry_jitter=True,
    max_retries=3,
)
def process_github_deliveries(delivery_pks: list[int]) -> int:
    """Apply several stored deliveries (published together by the webhook under load)."""
    for delivery_pk in delivery_pks:
        services.delivery_process(delivery_pk)
    return len(delivery_pks)


# --- deployment evidence ---------------------------------------------------------------


@shared_task(
    name="postmortems.recompute_staging_verification",
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    retry_jitter=True,
    max_retries=3,
)
def recompute_staging_verification(repository_pk: int, shas: list[str]) -> list[int]:
    """New evidence about these commits arrived: recompute the merged PRs it concerns (ids returned).

    Safe to run twice: it recomputes from the stored evidence, whatever ran before.
    """
    return staging_verification_recompute(repository_pk=repository_pk, shas=shas)
