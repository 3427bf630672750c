"""Model fields Django does not ship."""

from __future__ import annotations

import json

import orjson
from django.db import models


class JSONTextField(models.JSONField):
    """JSON kept as PostgreSQL `text`, exactly as it came, rather than `json` or `jsonb`.

    For documents written once and read whole, such as webhook payloads: converting a large
    body to `jsonb` (and compressing the bigger result) is most of what storing it costs, and
    even `json` parses the whole body again to check it — work the intake has already done,
    more strictly (`webhooks.read_payload`). Nothing here queries inside the document. The
    price: PostgreSQL cannot look inside it, so look rows up by other columns.
    Other databases: as JSONField.
    """

    def db_type(self, connection):
        return "text" if connection.vendor == "postgresql" else super().db_type(connection)

    def get_db_prep_value(self, value, connection, prepared=False):
        if connection.vendor != "postgresql" or value is None or hasattr(value, "as_sql"):
            return super().get_db_prep_value(value, connection, prepared)
        return json.dumps(value, cls=self.encoder)

    def from_db_value(self, value, expression, connection):
        if connection.vendor == "postgresql":
            return None if value is None else orjson.loads(value)
        return super().from_db_value(value, expression, connection)
