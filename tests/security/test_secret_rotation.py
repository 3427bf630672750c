"""Rotating the webhook secret and SECRET_KEY without losing deliveries or signing everyone out."""

import json
import uuid

import pytest
from django.test import Client

from postmortems.github.webhooks import signature_for
from postmortems.models import WebhookDelivery
from tests.factories import EngineerFactory
from tests.github.conftest import hotfix_payload

pytestmark = pytest.mark.django_db


def _post(client, secret: str) -> int:
    body = json.dumps(hotfix_payload()).encode()
    return client.post(
        "/webhooks/github/",
        data=body,
        content_type="application/json",
        HTTP_X_GITHUB_EVENT="pull_request",
        HTTP_X_GITHUB_DELIVERY=str(uuid.uuid4()),
        HTTP_X_HUB_SIGNATURE_256=signature_for(body, secret),
    ).status_code


def test_deliveries_signed_with_the_previous_secret_are_accepted_during_rotation(client, settings):
    settings.GITHUB_WEBHOOK_SECRET = "new-secret"
    settings.GITHUB_WEBHOOK_PREVIOUS_SECRETS = ["old-secret"]
    assert _post(client, "new-secret") == 202
    assert _post(client, "old-secret") == 202  # GitHub still has the old one
    assert _post(client, "some-other-secret") == 401
    assert WebhookDelivery.objects.count() == 2


def test_once_rotation_is_over_the_old_secret_is_refused(client, settings):
    settings.GITHUB_WEBHOOK_SECRET = "new-secret"
    settings.GITHUB_WEBHOOK_PREVIOUS_SECRETS = []
    assert _post(client, "old-secret") == 401
    assert not WebhookDelivery.objects.exists()


def test_sessions_survive_a_secret_key_rotation_with_fallbacks(settings):
    settings.SECRET_KEY = "old-key-" + "a" * 50
    user = EngineerFactory(username="rotating-engineer")
    active, idle = Client(), Client()
    active.force_login(user)
    idle.force_login(user)

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "new-key-" + "b" * 50, ["old-key-" + "a" * 50]
    assert active.get("/").status_code == 200  # still signed in, and the session moves to the new key

    settings.SECRET_KEY_FALLBACKS = []  # rotation over
    assert active.get("/").status_code == 200
    assert idle.get("/").status_code == 302  # not seen during the rotation: sign in again
