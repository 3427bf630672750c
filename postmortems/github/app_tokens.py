"""Installation tokens of the GitHub App, shared by every process, and what we know of each installation.

A token is asked for once per installation and reused by every web and worker process
until `REFRESH_MARGIN` before it expires: from the Django cache when it is Redis (shared),
else from the installation's row in the database. An installation that GitHub refused
(suspended, uninstalled) is recorded on its row and not asked again for `RECHECK_AFTER`,
so a write-back never loops on it; an `installation` event clears it at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from ..choices import InstallationState
from ..models import GitHubInstallation, Repository

REFRESH_MARGIN = timedelta(minutes=5)
RECHECK_AFTER = timedelta(hours=1)
_CACHE_KEY = "github-installation-token:{}"


@dataclass(frozen=True)
class InstallationToken:
    token: str
    expires_at: datetime

    def fresh(self, now: datetime | None = None) -> bool:
        """Still worth using: more than REFRESH_MARGIN left."""
        return self.expires_at - REFRESH_MARGIN > (now or timezone.now())


def _shared_cache() -> bool:
    # Per-process memory (no REDIS_URL) would make every worker ask GitHub for its own token.
    return bool(settings.REDIS_URL)


def cached_token(installation_id: int) -> InstallationToken | None:
    """The stored token of an installation while it is fresh, else None."""
    if _shared_cache():
        found = cache.get(_CACHE_KEY.format(installation_id))
        token = InstallationToken(*found) if isinstance(found, tuple | list) and len(found) == 2 else None
    else:
        row = GitHubInstallation.objects.filter(installation_id=installation_id).values("token", "token_expires_at")
        values = row.first()
        token = (
            InstallationToken(values["token"], values["token_expires_at"])
            if values and values["token"] and values["token_expires_at"]
            else None
        )
    return token if token is not None and token.fresh() else None


def store_token(installation_id: int, token: InstallationToken) -> None:
    if _shared_cache():
        timeout = (token.expires_at - REFRESH_MARGIN - timezone.now()).total_seconds()
        if timeout > 0:
            cache.set(_CACHE_KEY.format(installation_id), (token.token, token.expires_at), timeout=int(timeout))
        return
    GitHubInstallation.objects.update_or_create(
        installation_id=installation_id, defaults={"token": token.token, "token_expires_at": token.expires_at}
    )


def forget_installation_token(installation_id: int) -> None:
    """Drop a stored token (the installation was suspended or removed)."""
    cache.delete(_CACHE_KEY.format(installation_id))
    GitHubInstallation.objects.filter(installation_id=installation_id).update(token="", token_expires_at=None)


def installation_refusal(installation_id: int, *, now: datetime | None = None) -> GitHubInstallation | None:
    """The installation's row when GitHub refused it recently (so we do not ask again yet), else None."""
    row = GitHubInstallation.objects.filter(installation_id=installation_id).first()
    if row is None or row.state == InstallationState.ACTIVE:
        return None
    changed = row.state_changed_at
    if changed is not None and (now or timezone.now()) - changed >= RECHECK_AFTER:
        return None  # worth one more try: the App may be back, or its key fixed
    return row


def record_installation_state(installation_id: int, *, state: str, message: str) -> None:
    """What the token request taught us: the installation works again, or GitHub refused it (and why)."""
    row, _ = GitHubInstallation.objects.get_or_create(installation_id=installation_id)
    if row.state == state and state == InstallationState.ACTIVE:
        return
    GitHubInstallation.objects.filter(pk=row.pk).update(
        state=state, state_message=message[:2000], state_changed_at=timezone.now()
    )
    if state != InstallationState.ACTIVE:
        forget_installation_token(installation_id)


def link_repository_installation(repository_pk: int, installation_id: int) -> None:
    """Remember which installation acts for a repository (looked up when no delivery said so)."""
    GitHubInstallation.objects.get_or_create(installation_id=installation_id)
    Repository.objects.filter(pk=repository_pk).update(installation_id=installation_id)
