"""Small helpers every service module shares."""

from collections.abc import Callable

from django.db import transaction

from ..workflow import NotAllowed


def saved_by(instance, actor) -> None:
    """Attribute the next history row of `instance` to `actor` (outside a request too)."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        instance._history_user = actor


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)


def after_commit(effect: Callable[[], None]) -> None:
    """Run an outside effect (a task, a mail) only once the data it reads is committed."""
    transaction.on_commit(effect, robust=True)
