"""POST /webhooks/github/: every row of the SPEC §4 table, through the real view with real signatures."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from unittest import mock

import pytest
import redis
from django.db import OperationalError
from django.utils import timezone

from postmortems.choices import DeliveryStatus
from postmortems.github import webhooks
from postmortems.github.publisher import publisher
from postmortems.github.webhooks import signature_for, signature_valid
from postmortems.models import MergedPullRequest, Postmortem, WebhookDelivery
from postmortems.services import deliveries_requeue
from tests.github.conftest import hotfix_payload, load_payload
from tracker.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_documented_github_test_vector():
    secret = "It's a Secret to Everybody"
    expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert signature_for(b"Hello, World!", secret) == expected
    assert signature_valid(b"Hello, World!", expected, secret)
    assert not signature_valid(b"Hello, World?", expected, secret)


def test_test_vector_through_the_view(deliver, settings):
    # The documented body is not JSON: the signature passes, so the answer is the JSON 400, not 401.
    settings.GITHUB_WEBHOOK_SECRET = "It's a Secret to Everybody"
    response = deliver(
        b"Hello, World!",
        signature="sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
    )
    assert response.status_code == 400
    assert response.json() == {"error": "The body is not valid JSON."}


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b'{"action": "closed", "number": ', "The body is not valid JSON."),  # truncated
        (b'{"action": "closed"} trailing', "The body is not valid JSON."),
        (b" \n[1, 2]", "The body must be a JSON object."),
        (b'"just a string"', "The body must be a JSON object."),
        (b"", "The body is not valid JSON."),
        (b"\xef\xbb\xbf{}", "The body is not valid JSON."),  # a BOM: not what GitHub sends
        # What PostgreSQL's json would store but Python cannot read back (or show) is refused now,
        # not left as a delivery nobody can process.
        (b'{"n": 1' + b"0" * 5000 + b"}", "The body is not valid JSON."),
        (b'{"a": ' + b"[" * 5000 + b"]" * 5000 + b"}", "The body is not valid JSON."),
        (b'{"a": 1e999}', "The body is not valid JSON."),
        (b'{"a": NaN}', "The body is not valid JSON."),
        (b'{"a": "\\ud800"}', "The body is not valid JSON."),  # a lone surrogate is not text
    ],
)
def test_a_body_that_is_not_a_readable_json_object_is_400_and_stores_nothing(deliver, body, error):
    response = deliver(body)
    assert response.status_code == 400
    assert response.json() == {"error": error}
    assert WebhookDelivery.objects.count() == 0


def test_a_surrogate_pair_escape_is_text_and_accepted(deliver):
    assert deliver(b'{"action": "opened", "title": "\\ud83d\\ude80 launch"}', event="issues").status_code == 202
    assert WebhookDelivery.objects.get().payload["title"] == "\U0001f680 launch"


@pytest.mark.parametrize("header", ["HTTP_X_GITHUB_DELIVERY", "HTTP_X_GITHUB_EVENT"])
def test_control_characters_in_the_event_or_delivery_header_are_400(deliver, header):
    response = deliver(load_payload("pull_request.opened.json"), **{header: "abc\x00def"})
    assert response.status_code == 400
    assert "control characters" in response.json()["error"]
    assert WebhookDelivery.objects.count() == 0


def test_an_accepted_body_is_stored_as_sent_with_its_action(deliver):
    body = b' \n {"zen": "Keep it logically awesome.", "action": "closed", "number": 1}'
    assert deliver(body, event="label").status_code == 202  # an event we store and ignore
    delivery = WebhookDelivery.objects.get()
    assert delivery.payload == {"zen": "Keep it logically awesome.", "action": "closed", "number": 1}
    assert (delivery.action, delivery.status) == ("closed", DeliveryStatus.IGNORED)


@pytest.mark.parametrize(
    "signature",
    ["", "sha256=" + "0" * 64, "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59", "garbage"],
)
def test_missing_or_wrong_signature_is_401_and_stores_nothing(deliver, signature):
    response = deliver(load_payload("pull_request.opened.json"), signature=signature)
    assert response.status_code == 401
    assert "X-Hub-Signature-256" in response.json()["error"]
    assert WebhookDelivery.objects.count() == 0


def test_signature_with_another_secret_is_401(deliver):
    response = deliver(load_payload("pull_request.opened.json"), secret="not-our-secret")
    assert response.status_code == 401
    assert WebhookDelivery.objects.count() == 0


def test_body_over_the_limit_is_413_from_content_length(client, settings):
    # A declared 25 MiB + 1 body is refused from the header alone; nothing is read.
    body = b"{}"
    response = client.generic(
        "POST",
        "/webhooks/github/",
        data=body,
        content_type="application/json",
        CONTENT_LENGTH=str(settings.GITHUB_WEBHOOK_MAX_BYTES + 1),
        HTTP_X_GITHUB_EVENT="pull_request",
        HTTP_X_GITHUB_DELIVERY="big-1",
        HTTP_X_HUB_SIGNATURE_256=signature_for(body, settings.GITHUB_WEBHOOK_SECRET),
    )
    assert response.status_code == 413
    assert WebhookDelivery.objects.count() == 0


def test_body_over_the_limit_is_413_while_streaming(deliver, settings):
    settings.GITHUB_WEBHOOK_MAX_BYTES = 200_000
    payload = load_payload("pull_request.opened.json")
    payload["pull_request"]["body"] = "x" * 300_000
    response = deliver(payload)
    assert response.status_code == 413
    assert WebhookDelivery.objects.count() == 0


def test_body_just_under_25_mib_is_accepted(deliver, settings):
    # Bigger than DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB): the view reads the stream itself.
    payload = load_payload("pull_request.opened.json")
    payload["pull_request"]["body"] = "y" * (5 * 1024 * 1024)
    response = deliver(payload)
    assert response.status_code == 202
    assert len(WebhookDelivery.objects.get().payload["pull_request"]["body"]) == 5 * 1024 * 1024


@pytest.mark.parametrize(
    "body", [b"not json", b'{"unterminated": ', b"\xff\xfe", b"[1, 2]", b"null", '{"a": 1}'.encode("utf-16")]
)
def test_body_that_is_not_a_json_object_is_400(deliver, body):
    response = deliver(body)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]
    assert WebhookDelivery.objects.count() == 0


@pytest.mark.parametrize("missing", ["HTTP_X_GITHUB_EVENT", "HTTP_X_GITHUB_DELIVERY"])
def test_missing_event_or_delivery_header_is_400(deliver, missing):
    response = deliver(load_payload("pull_request.opened.json"), **{missing: ""})
    assert response.status_code == 400
    assert response.json() == {"error": "The X-GitHub-Event and X-GitHub-Delivery headers are required."}
    assert WebhookDelivery.objects.count() == 0


@pytest.mark.parametrize(
    "name", ["ping.json", "ping.with-app_id.json", "ping.with-organization.json", "ping.ghes-34.json"]
)
def test_ping_is_200(deliver, name):
    response = deliver(load_payload(name), event="ping")
    assert response.status_code == 200
    assert response.json() == {"status": "pong"}


def test_signed_event_is_stored_then_queued_202(deliver):
    response = deliver(load_payload("push.json"), event="push", delivery_id="d-push-1")
    assert response.status_code == 202
    assert response.json() == {"status": "queued", "delivery": "d-push-1"}
    delivery = WebhookDelivery.objects.get(delivery_id="d-push-1")
    assert delivery.event == "push"
    assert delivery.payload == load_payload("push.json")
    # Processed by the (in-process) task: push is not an event we act on.
    assert delivery.status == DeliveryStatus.IGNORED


def test_duplicate_delivery_is_200_and_processed_once(deliver):
    payload = hotfix_payload()
    first = deliver(payload, delivery_id="dup-1")
    second = deliver(payload, delivery_id="dup-1")
    assert first.status_code == 202
    assert second.status_code == 200
    assert second.json() == {"status": "duplicate"}
    assert WebhookDelivery.objects.count() == 1
    assert WebhookDelivery.objects.get().attempts == 1
    assert Postmortem.objects.count() == 1


def test_get_is_not_allowed(client):
    assert client.get("/webhooks/github/").status_code == 405


def test_broker_down_still_202_and_row_stays_pending(deliver, settings):
    """With Redis unreachable the delivery is stored and acknowledged; the sweep picks it up."""
    celery_app.conf.task_always_eager = False
    old_broker = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    celery_app._pool = None
    try:
        response = deliver(hotfix_payload(), delivery_id="broker-down")
        assert publisher.wait_idle(timeout=30)  # the publisher tried and gave up
    finally:
        celery_app.conf.broker_url = old_broker
        celery_app._pool = None
        celery_app.conf.task_always_eager = True
    assert response.status_code == 202
    delivery = WebhookDelivery.objects.get(delivery_id="broker-down")
    assert delivery.status == DeliveryStatus.PENDING
    assert Postmortem.objects.count() == 0

    # A minute later the broker is back: the sweep re-queues it and it is processed.
    assert deliveries_requeue(now=timezone.now() + timedelta(seconds=61)) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PROCESSED
    assert Postmortem.objects.count() == 1


def test_database_down_is_503(deliver):
    with mock.patch.object(webhooks, "_store", side_effect=OperationalError("connection refused")):
        response = deliver(load_payload("pull_request.opened.json"))
    assert response.status_code == 503
    assert "redeliver" in response.json()["error"]


def test_response_is_json_even_for_unicode_delivery_ids(deliver):
    response = deliver(load_payload("push.json"), event="push", delivery_id="ünïcode-✓")
    assert response.status_code == 202
    assert json.loads(response.content)["delivery"] == "ünïcode-✓"
    assert MergedPullRequest.objects.count() == 0


def test_nul_in_a_title_still_opens_the_postmortem(deliver):
    # JSON may carry U+0000; text columns cannot. The delivery is stored as sent, and the
    # worker keeps what can be kept instead of failing the hotfix.
    payload = hotfix_payload(title="Hotfix: broken\u0000title", labels=[{"name": "hot\u0000fix"}])
    response = deliver(payload)
    assert response.status_code == 202, response.content
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PROCESSED, delivery.last_error
    assert delivery.payload["pull_request"]["title"] == payload["pull_request"]["title"]  # kept as sent
    assert MergedPullRequest.objects.get().title == "Hotfix: brokentitle"
    assert Postmortem.objects.get().hotfix_prs.get().merged_pr.labels == ["hotfix"]


def test_publisher_batches_new_deliveries_into_celery_messages(redis_url):
    """With a real broker the request only hands ids over; a thread publishes them, several per message."""
    client = redis.Redis.from_url(redis_url)
    client.delete("celery")
    old = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    celery_app.conf.task_always_eager, celery_app.conf.broker_url = False, redis_url
    celery_app._pool = None
    try:
        for pk in (101, 102, 103):
            publisher.submit(pk)
        assert publisher.wait_idle(timeout=30)
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = old
        celery_app._pool = None
    published = []
    while raw := client.rpop("celery"):
        message = json.loads(raw)
        assert message["headers"]["task"] == "postmortems.process_github_deliveries"
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        published.extend(args[0])
    assert sorted(published) == [101, 102, 103]


def test_payloads_are_stored_as_text_compressed_with_lz4_when_the_server_has_it(postgres_required):
    # `text` (checked by the intake, not parsed again by the server) and lz4 keep the insert cheap;
    # see the intake's INSERT_SQL.
    from django.db import DatabaseError, connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT format_type(atttypid, atttypmod), attcompression FROM pg_attribute "
            "WHERE attrelid = 'postmortems_webhookdelivery'::regclass AND attname = 'payload'"
        )
        column_type, compression = cursor.fetchone()
        try:
            with transaction.atomic():
                cursor.execute("SET LOCAL default_toast_compression = 'lz4'")
            server_has_lz4 = True
        except DatabaseError:
            server_has_lz4 = False
    assert column_type == "text"
    assert compression == ("l" if server_has_lz4 else "")
