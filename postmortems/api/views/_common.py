"""What the viewset modules share: refusing with a reason, and why a record cannot be edited."""

from __future__ import annotations

from rest_framework.exceptions import PermissionDenied

from ...models import Postmortem


def _deny_unless(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _edit_message(postmortem: Postmortem) -> str:
    if postmortem.status != "draft":
        return f"This postmortem is {postmortem.get_status_display().lower()}; only a draft can be edited."
    return "Only the owner or a lead can edit a draft postmortem."
