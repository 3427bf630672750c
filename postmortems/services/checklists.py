"""Checklist templates, their versions, and each postmortem's assessment against one."""

from django.db import transaction
from django.db.models import Max

from ..choices import AssessmentSource, AssessmentStatus, EvidenceRule
from ..models import (
    ChecklistAssessment,
    ChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateVersion,
    MissingChecklistItem,
    Postmortem,
    User,
)
from ..selectors import checklist_version_for, checklist_version_in_force
from ..workflow import WorkflowError, can_edit, can_manage_settings, checklist_gap_kinds, override_reasons
from ._common import require, saved_by


def _steps(items: list[str], evidence_rules: list[str] | None) -> list[tuple[str, str]]:
    """Pair each non-blank step with its evidence rule ('' for none), refusing rules we do not know."""
    rules = list(evidence_rules) if evidence_rules is not None else [""] * len(items)
    if len(rules) != len(items):
        raise WorkflowError({"evidence_rules": ["Give one evidence rule (or an empty one) per step."]})
    unknown = sorted({rule for rule in rules if rule and rule not in EvidenceRule.values})
    if unknown:
        raise WorkflowError({"evidence_rules": [f"Unknown evidence rule {', '.join(unknown)}."]})
    return [(text.strip(), rule or "") for text, rule in zip(items, rules, strict=True) if text and text.strip()]


def checklist_template_revise(
    *,
    template: ChecklistTemplate,
    actor: User | None,
    items: list[str],
    change_note: str = "",
    evidence_rules: list[str] | None = None,
) -> ChecklistTemplateVersion:
    """Make a new version of `template` with `items` in order; earlier versions stay as they were.

    `evidence_rules`, when given, holds one rule per item ('' for a step only a person answers).
    """
    if actor is not None:
        require(can_manage_settings(actor), "Only leads edit checklist templates.")
    steps = _steps(items, evidence_rules)
    texts = [text for text, _ in steps]
    if not texts:
        raise WorkflowError({"items": ["A checklist needs at least one step."]})
    if len(set(t.lower() for t in texts)) != len(texts):
        raise WorkflowError({"items": ["Each step may appear only once."]})
    with transaction.atomic():
        # Lock the template so two leads editing at once get consecutive version numbers.
        ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
        latest = template.versions.aggregate(n=Max("number"))["n"] or 0
        version = ChecklistTemplateVersion.objects.create(
            template=template, number=latest + 1, created_by=actor, change_note=change_note[:300]
        )
        ChecklistItem.objects.bulk_create(
            ChecklistItem(version=version, position=i, text=text[:300], evidence_rule=rule)
            for i, (text, rule) in enumerate(steps, start=1)
        )
    return version


def checklist_template_create(
    *, actor: User | None, name: str, items: list[str], evidence_rules: list[str] | None = None
) -> ChecklistTemplate:
    """A new named checklist (version 1), e.g. for one repository's own deploy steps."""
    if actor is not None:
        require(can_manage_settings(actor), "Only leads edit checklist templates.")
    name = (name or "").strip()
    if not name:
        raise WorkflowError({"name": ["Give the checklist a name."]})
    if ChecklistTemplate.objects.filter(name__iexact=name).exists():
        raise WorkflowError({"name": ["A checklist with this name exists."]})
    with transaction.atomic():
        template = ChecklistTemplate.objects.create(name=name[:200])
        checklist_template_revise(
            template=template, actor=actor, items=items, evidence_rules=evidence_rules, change_note="First version"
        )
    return template


def missing_item_promote(*, missing_item: MissingChecklistItem, actor: User) -> ChecklistTemplateVersion:
    """Add a proposed missing step to the template of its postmortem, as a new version."""
    require(can_manage_settings(actor), "Only leads promote missing steps into a checklist.")
    postmortem = missing_item.postmortem
    current = checklist_version_in_force(postmortem.repository) or postmortem.checklist_version
    if current is None:
        raise WorkflowError({"template": ["There is no checklist template to add this step to."]})
    current_items = list(current.items.all())
    texts = [item.text for item in current_items]
    if missing_item.text.strip().lower() in {t.lower() for t in texts}:
        raise WorkflowError({"text": ["The checklist already has this step."]})
    with transaction.atomic():
        version = checklist_template_revise(
            template=current.template,
            actor=actor,
            items=[*texts, missing_item.text],
            evidence_rules=[*(item.evidence_rule for item in current_items), ""],
            change_note=f"Promoted from postmortem #{postmortem.pk}",
        )
        missing_item.promoted_to = version.items.get(position=len(texts) + 1)
        missing_item.promoted_by = actor
        saved_by(missing_item, actor)
        missing_item.save(update_fields=["promoted_to", "promoted_by"])
    return version


def postmortem_refresh_gap(postmortem: Postmortem) -> None:
    """Recompute the stored gap kinds of `postmortem` from its assessment and missing items."""
    # Read the rows afresh: a caller may hold a prefetched (now stale) assessment list.
    assessments = list(ChecklistAssessment.objects.filter(postmortem=postmortem))
    missing = MissingChecklistItem.objects.filter(postmortem=postmortem).count()
    if not assessments and not missing:
        kinds: list[str] = []
    else:
        kinds = checklist_gap_kinds(assessments, missing)
    postmortem.gap_skipped = "skipped" in kinds
    postmortem.gap_ineffective = "ineffective" in kinds
    postmortem.gap_missing = "missing" in kinds
    postmortem.gap_kind = kinds[0] if kinds else ""
    Postmortem.objects.filter(pk=postmortem.pk).update(
        gap_kind=postmortem.gap_kind,
        gap_skipped=postmortem.gap_skipped,
        gap_ineffective=postmortem.gap_ineffective,
        gap_missing=postmortem.gap_missing,
    )


def checklist_version_pin(postmortem: Postmortem) -> None:
    """Store the version the record is assessed against before its first step is assessed."""
    version = checklist_version_for(postmortem)
    if version and version.pk != postmortem.checklist_version_id:
        postmortem.checklist_version = version
        Postmortem.objects.filter(pk=postmortem.pk).update(checklist_version=version)


def assessment_set(
    *,
    postmortem: Postmortem,
    actor: User | None,
    item: ChecklistItem,
    status: str,
    would_have_caught: bool | None = None,
    ineffective: bool = False,
    note: str = "",
    override_reason: str = "",
) -> ChecklistAssessment:
    """Record how one checklist step fared in this incident.

    Where the deployment evidence answered the step, a different answer needs
    `override_reason` (the edit page and the API both come here); the evidence's answer
    stays on the row beside the person's, and the history keeps both.
    """
    if actor is not None:
        require(can_edit(actor, postmortem), "Only the owner or a lead can edit a draft postmortem.")
    if status not in AssessmentStatus.values:
        raise WorkflowError({"status": [f"Unknown checklist status {status!r}."]})
    with transaction.atomic():
        checklist_version_pin(postmortem)
        if item.version_id != postmortem.checklist_version_id:
            raise WorkflowError(
                {"item": ["This step is not on the checklist version this record is assessed against."]}
            )
        assessment = ChecklistAssessment.objects.filter(postmortem=postmortem, item=item).first()
        assessment = assessment or ChecklistAssessment(postmortem=postmortem, item=item)
        _answer_source(assessment, status, override_reason)
        assessment.status = status
        # Each answer only means something for its own status; keep the row consistent.
        assessment.would_have_caught = would_have_caught if status == AssessmentStatus.SKIPPED else None
        assessment.ineffective = bool(ineffective) if status == AssessmentStatus.FOLLOWED else False
        assessment.note = note
        saved_by(assessment, actor)
        assessment.save()
        postmortem_refresh_gap(postmortem)
    return assessment


def _answer_source(assessment: ChecklistAssessment, status: str, override_reason: str) -> None:
    """Who gave the answer: agreeing with the evidence keeps it the evidence's; differing needs a reason."""
    reason = (override_reason or "").strip() or assessment.override_reason
    if reasons := override_reasons(evidence_status=assessment.evidence_status, status=status, override_reason=reason):
        raise WorkflowError(reasons)
    if assessment.evidence_status and status == assessment.evidence_status:
        assessment.override_reason = ""
        assessment.source = assessment.source or AssessmentSource.PERSON
        return
    assessment.source = AssessmentSource.PERSON
    assessment.override_reason = reason if assessment.evidence_status else ""


def missing_item_add(*, postmortem: Postmortem, actor: User | None, text: str) -> MissingChecklistItem:
    """Propose a step no checklist had that would have caught this incident."""
    if actor is not None:
        require(can_edit(actor, postmortem), "Only the owner or a lead can edit a draft postmortem.")
    text = (text or "").strip()
    if not text:
        raise WorkflowError({"missing_items": ["Describe the missing step."]})
    if len(text) > 300:
        raise WorkflowError({"missing_items": ["Keep a missing step under 300 characters."]})
    with transaction.atomic():
        item = MissingChecklistItem(postmortem=postmortem, text=text)
        saved_by(item, actor)
        item.save()
        postmortem_refresh_gap(postmortem)
    return item


def missing_item_remove(*, missing_item: MissingChecklistItem, actor: User | None) -> None:
    """Withdraw a proposed step from a draft; its history row keeps what it said."""
    postmortem = missing_item.postmortem
    if actor is not None:
        require(can_edit(actor, postmortem), "Only the owner or a lead can edit a draft postmortem.")
    if missing_item.promoted_to_id:
        raise WorkflowError({"missing_items": ["This step is already on a checklist and cannot be withdrawn."]})
    with transaction.atomic():
        saved_by(missing_item, actor)
        missing_item.delete()
        postmortem_refresh_gap(postmortem)
