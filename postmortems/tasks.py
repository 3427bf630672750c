"""Celery tasks: thin wrappers that take ids, re-fetch, and call a service."""

from celery import shared_task

from . import services


@shared_task(name="postmortems.send_overdue_reminders")
def send_overdue_reminders() -> int:
    """Daily (working days): remind owners of overdue drafts by email."""
    return services.overdue_reminders_send()
