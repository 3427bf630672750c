"""Seed the failure taxonomy, the default deploy checklist and the two groups."""

from django.db import migrations

CATEGORIES = [
    ("untested-downstream-dependency", "Untested downstream dependency",
     "A consumer of the changed job or data was not run before release."),
    ("environment-specific-configuration", "Environment-specific configuration",
     "A setting that differs per environment was wrong or missing in one of them."),
    ("data-or-schema-change", "Data or schema change",
     "Input data, a table or a schema changed in a way the code did not expect."),
    ("missing-or-weak-tests", "Missing or weak tests", "No test, or a test that could not fail, covered the change."),
    ("deployment-or-release-process", "Deployment or release process",
     "The release steps themselves went wrong or were skipped."),
    ("external-dependency", "External dependency", "A service, library or vendor outside our control changed or failed."),
    ("capacity-or-performance", "Capacity or performance", "The change ran out of memory, time or quota at production scale."),
    ("environment-drift", "Environment drift between dev/staging/production",
     "Dev, staging and production no longer matched, so a check in one proved nothing about another."),
    ("manual-operation-error", "Manual operation error", "A step done by hand was done wrong."),
]

DEFAULT_CHECKLIST = [
    "Ran all downstream jobs end-to-end in staging",
    "Reviewed the configuration diff for the target environment",
    "Automated data-quality checks passed",
    "Release verified by an automated check, not by eye",
    "Rollback plan written",
]

GROUPS = ["engineers", "leads"]


def seed(apps, schema_editor):
    FailureCategory = apps.get_model("postmortems", "FailureCategory")
    ChecklistTemplate = apps.get_model("postmortems", "ChecklistTemplate")
    ChecklistTemplateVersion = apps.get_model("postmortems", "ChecklistTemplateVersion")
    ChecklistItem = apps.get_model("postmortems", "ChecklistItem")
    Group = apps.get_model("auth", "Group")
    for slug, name, description in CATEGORIES:
        FailureCategory.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})
    template, _ = ChecklistTemplate.objects.get_or_create(
        name="Deploy and verification checklist", defaults={"is_default": True}
    )
    if not ChecklistTemplateVersion.objects.filter(template=template).exists():
        version = ChecklistTemplateVersion.objects.create(
            template=template, number=1, change_note="Initial checklist"
        )
        for position, text in enumerate(DEFAULT_CHECKLIST, start=1):
            ChecklistItem.objects.create(version=version, position=position, text=text)
    for name in GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("postmortems", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
