"""Evidence tokens (SPEC §10): leads create, name and revoke them per repository; pipelines post with them.

Only a token's hash is stored; the token itself is returned once, by `evidence_token_create`.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.utils import timezone

from ..models import EVIDENCE_TOKEN_PREFIX, EvidenceToken, Repository, User, evidence_token_hash
from ..workflow import WorkflowError, can_manage_settings
from ._common import require

# last_used_at is for people ("is this token still used?"): a write per minute at most, not per request.
TOUCH_INTERVAL = timedelta(minutes=1)


def evidence_token_create(*, repository: Repository, actor: User, name: str) -> tuple[EvidenceToken, str]:
    """A new evidence token for `repository`; returns the row and the token, which is never shown again."""
    require(can_manage_settings(actor), "Only leads create evidence tokens.")
    name = (name or "").strip()
    if not name or len(name) > 100 or not name.isprintable():
        raise WorkflowError({"name": ["Name the token (what uses it) in at most 100 characters."]})
    key = EVIDENCE_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = EvidenceToken.objects.create(
        repository=repository, name=name, key_hash=evidence_token_hash(key), created_by=actor
    )
    return token, key


def evidence_token_revoke(*, token: EvidenceToken, actor: User) -> EvidenceToken:
    """Revoke the token at once; revoking it again changes nothing."""
    require(can_manage_settings(actor), "Only leads revoke evidence tokens.")
    EvidenceToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token


def evidence_token_authenticate(key: str) -> EvidenceToken | None:
    """The active token whose hash matches `key` (its repository loaded), or None; notes when it was used."""
    token = (
        EvidenceToken.objects.select_related("repository")
        .filter(key_hash=evidence_token_hash(key), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at < now - TOUCH_INTERVAL:
        EvidenceToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
