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
    """Daily (working days): remind about overdue drafts by email; refresh the debt where records fell due."""
    sent = services.overdue_reminders_send()
    services.newly_overdue_debt_refresh()
    return sent


@shared_task(name="postmortems.store_monthly_report_snapshot")
def store_monthly_report_snapshot() -> int:
    """The 1st of each month: store last month's report and mail the leads (both at most once)."""
    snapshot = monthly_snapshot_run()
    services.slack_monthly_summary_queue(snapshot=snapshot)  # and Slack, once per month and channel
    return snapshot.pk


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
def process_github_delivery(delivery_pk: int, manual: bool = False) -> str | None:
    """Apply one stored webhook delivery (a no-op when it is already processed); `manual`: an admin's re-run."""
    return services.delivery_process(delivery_pk, manual=manual)


@shared_task(name="postmortems.prune_webhook_payloads")
def prune_webhook_payloads() -> int:
    """Daily: drop webhook payloads older than the retention period (metadata kept)."""
    return webhook_payloads_prune()


@shared_task(name="postmortems.sweep_github_deliveries")
def sweep_github_deliveries() -> int:
    """Every minute: re-queue deliveries stuck in `pending`, retry `failed` ones a few times, and recompute
    the staging verification a stopped worker left written down."""
    queued = services.deliveries_requeue()
    services.verification_sweep()
    return queued


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


@shared_task(bind=True, name="postmortems.github_debt_refresh", max_retries=GITHUB_WRITEBACK_MAX_RETRIES)
def github_debt_refresh(self, repository_pk: int) -> None:
    """Set `postmortem-debt` again on every open PR of a repository whose debt changed."""
    outcome = services.debt_statuses_refresh(repository_pk=repository_pk)
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
    """Apply several stored deliveries (published together by the webhook), then recompute what they call for."""
    return services.deliveries_process(delivery_pks)


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


# --- Follow-through: action issues (SPEC §11) ---------------------------------------
# Each run re-reads the issue row under a lock; filing looks for the issue's marker
# first, so a task run twice (late acks, the sweep) never files a second issue.


@shared_task(bind=True, name="postmortems.action_issue_sync", max_retries=GITHUB_WRITEBACK_MAX_RETRIES)
def action_issue_sync(self, issue_pk: int) -> None:
    """File a prevention action's GitHub issue (once) and keep its state and assignee in step."""
    final = self.request.retries >= self.max_retries
    outcome = services.action_issue_sync(issue_pk=issue_pk, final_attempt=final)
    if outcome.retry_after is not None and not final:
        raise self.retry(countdown=retry_delay(self.request.retries, outcome.retry_after))


@shared_task(bind=True, name="postmortems.action_issue_evidence", max_retries=GITHUB_WRITEBACK_MAX_RETRIES)
def action_issue_evidence(self, issue_pk: int) -> None:
    """After an issue was closed as completed: find the pull request that closed it in its timeline."""
    final = self.request.retries >= self.max_retries
    outcome = services.action_issue_evidence(issue_pk=issue_pk, final_attempt=final)
    if outcome.retry_after is not None and not final:
        raise self.retry(countdown=retry_delay(self.request.retries, outcome.retry_after))


@shared_task(name="postmortems.sweep_follow_through")
def sweep_follow_through() -> int:
    """Every ten minutes: queue again the action issues and Slack messages whose task never ran."""
    return services.action_issues_requeue() + services.slack_messages_requeue()


# --- Follow-through: Slack and action reminders (SPEC §11) -------------------------

SLACK_MAX_RETRIES = 5  # the row's own bound (SLACK_MAX_ATTEMPTS) stops it first when lower


@shared_task(bind=True, name="postmortems.slack_send", max_retries=SLACK_MAX_RETRIES)
def slack_send(self, message_pk: int) -> None:
    """Post one claimed Slack message; 429 and 5xx are retried no sooner than Slack's Retry-After."""
    final = self.request.retries >= self.max_retries
    outcome = services.slack_message_send(message_pk=message_pk, final_attempt=final)
    if outcome.retry_after is not None and not final:
        raise self.retry(countdown=retry_delay(self.request.retries, outcome.retry_after))


@shared_task(name="postmortems.slack_weekly_digest")
def slack_weekly_digest() -> int:
    """Monday 09:00 (TIME_ZONE): each team's digest, once per week."""
    return services.slack_weekly_digest_send()


@shared_task(name="postmortems.send_action_reminders")
def send_action_reminders() -> int:
    """Working days: remind owners of late actions and expired mitigations, at most once a week each."""
    return services.action_reminders_send()
