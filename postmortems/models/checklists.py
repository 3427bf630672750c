"""Deploy checklists (versioned) and each postmortem's assessment against one."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from ..choices import AssessmentSource, AssessmentStatus, EvidenceRule
from ._constraints import choice_constraint


class ChecklistTemplate(models.Model):
    """A named deploy/verification checklist. Its items live in immutable versions."""

    name = models.CharField(max_length=200, unique=True)
    is_default = models.BooleanField(default=False, help_text="Used by repositories without their own template.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="one_default_checklist_template"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ChecklistTemplateVersion(models.Model):
    """One frozen version of a template; editing a template makes a new version."""

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)
    change_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="checklist_version_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.template.name} v{self.number}"


class ChecklistItem(models.Model):
    """One ordered step of a checklist version."""

    version = models.ForeignKey(ChecklistTemplateVersion, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveIntegerField()
    text = models.CharField(max_length=300)
    # Evidence that answers this step by itself (SPEC §10); blank: only a person can.
    evidence_rule = models.CharField(max_length=32, choices=EvidenceRule.choices, blank=True)

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="checklist_item_unique_position"),
            choice_constraint("evidence_rule", EvidenceRule, blank=True),
        ]

    def __str__(self) -> str:
        return self.text


class ChecklistAssessment(models.Model):
    """How one checklist step fared in one incident."""

    postmortem = models.ForeignKey("Postmortem", on_delete=models.PROTECT, related_name="assessments")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(max_length=16, choices=AssessmentStatus.choices)
    # For a skipped step: would following it have caught this incident?
    would_have_caught = models.BooleanField(null=True, blank=True)
    # For a followed step: it should have caught the incident and did not.
    ineffective = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    # Who answered (SPEC §10): the tracker from the introducing PR's evidence, or a person.
    source = models.CharField(max_length=16, choices=AssessmentSource.choices, default=AssessmentSource.PERSON)
    # What the evidence said, kept beside a person's override: links ({label, url}), the answer and why.
    evidence = models.JSONField(default=list, blank=True)
    evidence_status = models.CharField(max_length=16, choices=AssessmentStatus.choices, blank=True)
    evidence_reason = models.CharField(max_length=500, blank=True)
    override_reason = models.TextField(blank=True, help_text="Why a person's answer differs from the evidence.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["item__position"]
        constraints = [
            models.UniqueConstraint(fields=["postmortem", "item"], name="assessment_unique_per_item"),
            choice_constraint("status", AssessmentStatus),
            models.CheckConstraint(
                condition=models.Q(ineffective=False) | models.Q(status=AssessmentStatus.FOLLOWED),
                name="assessment_ineffective_only_if_followed",
            ),
            models.CheckConstraint(
                condition=models.Q(would_have_caught__isnull=True) | models.Q(status=AssessmentStatus.SKIPPED),
                name="assessment_would_have_caught_only_if_skipped",
            ),
            choice_constraint("source", AssessmentSource),
            choice_constraint("evidence_status", AssessmentStatus, blank=True),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.status}"


class MissingChecklistItem(models.Model):
    """A step no checklist had that would have caught the incident; a lead may promote it."""

    postmortem = models.ForeignKey("Postmortem", on_delete=models.PROTECT, related_name="missing_items")
    text = models.CharField(max_length=300)
    proposed_at = models.DateTimeField(default=timezone.now)
    promoted_to = models.ForeignKey(
        ChecklistItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="promoted_from"
    )
    promoted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    history = HistoricalRecords()

    class Meta:
        ordering = ["proposed_at", "pk"]
        indexes = [models.Index(fields=["proposed_at"], name="missing_item_proposed_idx")]

    def __str__(self) -> str:
        return self.text
