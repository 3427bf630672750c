"""The floor of the webhook's work: check the signature, insert the raw body into one table.

Nothing else: no JSON parsing, no model, no broker. SPEC §7 measures our webhook against it.
The body is stored as cheaply as ours: as text (half the bytes of a bytea literal) in a
column compressed with lz4 where the server has it, as the webhook's payload column is.
"""

import hashlib
import hmac

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

TABLE_SQL = "CREATE TABLE IF NOT EXISTS bench_floor_delivery (id bigserial PRIMARY KEY, delivery_id text, body text)"
LZ4_SQL = "ALTER TABLE bench_floor_delivery ALTER COLUMN body SET COMPRESSION lz4"


@csrf_exempt
def floor_view(request):
    body = request.read()
    expected = "sha256=" + hmac.new(settings.GITHUB_WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), request.headers.get("X-Hub-Signature-256", "").encode()):
        return HttpResponse(status=401)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_floor_delivery (delivery_id, body) VALUES (%s, %s)",
            [request.headers.get("X-GitHub-Delivery", ""), body.decode("utf-8")],
        )
    return JsonResponse({"status": "stored"}, status=202)
