"""Model fields Django does not ship."""

from __future__ import annotations

from django.db import models


class JSONTextField(models.JSONField):
    """JSON kept as PostgreSQL `json` (the text, checked for syntax) rather than `jsonb`.

    For documents written once and read whole, such as webhook payloads: converting a
    large body to `jsonb` (and compressing the bigger result) is most of what storing it
    costs, and nothing here queries inside it. The price: PostgreSQL cannot compare or
    index the content, so look rows up by other columns. Other databases: as JSONField.
    """

    def db_type(self, connection):
        return "json" if connection.vendor == "postgresql" else super().db_type(connection)

    def from_db_value(self, value, expression, connection):
        if connection.vendor == "postgresql":
            return value  # psycopg already decodes `json` (Django only asks it not to for `jsonb`)
        return super().from_db_value(value, expression, connection)
