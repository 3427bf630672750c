"""Evidence tokens as a DRF authentication class: a pipeline posts evidence as its repository, never as a person."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from .. import services
from ..models import EVIDENCE_TOKEN_PREFIX, EvidenceToken


class Pipeline:
    """Who is calling when an evidence token authenticates: the token's pipeline, not a user.

    It answers what DRF and the throttles ask of `request.user` (signed in; a key of
    its own per token) and nothing more: it is no lead, no staff, and owns no records.
    """

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    is_lead = False

    def __init__(self, token: EvidenceToken) -> None:
        self.token = token
        self.pk = f"evidence-token-{token.pk}"  # throttled per token, apart from people

    def __str__(self) -> str:
        return f"pipeline “{self.token.name}” of {self.token.repository.full_name}"


class EvidenceTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer pmev_…` (or `Token pmev_…`): a repository's evidence token.

    Other credentials are left to the next class (a personal `Token`, the session); a
    token that looks like an evidence token but is unknown or revoked is refused (401).
    """

    keywords = (b"bearer", b"token")

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if len(parts) != 2 or parts[0].lower() not in self.keywords:
            return None
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            return None
        if not key.startswith(EVIDENCE_TOKEN_PREFIX):
            return None
        token = services.evidence_token_authenticate(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Unknown or revoked evidence token.")
        return Pipeline(token), token

    def authenticate_header(self, request) -> str:
        return "Token"


class EvidenceTokenScheme(OpenApiAuthenticationExtension):
    """The evidence token in the OpenAPI schema, as a bearer token."""

    target_class = EvidenceTokenAuthentication
    name = "evidenceToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A repository's evidence token (`pmev_…`), created by a lead in the repository's settings.",
        }
