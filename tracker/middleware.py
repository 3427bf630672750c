"""Cross-cutting HTTP behaviour: a friendly 503 when the database cannot be reached.

Security headers come from Django's SecurityMiddleware (HSTS, nosniff, Referrer-Policy)
and django-csp (Content-Security-Policy); see settings.
"""

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
# Machine clients get JSON; people get a page.
_JSON_PREFIXES = ("/api/", "/webhooks/", "/healthz")
RETRY_AFTER_SECONDS = "30"


def database_unavailable_response(request: HttpRequest | None) -> HttpResponse:
    """503 that renders without touching the database (no context processors, no session)."""
    path = getattr(request, "path", "") or ""
    if path.startswith(_JSON_PREFIXES):
        response: HttpResponse = JsonResponse(
            {"error": "The database is unavailable. Please retry later.", "status": 503}, status=503
        )
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = RETRY_AFTER_SECONDS
    return response


class DatabaseUnavailableMiddleware:
    """Turn a lost database connection in a view into a 503 instead of a 500.

    Errors raised in other middleware (a session read, say) never reach
    `process_exception`; `server_error` below covers those.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_ERRORS):
            logger.error("Database unavailable while serving %s: %s", request.path, type(exception).__name__)
            return database_unavailable_response(request)
        return None


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500: a database outage anywhere in the stack is a 503, anything else the plain 500 page."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_ERRORS):
        return database_unavailable_response(request)
    if request.path.startswith(_JSON_PREFIXES):
        return JsonResponse({"error": "Internal server error.", "status": 500}, status=500)
    return defaults.server_error(request, template_name=template_name)
