"""Scheduling Celery tasks by name: the one door from below the edges to `tasks.py`.

Services and the GitHub intake name the task they want ("postmortems.github_writeback")
instead of importing it, so nothing below the edges imports `tasks.py` and the import
graph points one way. With a broker the task is published by name; in-process (no
REDIS_URL: `make run`, most tests) Celery's `send_task` would ignore
`task_always_eager`, so the task is looked up in the app's registry and run here.
"""

from __future__ import annotations

import logging

from celery import Task, current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def in_process() -> bool:
    """True when tasks run eagerly in this process instead of on a worker."""
    return bool(current_app.conf.task_always_eager)


def registered(task_name: str) -> Task:
    """The task called `task_name`; KeyError when no task has that name."""
    if task_name not in current_app.tasks:
        # A web process never imports the task modules itself; the loader imports them
        # (autodiscovery, CELERY_IMPORTS) the way a worker does when it starts.
        current_app.loader.import_default_modules()
    return current_app.tasks[task_name]


def publish(task_name: str, *args: object) -> bool:
    """Hand the task to Celery now; False (logged) when the broker cannot take it.

    Callers keep their work in the database (a `pending` delivery, a write-back state),
    so a message the broker never got is picked up again by the sweep or the next run:
    a broker outage must not fail the request or the service that asked.
    """
    if in_process():
        registered(task_name).apply_async(args=args)
        return True
    try:
        current_app.send_task(task_name, args=args)
    except Exception:  # any broker trouble (refused, timeout, DNS): the work stays stored
        logger.warning("could not enqueue %s%r; it stays pending", task_name, args, exc_info=True)
        return False
    return True


def enqueue(task_name: str, *args: object) -> None:
    """Publish the task once the current transaction commits (at once outside one).

    After commit, so the worker reads the rows the caller wrote; robust, so a failing
    publish never undoes or breaks the caller's committed work.
    """
    transaction.on_commit(lambda: publish(task_name, *args), robust=True)
