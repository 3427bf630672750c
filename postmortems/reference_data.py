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

# The default checklist's second version (SPEC §10): the first two steps answer themselves from evidence.
STAGING_DEPLOYMENT_STEP = "Deployed to staging before production"
STAGING_CHECKS_STEP = "Ran all downstream jobs end-to-end in staging"
EVIDENCE_STEPS = [(STAGING_DEPLOYMENT_STEP, "staging_deployment"), (STAGING_CHECKS_STEP, "staging_checks")]
EVIDENCE_CHANGE_NOTE = "Steps the deployment evidence answers"

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
    # Until the migration that adds `evidence_rule` has run, the historical model has no such field.
    if any(field.name == "evidence_rule" for field in ChecklistItem._meta.get_fields()):
        ensure_evidence_checklist(get_model)
    for name in GROUPS:
        Group.objects.get_or_create(name=name)


def ensure_evidence_checklist(get_model: Callable) -> None:
    """Give the default template a new version with the evidence steps first, unless its latest has them.

    The steps of the latest version follow in their order (a step with the same text takes
    its rule), so a lead's edits are kept; records assessed against earlier versions keep them.
    """
    ChecklistTemplate = get_model("postmortems", "ChecklistTemplate")
    ChecklistTemplateVersion = get_model("postmortems", "ChecklistTemplateVersion")
    ChecklistItem = get_model("postmortems", "ChecklistItem")
    template = ChecklistTemplate.objects.filter(is_default=True).first()
    if template is None:
        return
    latest = ChecklistTemplateVersion.objects.filter(template=template).order_by("-number").first()
    texts = list(ChecklistItem.objects.filter(version=latest).order_by("position").values_list("text", flat=True))
    if latest is not None and ChecklistItem.objects.filter(version=latest).exclude(evidence_rule="").exists():
        return
    evidence_texts = {text.lower() for text, _ in EVIDENCE_STEPS}
    steps = [*EVIDENCE_STEPS, *((text, "") for text in texts if text.lower() not in evidence_texts)]
    version = ChecklistTemplateVersion.objects.create(
        template=template, number=(latest.number if latest else 0) + 1, change_note=EVIDENCE_CHANGE_NOTE
    )
    for position, (text, rule) in enumerate(steps, start=1):
        ChecklistItem.objects.create(version=version, position=position, text=text, evidence_rule=rule)
