"""API throttling reaches anonymous callers too: no credentials, or wrong ones, spend the anonymous
budget and get 429 once it is spent (DRF alone answers 401 for ever). The client is the real one."""

import pytest

from tests.api.conftest import client_for

API = "/api/v1/postmortems/"


@pytest.fixture
def tight_limits(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "3/minute"},
    }


def _statuses(client, n, **extra):
    return [client.get(API, **extra).status_code for _ in range(n)]


def test_anonymous_calls_are_throttled_after_the_anonymous_rate(client, db, tight_limits):
    assert _statuses(client, 3, REMOTE_ADDR="198.51.100.20") == [401, 401, 401]
    response = client.get(API, REMOTE_ADDR="198.51.100.20")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "throttled" in response.json()["detail"].lower()


def test_token_guessing_is_throttled(client, db, tight_limits):
    guesses = [
        client.get(API, HTTP_AUTHORIZATION=f"Token {n:040x}", REMOTE_ADDR="198.51.100.21").status_code for n in range(4)
    ]
    assert guesses == [401, 401, 401, 429]


def test_a_forged_forwarded_for_does_not_buy_a_fresh_budget(client, db, tight_limits):
    # No proxy is trusted, so the header is the client's own claim and counts for nothing.
    statuses = [
        client.get(API, REMOTE_ADDR="198.51.100.22", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code for n in range(4)
    ]
    assert statuses == [401, 401, 401, 429]


def test_behind_a_trusted_proxy_each_client_has_its_own_budget(client, db, settings, tight_limits):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    via_proxy = {"REMOTE_ADDR": "10.0.0.2"}
    assert _statuses(client, 4, HTTP_X_FORWARDED_FOR="192.0.2.10", **via_proxy)[-1] == 429
    # Another client behind the same proxy is not held back by the first one.
    assert _statuses(client, 1, HTTP_X_FORWARDED_FOR="192.0.2.11", **via_proxy) == [401]


def test_signed_in_callers_keep_their_own_budget(db, lead, tight_limits):
    api = client_for(lead)
    statuses = [api.get(API, REMOTE_ADDR="198.51.100.23").status_code for _ in range(5)]
    assert statuses == [200] * 5


def test_an_unreachable_cache_lets_calls_through_rather_than_failing_them(db, lead, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "tracker.cache.SharedRedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing answers
            "KEY_PREFIX": "pm-cache",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    assert client_for(lead).get(API).status_code == 200
    assert client_for(None).get(API).status_code == 401
    assert "cache is unreachable" in caplog.text
