"""Password reset: off (and saying so) without mail, rate-limited, and links that point at SITE_URL.

Whether mail is configured is decided at start-up (tests/test_settings.py checks that decision in
real processes); here the resulting setting is switched to see what the pages do with it.
"""

import re

import pytest
from django.core import mail

from tests.factories import EngineerFactory

RESET = "/accounts/password_reset/"
LINK = re.compile(r"https?://[^\s]+/accounts/reset/[^\s]+/")


@pytest.fixture
def user(db):
    return EngineerFactory(username="forgetful", email="forgetful@example.com")


@pytest.fixture
def reset_on(settings):
    settings.PASSWORD_RESET_ENABLED = True
    settings.SITE_URL = "https://postmortems.example.com"
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "password_reset": "3/hour"},
    }


def _ask(client, email="forgetful@example.com", ip="198.51.100.7"):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=ip)


def test_reset_sends_one_link_that_points_at_site_url_whatever_the_host(client, user, reset_on):
    response = client.post(RESET, {"email": user.email}, HTTP_HOST="evil.example.net")
    assert response.status_code == 302 and response["Location"] == "/accounts/password_reset/done/"
    assert len(mail.outbox) == 1
    links = LINK.findall(mail.outbox[0].body)
    assert len(links) == 1 and links[0].startswith("https://postmortems.example.com/accounts/reset/")
    assert "evil" not in mail.outbox[0].body
    # The link works: it leads to the form for a new password.
    page = client.get(links[0].removeprefix("https://postmortems.example.com"), follow=True)
    assert page.status_code == 200 and "Choose a new password" in page.content.decode()


@pytest.mark.parametrize(
    "path", [RESET, "/accounts/password_reset/done/", "/accounts/reset/MQ/set-password/", "/accounts/reset/done/"]
)
def test_without_mail_every_reset_page_is_off_and_says_so(client, settings, user, path):
    settings.PASSWORD_RESET_ENABLED = False
    response = client.get(path)
    assert response.status_code == 404
    body = response.content.decode()
    assert "Password reset is off" in body and "ask an administrator" in body.lower()


def test_without_mail_a_reset_request_sends_nothing(client, settings, user):
    settings.PASSWORD_RESET_ENABLED = False
    response = _ask(client)
    assert response.status_code == 404 and "Password reset is off" in response.content.decode()
    assert mail.outbox == []


def test_sign_in_page_offers_reset_only_when_it_works(client, settings, db):
    settings.PASSWORD_RESET_ENABLED = True
    assert "Forgot your password?" in client.get("/accounts/login/").content.decode()
    settings.PASSWORD_RESET_ENABLED = False
    assert "Forgot your password?" not in client.get("/accounts/login/").content.decode()


def test_reset_requests_are_limited_per_client_address(client, user, reset_on):
    for n in range(3):
        assert _ask(client, email=f"nobody-{n}@example.com").status_code == 302
    response = _ask(client, email="forgetful@example.com")
    assert response.status_code == 429
    assert "Too many reset requests" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert mail.outbox == []  # the refused request sent nothing
    # Another address is not held back.
    assert _ask(client, ip="198.51.100.8").status_code == 302
    assert len(mail.outbox) == 1


def test_reset_requests_are_limited_per_email_from_any_address(client, user, reset_on):
    for n in range(3):
        assert _ask(client, email="Forgetful@Example.com ", ip=f"203.0.113.{n}").status_code == 302
    response = _ask(client, ip="203.0.113.99")
    assert response.status_code == 429
    assert len(mail.outbox) == 3
