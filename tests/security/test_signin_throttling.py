"""Sign-in is throttled by django-axes: a clear 429 page after repeated failures, never a 500."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from tests.factories import EngineerFactory

LOGIN = "/accounts/login/"
PASSWORD = "pw-for-tests-123"  # tests/factories.py


@pytest.fixture
def user(db):
    return EngineerFactory(username="throttled-engineer")


def _fail(client, username="throttled-engineer", ip="10.0.0.7"):
    return client.post(LOGIN, {"username": username, "password": "wrong-password"}, REMOTE_ADDR=ip)


def test_wrong_password_below_the_limit_shows_the_login_form_again(client, user):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _fail(client)
        assert response.status_code == 200
        assert "didn&#x27;t match" in response.content.decode() or "didn't match" in response.content.decode()


def test_locked_after_the_failure_limit_with_a_clear_message(client, user):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _fail(client)
    response = _fail(client)
    assert response.status_code == 429
    body = response.content.decode()
    assert "Sign-in temporarily locked" in body
    assert f"({settings.AXES_FAILURE_LIMIT})" in body
    assert "Try again in 15 minutes" in body

    # Even the right password is refused while locked, and no session is opened.
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lock_is_per_username_and_address(client, user):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _fail(client)
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.8")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_lock_lifts_after_the_cool_off(client, user):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _fail(client)
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        response = client.post(LOGIN, {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 302


def test_admin_sign_in_is_throttled_too(client, user):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(
            "/admin/login/", {"username": user.username, "password": "nope", "next": "/admin/"}, REMOTE_ADDR="10.0.0.9"
        )
    assert response.status_code == 429
    assert "Sign-in temporarily locked" in response.content.decode()
