"""Store webhook payloads as `text`, not `json`: PostgreSQL no longer parses each body again.

The intake has already parsed and checked every body, more strictly than `json` would
(`webhooks.read_payload`), so the second parse only cost CPU on every delivery (bench/webhook).
The type change rewrites the table once; lz4 is set again where the server has it (0009).
"""

from django.db import DatabaseError, migrations, transaction


def _retype(apps, schema_editor, new_type: str) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    table = apps.get_model("postmortems", "WebhookDelivery")._meta.db_table
    schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN payload TYPE {new_type} USING payload::{new_type}")
    if connection.pg_version < 140000:
        return
    try:
        with transaction.atomic(using=connection.alias):
            schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN payload SET COMPRESSION lz4")
    except DatabaseError:
        pass  # built without lz4: pglz it stays


def payload_text(apps, schema_editor):
    _retype(apps, schema_editor, "text")


def payload_json(apps, schema_editor):
    _retype(apps, schema_editor, "json")


class Migration(migrations.Migration):
    dependencies = [("postmortems", "0019_verification_due")]

    operations = [migrations.RunPython(payload_text, payload_json)]
