"""The floor's one URL and its one view."""

import hashlib
import hmac

from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.urls import path

TABLE = "floor_delivery"
# The body as text in a column compressed as the product's payload column is (lz4 where the
# server has it), so the floor is not slowed by a costlier compression than the webhook pays.
SCHEMA_SQL = f"CREATE TABLE {TABLE} (id bigserial PRIMARY KEY, delivery_id text NOT NULL UNIQUE, body text NOT NULL)"
LZ4_SQL = f"ALTER TABLE {TABLE} ALTER COLUMN body SET COMPRESSION lz4"
INSERT_SQL = f"INSERT INTO {TABLE} (delivery_id, body) VALUES (%s, %s)"


def store_delivery(request):
    """POST /: check the signature, then insert the raw body; 202, as the webhook answers."""
    body = request.body
    expected = "sha256=" + hmac.new(settings.GITHUB_WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), request.headers.get("X-Hub-Signature-256", "").encode()):
        return HttpResponse(status=401)
    with connection.cursor() as cursor:
        cursor.execute(INSERT_SQL, [request.headers["X-GitHub-Delivery"], body.decode("utf-8")])
    return HttpResponse(status=202)


urlpatterns = [path("", store_delivery)]
