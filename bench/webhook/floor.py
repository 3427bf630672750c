"""The in-product floor: the bare floor's work (check the signature, insert the raw body into
one table) as a view inside the product, behind all of the product's middleware.

SPEC §7 measures the webhook against the bare floor (`floor_project/`); this one is reported
beside it to show what the product's middleware costs a request that uses none of it. Its
table is the bare floor's: a unique delivery id, the body as text compressed as the webhook's
payload column is (lz4 where the server has it).
"""

import hashlib
import hmac

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

TABLE_SQL = (
    "CREATE TABLE IF NOT EXISTS bench_floor_delivery "
    "(id bigserial PRIMARY KEY, delivery_id text NOT NULL UNIQUE, body text NOT NULL)"
)
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
