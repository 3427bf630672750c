"""The webhook intake: verify, store, enqueue, answer (SPEC §4). Nothing slow here."""

from __future__ import annotations

import hashlib
import hmac
import logging
from contextlib import nullcontext

import orjson
import psycopg
from django.conf import settings
from django.db import DatabaseError, DataError, IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..models import WebhookDelivery
from ..untrusted import MAX_JSON_DEPTH, too_deep
from .events import payload_action
from .publisher import publisher

logger = logging.getLogger(__name__)

CHUNK = 64 * 1024
_TABLE = WebhookDelivery._meta.db_table
# The body goes in as the text it came as (a `text` column: read_payload has checked it already).
INSERT_SQL = (
    f"INSERT INTO {_TABLE} (delivery_id, event, action, payload, received_at, status, attempts, last_error) "  # noqa: S608 - table name is ours
    "VALUES (%s, %s, %s, %s, now(), 'pending', 0, '') ON CONFLICT (delivery_id) DO NOTHING RETURNING id"
)


class BodyTooLarge(Exception):
    pass


def signature_for(body: bytes, secret: str) -> str:
    """The `X-Hub-Signature-256` value GitHub sends for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(body: bytes, header: str | None, secret: str) -> bool:
    if not header or not secret:
        return False
    return hmac.compare_digest(signature_for(body, secret).encode(), header.strip().encode())


def signature_valid_any(body: bytes, header: str | None) -> bool:
    """Signed with the current secret or one being rotated out (GITHUB_WEBHOOK_PREVIOUS_SECRETS)."""
    secrets = [settings.GITHUB_WEBHOOK_SECRET, *settings.GITHUB_WEBHOOK_PREVIOUS_SECRETS]
    return any(signature_valid(body, header, secret) for secret in secrets if secret)


def read_body(request: HttpRequest, limit: int) -> bytes:
    """The raw body, read from the stream with a cap: never more than `limit` bytes in memory.

    `request.body` is not used: Django refuses bodies over DATA_UPLOAD_MAX_MEMORY_SIZE,
    and GitHub's payloads may be up to 25 MiB.
    """
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise BodyTooLarge
    chunks, size = [], 0
    while True:
        chunk = request.read(CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


class NotJSON(ValueError):
    """The body is not a JSON object; the message says what is wrong."""


def _headers(request: HttpRequest) -> tuple[str, str] | JsonResponse:
    event = request.headers.get("X-GitHub-Event", "").strip()
    delivery_id = request.headers.get("X-GitHub-Delivery", "").strip()
    if not event or not delivery_id:
        return _error(400, "The X-GitHub-Event and X-GitHub-Delivery headers are required.")
    if len(delivery_id) > 100 or len(event) > 100:
        return _error(400, "The X-GitHub-Event or X-GitHub-Delivery header is too long.")
    if not (event + delivery_id).isprintable():
        return _error(400, "The X-GitHub-Event or X-GitHub-Delivery header holds control characters.")
    return event, delivery_id


def read_payload(body: bytes) -> tuple[str, dict]:
    """The body as text and as the JSON object it holds; NotJSON says why it is neither.

    orjson decides, strictly: besides malformed JSON it refuses what PostgreSQL's `json`
    would store but Python could not load or show later (numbers beyond a double such as
    1e999, NaN, nesting over 1024 deep, escaped lone surrogates, a BOM), so every stored
    delivery can be processed. It is also three times quicker than the json module here.
    """
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise NotJSON("The body is not valid JSON.") from None
    if not isinstance(payload, dict):
        raise NotJSON("The body must be a JSON object.")
    if too_deep(body, payload):
        raise NotJSON(f"The body nests deeper than {MAX_JSON_DEPTH} levels.")
    return body.decode("utf-8"), payload  # orjson has checked it is UTF-8


@csrf_exempt
@require_POST
def github_webhook(request: HttpRequest) -> JsonResponse:
    """POST /webhooks/github/ — the table of SPEC §4."""
    try:
        body = read_body(request, settings.GITHUB_WEBHOOK_MAX_BYTES)
    except BodyTooLarge:
        return _error(413, f"The body is larger than {settings.GITHUB_WEBHOOK_MAX_BYTES} bytes.")
    if not signature_valid_any(body, request.headers.get("X-Hub-Signature-256")):
        return _error(401, "Missing or wrong X-Hub-Signature-256.")
    headers = _headers(request)
    if isinstance(headers, JsonResponse):
        return headers
    event, delivery_id = headers
    try:
        text, payload = read_payload(body)
        if event == "ping":
            return JsonResponse({"status": "pong"}, status=200)
        delivery_pk = _store(delivery_id, event, text, payload)
    except NotJSON as exc:
        return _error(400, str(exc))
    except DataError:
        # Nothing GitHub sends; retrying would not help, so not a 5xx.
        logger.warning("the database refused webhook delivery %s", delivery_id, exc_info=True)
        return _error(400, "The payload cannot be stored (the database refuses it).")
    except DatabaseError:
        logger.exception("could not store webhook delivery %s", delivery_id)
        return _error(503, "The delivery could not be stored; please redeliver it later.")
    if delivery_pk is None:
        # The unique delivery id decides what is a duplicate, not a look-up first.
        return JsonResponse({"status": "duplicate"}, status=200)
    transaction.on_commit(lambda: publisher.submit(delivery_pk))  # after commit (at once in autocommit mode)
    return JsonResponse({"status": "queued", "delivery": delivery_id}, status=202)


def _store(delivery_id: str, event: str, text: str, payload: dict) -> int | None:
    """Insert the delivery, committed when this returns; its pk, or None when the delivery id is known.

    PostgreSQL: one `INSERT … ON CONFLICT DO NOTHING` in autocommit mode, storing the text
    as it came (no re-encoding, no second parse by the server, no BEGIN/COMMIT round trips
    on the hot path). Other databases: the ORM, where the unique constraint raises
    IntegrityError.
    """
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        # Inside a transaction (tests, ATOMIC_REQUESTS) a savepoint keeps a refused body from breaking it.
        savepoint = transaction.atomic() if connection.in_atomic_block else nullcontext()
        # A server-side-binding cursor: the body travels as a parameter of its own, instead of
        # being escaped into the statement (Django's cursors bind on the client), which cost
        # more CPU than anything else in this request. Errors still come out as Django's.
        with savepoint, connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
            # Not prepared, like Django's own statements, so a transaction-mode pooler is no trouble.
            cursor.execute(INSERT_SQL, [delivery_id, event, payload_action(payload), text], prepare=False)
            row = cursor.fetchone()
        return row[0] if row else None
    try:
        with transaction.atomic():
            return WebhookDelivery.objects.create(
                delivery_id=delivery_id, event=event, action=payload_action(payload), payload=payload
            ).pk
    except IntegrityError:
        return None
