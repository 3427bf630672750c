"""Shared fixtures: the five kinds of caller, and a guard for tests that need real services."""

import os
import socket
from typing import NoReturn
from urllib.parse import urlparse

import pytest
from django.core.cache import cache

from tests.factories import EngineerFactory, LeadFactory, UserFactory

IN_CI = bool(os.environ.get("CI"))


def pytest_configure(config):
    from django.conf import settings

    # Password hashing is deliberately slow; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Throttle counts live in the cache (Redis in CI, shared by every test): one test's requests must
    not throttle the next. The shared cache clears only its own keys, never Celery's queue."""
    cache.clear()
    yield
    cache.clear()


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def unavailable(message: str) -> NoReturn:
    """A skip locally, a failure in CI: there, a missing service or program must not pass unnoticed."""
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def require_service(name: str, env_var: str, default_port: int) -> str:
    """The service URL, or a skip locally / a failure in CI when it is not there."""
    url = os.environ.get(env_var, "")
    if url and _reachable(url, default_port):
        return url
    unavailable(f"{name} is not reachable ({env_var}={url or 'unset'})")


@pytest.fixture
def redis_url() -> str:
    return require_service("Redis", "REDIS_URL", 6379)


@pytest.fixture
def postgres_required(settings) -> None:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        if IN_CI:
            pytest.fail("CI must run on PostgreSQL (DATABASE_URL)")
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


@pytest.fixture
def engineer(db):
    return EngineerFactory(username="owner-engineer")


@pytest.fixture
def other_engineer(db):
    return EngineerFactory(username="other-engineer")


@pytest.fixture
def lead(db):
    return LeadFactory(username="the-lead")


@pytest.fixture
def other_lead(db):
    return LeadFactory(username="second-lead")


@pytest.fixture
def staff(db):
    return UserFactory(username="staff-user", is_staff=True)
