"""`GET /healthz`: does the database answer, and does the broker? Fast, plain, never hangs."""

from __future__ import annotations

import logging

import redis
from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

# Seconds: a probe that waits longer than this is as good as down.
BROKER_TIMEOUT = 1.0


# Milliseconds PostgreSQL may spend on the probe query before giving up.
DATABASE_STATEMENT_TIMEOUT_MS = 1000


def database_status() -> str:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # LOCAL: the limit ends with this transaction, so pooled connections keep theirs.
                cursor.execute(f"SET LOCAL statement_timeout = {DATABASE_STATEMENT_TIMEOUT_MS}")
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure means "down"; the log keeps the reason
        logger.warning("healthz: database check failed", exc_info=True)
        return "down"
    return "ok"


def broker_status() -> str:
    """ "ok" or "down" for Redis; "in-process" when tasks run eagerly without a broker."""
    url = settings.REDIS_URL
    if not url:
        return "in-process"
    client = redis.Redis.from_url(url, socket_connect_timeout=BROKER_TIMEOUT, socket_timeout=BROKER_TIMEOUT)
    try:
        client.ping()
    except (redis.RedisError, OSError, ValueError):
        logger.warning("healthz: broker check failed", exc_info=True)
        return "down"
    finally:
        client.close()
    return "ok"


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when every dependency answers; 503 naming what is down."""
    checks = {"database": database_status(), "broker": broker_status()}
    healthy = "down" not in checks.values()
    return JsonResponse(checks, status=200 if healthy else 503)
