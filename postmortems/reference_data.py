"""The reference data every installation starts with: failure taxonomy, default checklist, groups.

Written by a data migration; tests that flush the database (transactional tests)
put it back with the same function.
"""

from collections.abc import Callable

CATEGORIES = [
    (
        "untested-downstream-dependency",
        "Untested downstream dependency",
        "A consumer of the changed job or data was not run before release.",
    ),
    (
        "environment-specific-configuration",
        "Environment-specific configuration",
        "A setting that differs per environment was wrong or missing in one of them.",
    ),
    (
        "data-or-schema-change",
        "Data or schema change",
        "Input data, a table or a schema changed in a way the code did not expect.",
    ),
    ("missing-or-weak-tests", "Missing or weak tests", "No test, or a test that could not fail, covered the change."),
    (
        "deployment-or-release-process",
        "Deployment or release process",
        "The release steps themselves went wrong or were skipped.",
    ),
    (
        "external-dependency",
        "External dependency",
        "A service, library or vendor outside our control changed or failed.",
    ),
    (
        "capacity-or-performance",
        "Capacity or performance",
        "The change ran out of memory, time or quota at production scale.",
    ),
    (
        "environment-drift",
        "Environment drift between dev/staging/production",
        "Dev, staging and production no longer matched, so a check in one proved nothing about another.",
    ),
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


def ensure_reference_data(get_model: Callable | None = None) -> None:
    """Create whatever reference rows are missing; existing rows are left as they are."""
    if get_model is None:
        from django.apps import apps

        get_model = apps.get_model
    FailureCategory = get_model("postmortems", "FailureCategory")
    ChecklistTemplate = get_model("postmortems", "ChecklistTemplate")
    ChecklistTemplateVersion = get_model("postmortems", "ChecklistTemplateVersion")
    ChecklistItem = get_model("postmortems", "ChecklistItem")
    Group = get_model("auth", "Group")
    for slug, name, description in CATEGORIES:
        FailureCategory.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})
    template, _ = ChecklistTemplate.objects.get_or_create(
        name="Deploy and verification checklist", defaults={"is_default": True}
    )
    if not ChecklistTemplateVersion.objects.filter(template=template).exists():
        version = ChecklistTemplateVersion.objects.create(template=template, number=1, change_note="Initial checklist")
        for position, text in enumerate(DEFAULT_CHECKLIST, start=1):
            ChecklistItem.objects.create(version=version, position=position, text=text)
    for name in GROUPS:
        Group.objects.get_or_create(name=name)
