"""The GitHub App's installations: which repositories it covers, and whether it can act (SPEC §13).

`installation` and `installation_repositories` deliveries register the repositories an
installation gains and mark the ones it loses inactive (their records stay). A
suspended or deleted installation is recorded, with its token forgotten, so its
repositories show why nothing is written back and GitHub is not asked again until the
installation is back.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from ..choices import DeliveryStatus, InstallationState
from ..github.app_tokens import forget_installation_token
from ..github.events import InstallationEvent, RepositoryRef, parse_installation
from ..models import GitHubInstallation, Repository
from .repositories import repository_resolve

# installation action -> (state, message shown on its repositories)
STATE_FOR_ACTION: dict[str, tuple[str, str]] = {
    "created": (InstallationState.ACTIVE, ""),
    "unsuspend": (InstallationState.ACTIVE, ""),
    "suspend": (InstallationState.SUSPENDED, "The GitHub App was suspended on this account."),
    "deleted": (InstallationState.REVOKED, "The GitHub App was uninstalled from this account."),
}


def installation_set_state(*, installation_id: int, state: str, message: str) -> GitHubInstallation:
    """Record what GitHub says of an installation; anything but active forgets its token."""
    installation, _ = GitHubInstallation.objects.get_or_create(installation_id=installation_id)
    if installation.state != state or installation.state_message != message:
        installation.state, installation.state_message = state, message[:2000]
        installation.state_changed_at = timezone.now()
        installation.save(update_fields=["state", "state_message", "state_changed_at"])
    if state != InstallationState.ACTIVE:
        forget_installation_token(installation_id)
    return installation


def installation_apply(*, event: InstallationEvent) -> str:
    """Apply an `installation` or `installation_repositories` delivery."""
    installation, _ = GitHubInstallation.objects.get_or_create(installation_id=event.installation_id)
    if event.account_login and installation.account_login != event.account_login:
        GitHubInstallation.objects.filter(pk=installation.pk).update(account_login=event.account_login[:100])
    if event.action in STATE_FOR_ACTION:
        state, message = STATE_FOR_ACTION[event.action]
        installation_set_state(installation_id=event.installation_id, state=state, message=message)
    for item in event.added:
        ref = RepositoryRef(
            github_id=item.github_id,
            full_name=item.full_name,
            default_branch="",
            updated_at=None,
            installation_id=event.installation_id,
        )
        repository = repository_resolve(ref=ref)
        if not repository.active:
            Repository.objects.filter(pk=repository.pk).update(active=True)
    removed = [item.github_id for item in event.removed]
    if removed:
        Repository.objects.filter(github_id__in=removed).update(active=False)
    if event.action == "deleted":
        Repository.objects.filter(installation_id=event.installation_id).update(active=False)
    return DeliveryStatus.PROCESSED


def installation_handle(payload: Any) -> str:
    """An `installation` delivery: created, deleted, suspend, unsuspend (others only refresh the account)."""
    return installation_apply(event=parse_installation(payload, event="installation"))


def installation_repositories_handle(payload: Any) -> str:
    """An `installation_repositories` delivery: repositories added to or removed from the installation."""
    return installation_apply(event=parse_installation(payload, event="installation_repositories"))
