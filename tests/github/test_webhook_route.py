"""The webhook pays for none of the middleware it does not need (SPEC §7), and keeps what it does.

`tracker.middleware.WebhookRouteMiddleware` answers `POST /webhooks/github/` before sessions,
CSRF, auth, messages, history, axes, CSP and allauth; every other path still goes through them.
"""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from postmortems.models import WebhookDelivery
from tests.github.conftest import hotfix_payload
from tests.support.middleware import RecordPaths

pytestmark = pytest.mark.django_db

ROUTE = "tracker.middleware.WebhookRouteMiddleware"
# What the middleware below the webhook's route leave on a request that went through them.
MARKS = ("session", "user", "_messages", "csp_nonce", "allauth")


@pytest.fixture
def recorder(settings):
    """RecordPaths placed right below the webhook's route: whatever it sees went past it."""
    middleware = list(django_settings.MIDDLEWARE)
    middleware.insert(middleware.index(ROUTE) + 1, "tests.support.middleware.RecordPaths")
    settings.MIDDLEWARE = middleware
    RecordPaths.seen = []
    return RecordPaths


def test_the_route_sits_above_every_middleware_the_webhook_does_not_need():
    below = django_settings.MIDDLEWARE[django_settings.MIDDLEWARE.index(ROUTE) + 1 :]
    for name in ("sessions", "csrf", "auth", "messages", "simple_history", "axes", "csp", "allauth"):
        assert any(name in path for path in below), name


def test_a_delivery_goes_no_further_than_the_route(recorder, deliver, client):
    assert deliver(hotfix_payload()).status_code == 202
    assert deliver(b"{}", signature="sha256=wrong").status_code == 401
    assert client.get("/webhooks/github/").status_code == 405  # the view says which methods it takes
    assert recorder.seen == []
    # Every other path still goes all the way down.
    client.get("/accounts/login/")
    client.post("/api/v1/records/")
    assert recorder.seen == ["/accounts/login/", "/api/v1/records/"]


def test_a_signed_in_browser_posting_a_delivery_gets_no_cookie_and_no_session_query(client, deliver, engineer):
    client.force_login(engineer)
    client.get("/")  # a page: it reads the session and sets the CSRF cookie
    with CaptureQueriesContext(connection) as queries:
        # An event nobody processes, so the queries seen are the request's (tasks run eagerly here).
        response = deliver({"action": "created"}, event="star")
    assert response.status_code == 202
    assert WebhookDelivery.objects.count() == 1
    assert response.cookies == {}
    assert "Content-Security-Policy" not in response
    assert "X-Frame-Options" not in response
    # Kept: SecurityMiddleware sits above the route.
    assert response["X-Content-Type-Options"] == "nosniff"
    assert [mark for mark in MARKS if hasattr(response.wsgi_request, mark)] == []
    assert "CSRF_COOKIE" not in response.wsgi_request.META
    tables = ('FROM "django_session"', 'FROM "postmortems_user"', '"axes_')
    assert [q["sql"] for q in queries.captured_queries if any(table in q["sql"] for table in tables)] == []


def test_the_same_browser_on_a_page_still_goes_through_all_of_them(client, engineer):
    client.force_login(engineer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    assert "Content-Security-Policy" in response
    assert response["X-Frame-Options"] == "DENY"
    assert [mark for mark in MARKS if not hasattr(response.wsgi_request, mark)] == []
    assert any("django_session" in q["sql"] for q in queries.captured_queries)


def test_the_host_is_still_checked(deliver, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    response = deliver(hotfix_payload(), HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert not WebhookDelivery.objects.exists()
