"""Celery tasks: thin wrappers that take ids, re-fetch, and call a service."""

from celery import shared_task

from . import services


@shared_task(name="postmortems.send_overdue_reminders")
def send_overdue_reminders() -> int:
    """Daily (working days): remind owners of overdue drafts by email."""
    return services.overdue_reminders_send()


@shared_task(name="postmortems.store_monthly_report_snapshot")
def store_monthly_report_snapshot() -> int:
    """The 1st of each month: store last month's report and mail the leads (both at most once)."""
    from .services.report_snapshots import monthly_snapshot_run

    return monthly_snapshot_run().pk
