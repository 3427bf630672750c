"""Seed the failure taxonomy, the default deploy checklist and the two groups."""

from django.db import migrations

from postmortems.reference_data import ensure_reference_data


def seed(apps, schema_editor):
    ensure_reference_data(apps.get_model)


class Migration(migrations.Migration):
    dependencies = [
        ("postmortems", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
