"""Small helpers every service module shares."""

from ..workflow import NotAllowed


def saved_by(instance, actor) -> None:
    """Attribute the next history row of `instance` to `actor` (outside a request too)."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        instance._history_user = actor


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)
