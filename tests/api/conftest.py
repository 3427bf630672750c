"""API test helpers: clients signed in with a real token (tests/conftest.py clears throttle counts)."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def client_for(user) -> APIClient:
    """A client that authenticates the way scripts do: `Authorization: Token <key>`."""
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api_for():
    return client_for
