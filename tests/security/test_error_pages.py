"""Friendly error pages, and a 503 (not a 500) when the database is out of reach."""

import pytest
from django.db import OperationalError
from django.test import Client

pytestmark = pytest.mark.urls("tests.security.urls")


@pytest.fixture
def anon(settings):
    # DEBUG pages are for developers; these are what users see in production.
    settings.DEBUG = False
    return Client(raise_request_exception=False)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [
        ("/no-such-page/", 404, "Page not found"),
        ("/forbidden/", 403, "Not allowed"),
        ("/bad/", 400, "Bad request"),
        ("/boom/", 500, "Something went wrong"),
    ],
)
def test_error_pages_are_friendly_and_leak_nothing(anon, path, status, heading):
    response = anon.get(path)
    assert response.status_code == status
    body = response.content.decode()
    assert f"<h1>{heading}</h1>" in body
    assert "Traceback" not in body and "unexpected bug" not in body and "tampered" not in body
    assert 'href="/static/css/app.css"' in body


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/db-down/", "/db-gone/"])
def test_database_errors_in_a_view_answer_a_friendly_503(anon, path):
    response = anon.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert "cannot reach its database" in body
    assert "Connection refused" not in body


@pytest.mark.django_db
def test_database_errors_under_api_paths_answer_json(anon):
    response = anon.get("/api/db-down/")
    assert response.status_code == 503
    assert response.json() == {"error": "The database is unavailable. Please retry later.", "status": 503}


@pytest.mark.django_db
def test_database_error_in_middleware_answers_503_too(anon, monkeypatch):
    # A session read happens in middleware, outside any view's process_exception.
    from django.contrib.sessions.backends.db import SessionStore

    def broken(self, *args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(SessionStore, "load", broken)
    anon.cookies["sessionid"] = "x" * 32
    response = anon.get("/admin/")
    assert response.status_code == 503
    assert "cannot reach its database" in response.content.decode()


def test_503_and_500_templates_render_without_a_database(django_db_blocker):
    from django.template import loader

    with django_db_blocker.block():
        assert "Temporarily unavailable" in loader.render_to_string("503.html")
        assert "Something went wrong" in loader.render_to_string("500.html")
