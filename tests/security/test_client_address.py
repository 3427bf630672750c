"""The client's address behind a proxy: X-Forwarded-For is believed only from TRUSTED_PROXIES, so
sign-in lockout locks the attacker, not everyone behind the proxy, and nobody picks their own address."""

import pytest
from django.conf import settings

from tests.factories import EngineerFactory
from tracker.middleware import client_address

LOGIN = "/accounts/login/"
PASSWORD = "pw-for-tests-123"  # tests/factories.py
PROXIES = ("10.0.0.0/24", "2001:db8:ff::/48")


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "expected"),
    [
        # No trusted peer: the header is the client's own claim.
        ("198.51.100.1", "192.0.2.1", "198.51.100.1"),
        # A trusted proxy: the address it appended.
        ("10.0.0.2", "192.0.2.1", "192.0.2.1"),
        # The client's own "X-Forwarded-For: 1.1.1.1" ends up left of what the proxy appended.
        ("10.0.0.2", "1.1.1.1, 192.0.2.1", "192.0.2.1"),
        # Two proxies in a row, both trusted.
        ("10.0.0.2", "192.0.2.1, 10.0.0.3", "192.0.2.1"),
        # Ports and IPv6, as some proxies write them.
        ("10.0.0.2", "192.0.2.1:51234", "192.0.2.1"),
        ("2001:db8:ff::2", "[2001:db8:1::5]:443", "2001:db8:1::5"),
        # A garbage hop stops the walk at the last proxy that wrote a real address.
        ("10.0.0.2", "not-an-ip, 10.0.0.3", "10.0.0.3"),
        # A trusted peer without the header is itself the client (a check from inside).
        ("10.0.0.2", "", "10.0.0.2"),
    ],
)
def test_client_address(peer, forwarded_for, expected):
    meta = {"REMOTE_ADDR": peer, "HTTP_X_FORWARDED_FOR": forwarded_for}
    assert client_address(meta, PROXIES) == expected


def test_no_trusted_proxies_means_the_peer_always(settings):
    assert client_address({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "192.0.2.1"}, ()) == "10.0.0.2"


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]


def _fail(client, client_ip, *, peer="10.0.0.2", username="victim"):
    return client.post(
        LOGIN, {"username": username, "password": "wrong"}, REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=client_ip
    )


def test_lockout_behind_a_proxy_locks_the_attacker_not_the_user(client, db, behind_proxy):
    user = EngineerFactory(username="victim")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = _fail(client, "192.0.2.66")
    assert response.status_code == 429
    # The user, on another address behind the same proxy, still signs in.
    response = client.post(
        LOGIN,
        {"username": user.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="192.0.2.7",
    )
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)


def test_an_attacker_cannot_dodge_lockout_by_forging_forwarded_for(client, db, behind_proxy):
    EngineerFactory(username="victim")
    # Straight to the app, not through the proxy: the header is ignored, each try counts.
    statuses = [
        _fail(client, f"192.0.2.{n}", peer="198.51.100.9").status_code for n in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses[-1] == 429
