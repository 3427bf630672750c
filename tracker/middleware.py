"""Cross-cutting HTTP behaviour: the client's real address behind a proxy, /healthz whatever the
Host, the GitHub webhook past the middleware it does not need, and a friendly 503 when the
database cannot be reached.

Security headers come from Django's SecurityMiddleware (HSTS, nosniff, Referrer-Policy)
and django-csp (Content-Security-Policy); see settings.
"""

import ipaddress
import logging
import sys
from collections.abc import Callable, Mapping
from functools import lru_cache

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.urls import resolve, reverse
from django.views import defaults

from postmortems.health import healthz

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
# Machine clients get JSON; people get a page.
_JSON_PREFIXES = ("/api/", "/webhooks/", "/healthz")
RETRY_AFTER_SECONDS = "30"
HEALTHZ_PATH = "/healthz"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _address(text: str) -> IPAddress | None:
    text = text.strip()
    # Some proxies write the client's port too: "203.0.113.5:51234", "[2001:db8::5]:51234".
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_address(meta: Mapping[str, str], trusted_proxies: tuple[str, ...]) -> str:
    """The address of whoever sent the request.

    The peer itself, unless the peer is a trusted proxy: then X-Forwarded-For is read from the right
    (each proxy appends the address it saw), skipping trusted proxies, and the first other address is
    the client. Everything left of that was written by the client and is never believed.
    """
    peer = meta.get("REMOTE_ADDR", "")
    networks = _networks(trusted_proxies)
    peer_address = _address(peer)
    if peer_address is None or not any(peer_address in network for network in networks):
        return peer
    client = peer
    for hop in reversed(meta.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(hop)
        if address is None:
            break  # a proxy writes addresses; anything else came from the client
        client = str(address)
        if not any(address in network for network in networks):
            break
    return client


class ClientAddressMiddleware:
    """Set REMOTE_ADDR to the client's address when the request came through a trusted proxy
    (settings.TRUSTED_PROXIES), so sign-in lockout and throttles count clients, not the proxy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.TRUSTED_PROXIES:
            request.META["REMOTE_ADDR"] = client_address(request.META, tuple(settings.TRUSTED_PROXIES))
        return self.get_response(request)


class HealthzMiddleware:
    """Answer GET /healthz before the Host header is validated (CommonMiddleware does that).

    Container healthchecks and load balancers call it by IP address or service name, which are not
    in ALLOWED_HOSTS. The answer never uses the Host (no links, no cookies, no redirects), so
    skipping the check here gives a forged Host nothing to poison; every other path is still checked.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == HEALTHZ_PATH:
            return healthz(request)
        return self.get_response(request)


class WebhookRouteMiddleware:
    """Hand requests for `/webhooks/github/` to its view here, before the session, CSRF, auth,
    messages, history, axes, CSP and allauth middleware below it in settings.MIDDLEWARE.

    A delivery is signed, not signed in, and answered with JSON: none of them does anything for
    it, yet together they add about a fifth to a request's CPU (bench/webhook: the floor view
    behind them against the bare floor). What the webhook needs is above this one (client
    address, https redirect and security headers, the NUL guard) or in the view itself:
    signature first, size cap, JSON errors, and a 503 when the delivery cannot be stored. A
    database error anywhere else still reaches handler500 (`server_error`), a 503. The Host is
    checked against ALLOWED_HOSTS as CommonMiddleware checks it for every other path.
    Returning a response instead of calling `get_response` is plain middleware behaviour (as
    HealthzMiddleware does): no handler internals are touched.
    """

    URL_NAME = "github-webhook"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._route: tuple[str, Callable[[HttpRequest], HttpResponse]] | None = None

    def _webhook(self) -> tuple[str, Callable[[HttpRequest], HttpResponse]]:
        # Taken from the URLconf (on first use: it imports the views), so it stays the one
        # place that says where the webhook lives and which view answers it.
        if self._route is None:
            path = reverse(self.URL_NAME)
            self._route = (path, resolve(path).func)
        return self._route

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path, view = self._webhook()
        if request.path == path:
            request.get_host()  # DisallowedHost → 400, as for every other path
            return view(request)
        return self.get_response(request)


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
