"""Rate limits: the API's (anonymous callers included) and the password-reset form's.

Counts live in Django's cache, which is Redis when REDIS_URL is set (see settings.CACHES), so every
process and host counts against one limit. The client is `REMOTE_ADDR`, which
tracker.middleware.ClientAddressMiddleware sets from X-Forwarded-For only behind a trusted proxy.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from redis.exceptions import RedisError
from rest_framework import throttling
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated, Throttled
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


class _SharedCountMixin:
    """Rates read when used (so they follow settings), and a cache outage lets requests through.

    A limit nobody can count is not worth an outage of the API: with Redis down the request is
    served and a warning logged, rather than every call failing with a 500.
    """

    scope: str

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request: Any, view: Any) -> bool:
        try:
            return super().allow_request(request, view)  # type: ignore[misc]
        except (RedisError, OSError):
            logger.warning("Throttle %s not applied: the cache is unreachable", self.scope, exc_info=True)
            return True


class AnonRateThrottle(_SharedCountMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_SharedCountMixin, throttling.UserRateThrottle):
    pass


class PasswordResetAddressThrottle(_SharedCountMixin, throttling.SimpleRateThrottle):
    """Reset requests per client address."""

    scope = "password_reset"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PasswordResetEmailThrottle(_SharedCountMixin, throttling.SimpleRateThrottle):
    """Reset requests per e-mail address asked for, from any address: nobody floods one inbox.
    Counted whether or not an account has that address, so a refusal reveals nothing."""

    scope = "password_reset"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        email = request.POST.get("email", "").strip().lower()
        if not email:
            return None
        # A digest, so the cache holds no e-mail addresses.
        ident = hashlib.sha256(email.encode()).hexdigest()
        return self.cache_format % {"scope": "password_reset_email", "ident": ident}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, except that a caller refused for lack of valid credentials spends from the
    anonymous budget and gets 429 once it is spent.

    DRF checks authentication and permissions before throttles, so without this an anonymous
    client, or one trying tokens, would get 401 for ever and never be throttled.
    """
    request, view = context.get("request"), context.get("view")
    if isinstance(exc, NotAuthenticated | AuthenticationFailed) and request is not None:
        throttle = AnonRateThrottle()
        if not throttle.allow_request(request, view):
            exc = Throttled(wait=throttle.wait())
    return drf_exception_handler(exc, context)
