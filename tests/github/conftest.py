"""Helpers for the GitHub tests: signed deliveries, real payloads, a local GitHub."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache

from postmortems.github.webhooks import signature_for
from tests.github.fake_github import FakeGitHub, Reply
from tests.github.fake_github_app import FakeGitHubApp, new_private_key_pem, public_key_of
from tests.github.fake_github_oauth import CLIENT_ID, CLIENT_SECRET, FakeGitHubOAuth
from tracker.celery import app as celery_app

WEBHOOKS_DIR = Path("/work/shared/fixtures/github/webhooks")
MERGED_AT = "2026-03-10T12:00:00Z"
APP_ID = "4242"
MERGE_SHA = "0123456789abcdef0123456789abcdef01234567"


def load_payload(name: str) -> dict:
    return json.loads((WEBHOOKS_DIR / name).read_text())


def merged_payload(**pr_changes) -> dict:
    """A merged delivery built from the real `closed` example, changing exactly the
    fields the fixtures README names (merged, merged_at, merge_commit_sha, state)."""
    payload = copy.deepcopy(load_payload("pull_request.closed.json"))
    pr = payload["pull_request"]
    pr.update(merged=True, merged_at=MERGED_AT, merge_commit_sha=MERGE_SHA, state="closed")
    pr.update(pr_changes)
    return payload


def hotfix_payload(**pr_changes) -> dict:
    payload = merged_payload(**pr_changes)
    if "labels" not in pr_changes:
        payload["pull_request"]["labels"] = [{"name": "hotfix", "color": "d73a4a", "default": False}]
    return payload


@pytest.fixture(autouse=True)
def celery_eager():
    """Run tasks in-process (the real ones), whatever REDIS_URL says; the e2e test opts out."""
    old = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = old


@pytest.fixture
def deliver(client, settings, django_capture_on_commit_callbacks):
    """POST a signed delivery to the real view; returns the response.

    The test runs inside a transaction, so after-commit callbacks (enqueueing) are run
    as the real commit would run them.
    """

    def _deliver(payload, *, event="pull_request", delivery_id=None, secret=None, signature=None, **headers):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        sig = signature if signature is not None else signature_for(body, secret or settings.GITHUB_WEBHOOK_SECRET)
        extra = {"HTTP_X_GITHUB_DELIVERY": delivery_id or str(uuid.uuid4()), "HTTP_X_GITHUB_EVENT": event}
        if sig:
            extra["HTTP_X_HUB_SIGNATURE_256"] = sig
        extra.update(headers)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/webhooks/github/", data=body, content_type="application/json", **extra)

    return _deliver


@pytest.fixture
def fake_github(settings):
    """A local GitHub serving the recorded REST examples; PyGithub is pointed at it."""
    server = FakeGitHub().start()
    settings.GITHUB_API_URL = server.base_url
    settings.GITHUB_TOKEN = "test-token"
    settings.SITE_URL = "https://pm.example.com"
    server.comments = server.serve_issue_comments()  # created comments are listed back, as on GitHub
    server.route(
        "POST", r"/repos/[^/]+/[^/]+/statuses/\w+", Reply(201, server.fixture("repos.create-commit-status.201.json"))
    )
    yield server
    server.stop()


@pytest.fixture
def github_oauth(fake_github, settings):
    """Sign in with GitHub configured through settings, GITHUB_URL pointing at the fake GitHub."""
    settings.GITHUB_URL = fake_github.base_url
    settings.GITHUB_OAUTH_CLIENT_ID, settings.GITHUB_OAUTH_CLIENT_SECRET = CLIENT_ID, CLIENT_SECRET
    settings.GITHUB_SIGN_IN_ENABLED = True
    settings.GITHUB_SIGNUP = False
    settings.GITHUB_ALLOWED_ORGS = []
    settings.SOCIALACCOUNT_PROVIDERS = {
        "github": {
            **settings.SOCIALACCOUNT_PROVIDERS["github"],
            "APPS": [{"client_id": CLIENT_ID, "secret": CLIENT_SECRET, "key": ""}],
            "GITHUB_URL": fake_github.base_url,
        }
    }
    return FakeGitHubOAuth(fake_github, login="Codertocat", user_id=21031067, name="Coder Tocat")


@pytest.fixture(scope="session")
def app_key() -> str:
    return new_private_key_pem()


@pytest.fixture
def github_app(fake_github, settings, app_key):
    """The App configured through settings alone (no GITHUB_TOKEN), and the fake GitHub knowing it."""
    cache.clear()  # tokens of another test's fake server must not be reused
    settings.GITHUB_TOKEN = ""
    settings.GITHUB_APP_ID = APP_ID
    settings.GITHUB_APP_PRIVATE_KEY = app_key
    yield FakeGitHubApp(fake_github, app_id=APP_ID, public_key=public_key_of(app_key))
    cache.clear()
