"""Secrets never show up: not in the logs of a full webhook + write-back run, nor in error
pages, the admin or API responses. Each secret is a unique marker string we search for."""

from __future__ import annotations

import json
import logging
import uuid

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from postmortems.models import HotfixPullRequest, WebhookDelivery
from tests.factories import UserFactory
from tests.github.conftest import hotfix_payload
from tests.github.fake_github import FakeGitHub, Reply
from tracker.celery import app as celery_app

pytestmark = pytest.mark.django_db

MARKERS = {
    "GITHUB_TOKEN": "ghp_MARKERgithubtoken0123456789abcdefABCDEF",
    "GITHUB_WEBHOOK_SECRET": "MARKER-webhook-secret-5b9f3e7c",
    "SECRET_KEY": "MARKER-secret-key-" + "q7" * 30,
    "API_TOKEN": "MARKERapitoken0123456789abcdef0123456789"[:40],
}
COMMENTS = r"/repos/Codertocat/Hello-World/issues/\d+/comments"
STATUSES = r"/repos/Codertocat/Hello-World/statuses/\w+"


@pytest.fixture
def secrets(settings):
    settings.GITHUB_TOKEN = MARKERS["GITHUB_TOKEN"]
    settings.GITHUB_WEBHOOK_SECRET = MARKERS["GITHUB_WEBHOOK_SECRET"]
    settings.SECRET_KEY = MARKERS["SECRET_KEY"]
    settings.DEBUG = False
    old = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True  # the real tasks, in this process, so their logs are captured
    yield MARKERS
    celery_app.conf.task_always_eager = old


@pytest.fixture
def github(settings):
    server = FakeGitHub().start()
    server.serve_issue_comments()  # write-back looks for its comment before posting one
    settings.GITHUB_API_URL = server.base_url
    yield server
    server.stop()


@pytest.fixture
def everything_logged(caplog):
    """Every record at every level, from every logger (PyGithub, urllib3, Celery, Django)."""
    caplog.set_level(logging.DEBUG)
    for name in ("github", "urllib3", "celery", "django", "postmortems", "axes"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    return caplog


def _leaks(text: str) -> list[str]:
    return [name for name, marker in MARKERS.items() if marker in text]


def _deliver(client: Client, payload: dict, secret: str) -> int:
    from postmortems.github.webhooks import signature_for

    body = json.dumps(payload).encode()
    return client.post(
        "/webhooks/github/",
        data=body,
        content_type="application/json",
        HTTP_X_GITHUB_EVENT="pull_request",
        HTTP_X_GITHUB_DELIVERY=str(uuid.uuid4()),
        HTTP_X_HUB_SIGNATURE_256=signature_for(body, secret),
    ).status_code


def test_no_secret_in_logs_of_a_full_webhook_and_writeback_run(
    secrets, github, everything_logged, capsys, django_capture_on_commit_callbacks
):
    github.route("POST", COMMENTS, Reply(201, github.fixture("issues.create-comment.201.json")))
    github.route("POST", STATUSES, Reply(502, {"message": "Bad Gateway"}), Reply(401, {"message": "Bad credentials"}))
    client = Client(raise_request_exception=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert _deliver(client, hotfix_payload(), secrets["GITHUB_WEBHOOK_SECRET"]) == 202
        # A forged delivery signed with a wrong secret, and one with a secret-looking body.
        assert _deliver(client, hotfix_payload(number=3), "not-the-secret") == 401
        assert _deliver(client, {"action": secrets["GITHUB_WEBHOOK_SECRET"][:5]}, secrets["GITHUB_WEBHOOK_SECRET"]) in (
            202,
            400,
        )

    hotfix = HotfixPullRequest.objects.get()
    assert hotfix.comment_id is not None  # the run really went through write-back
    assert "401" in hotfix.writeback_error
    # PyGithub really sent the token, so a leak would have had something to leak.
    assert any(MARKERS["GITHUB_TOKEN"] in r.headers.get("authorization", "") for r in github.requests)

    captured = capsys.readouterr()
    logged = everything_logged.text + "\n".join(str(r.__dict__) for r in everything_logged.records)
    assert logged.strip(), "nothing was logged: the test would prove nothing"
    assert _leaks(logged + captured.out + captured.err) == []
    assert _leaks(hotfix.writeback_error) == []
    assert _leaks(json.dumps(list(WebhookDelivery.objects.values("last_error")))) == []


def test_no_secret_in_admin_api_or_error_pages(secrets, github, client, django_capture_on_commit_callbacks):
    github.route("POST", COMMENTS, Reply(201, github.fixture("issues.create-comment.201.json")))
    github.route("POST", STATUSES, Reply(201, github.fixture("repos.create-commit-status.201.json")))
    admin = UserFactory(username="secret-admin", is_staff=True, is_superuser=True)
    Token.objects.create(user=admin, key=MARKERS["API_TOKEN"])
    with django_capture_on_commit_callbacks(execute=True):
        assert _deliver(Client(), hotfix_payload(), secrets["GITHUB_WEBHOOK_SECRET"]) == 202
    delivery = WebhookDelivery.objects.get()
    hotfix = HotfixPullRequest.objects.get()

    client.force_login(admin)
    pages = [
        "/admin/",
        f"/admin/postmortems/user/{admin.pk}/change/",
        "/admin/postmortems/webhookdelivery/",
        f"/admin/postmortems/webhookdelivery/{delivery.pk}/change/",
        f"/admin/postmortems/hotfixpullrequest/{hotfix.pk}/change/",
        "/admin/postmortems/repository/",
        f"/postmortems/{hotfix.postmortem_id}/",
        "/api/v1/postmortems/",
        f"/api/v1/postmortems/{hotfix.postmortem_id}/",
        "/api/v1/repositories/",
        "/api/schema/",
        "/healthz",
        "/no-such-page/",
    ]
    for path in pages:
        response = client.get(path, HTTP_ACCEPT="application/json" if path.startswith("/api/") else "text/html")
        assert response.status_code == (404 if path == "/no-such-page/" else 200), (path, response.status_code)
        assert _leaks(response.content.decode()) == [], path

    # DRF's token admin, which lists every key, is not there.
    assert client.get("/admin/authtoken/tokenproxy/").status_code == 404
    # The API token works but is only ever shown on the owner's own token page.
    api = Client().get("/api/v1/postmortems/", HTTP_AUTHORIZATION=f"Token {MARKERS['API_TOKEN']}")
    assert api.status_code == 200 and _leaks(api.content.decode()) == []
