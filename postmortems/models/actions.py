"""Prevention actions: what will stop the incident from happening again."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from ..choices import KINDS_NEEDING_EVIDENCE, ActionKind, ActionStatus
from ._constraints import choice_constraint


class PreventionAction(models.Model):
    """One prevention action of a postmortem, with an owner, a due date and evidence once done."""

    postmortem = models.ForeignKey("Postmortem", on_delete=models.PROTECT, related_name="actions")
    description = models.TextField()
    kind = models.CharField(max_length=24, choices=ActionKind.choices)
    # Indexed with the record below: "records where they own an action" is read from the index alone.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_actions",
        db_index=False,
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    wont_do_reason = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    evidence_url = models.URLField(max_length=500, blank=True, help_text="Tracking issue, PR, test or CI job.")
    expires_at = models.DateField(null=True, blank=True, help_text="Temporary mitigations only.")
    replaced_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaces",
        help_text="The permanent action that replaces this temporary mitigation.",
    )
    estimate_hours = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Estimated engineer-hours of the work (optional).",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            choice_constraint("kind", ActionKind),
            choice_constraint("status", ActionStatus),
            models.CheckConstraint(
                condition=models.Q(estimate_hours__isnull=True) | models.Q(estimate_hours__gte=0),
                name="action_estimate_hours_not_negative",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ActionStatus.WONT_DO) | ~models.Q(wont_do_reason=""),
                name="action_wont_do_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ActionStatus.DONE) | models.Q(completed_at__isnull=False),
                name="action_done_has_completed_at",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ActionStatus.DONE, kind__in=sorted(k.value for k in KINDS_NEEDING_EVIDENCE))
                | ~models.Q(evidence_url=""),
                name="action_done_has_evidence",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=ActionKind.TEMPORARY_MITIGATION) | models.Q(expires_at__isnull=False),
                name="action_mitigation_has_expiry",
            ),
            models.CheckConstraint(
                condition=models.Q(replaced_by__isnull=True) | ~models.Q(replaced_by=models.F("pk")),
                name="action_not_replaced_by_itself",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "status"], name="action_owner_status_idx"),
            models.Index(fields=["owner", "postmortem"], name="action_owner_record_idx"),
            models.Index(fields=["status", "due_date"], name="action_status_due_idx"),
            # The monthly report: actions created, completed and due per month.
            models.Index(fields=["created_at"], name="action_created_idx"),
            models.Index(fields=["completed_at"], name="action_completed_idx"),
            models.Index(fields=["due_date"], name="action_due_idx"),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    def is_past_due(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS) and bool(
            self.due_date and self.due_date < today
        )
