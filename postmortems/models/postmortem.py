"""The postmortem record, its taxonomy and its review trail."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from ..choices import (
    UNCATEGORISED_SLUG,
    CaughtIn,
    DetectionMethod,
    GapKind,
    PostmortemStatus,
    ReviewEventKind,
    Severity,
    Trigger,
)
from ._constraints import choice_constraint

OPEN_STATUSES = (PostmortemStatus.DRAFT, PostmortemStatus.IN_REVIEW)


class FailureCategory(models.Model):
    """One entry of the editable failure taxonomy. Retired, never deleted while in use."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True, help_text="Retired categories stay on old records.")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "failure categories"
        constraints = [
            models.CheckConstraint(condition=~models.Q(slug=UNCATEGORISED_SLUG), name="category_slug_not_reserved")
        ]

    def __str__(self) -> str:
        return self.name


class Postmortem(models.Model):
    """The root-cause and prevention record for one incident (one or more hotfix PRs)."""

    title = models.CharField(max_length=300)
    status = models.CharField(max_length=16, choices=PostmortemStatus.choices, default=PostmortemStatus.DRAFT)
    severity = models.CharField(max_length=4, choices=Severity.choices, blank=True)
    summary = models.TextField(blank=True)
    impact = models.TextField(blank=True, help_text="Customer and business impact (Markdown).")
    detected_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    detection_method = models.CharField(max_length=20, choices=DetectionMethod.choices, blank=True)
    caught_in = models.CharField(
        max_length=12, choices=CaughtIn.choices, blank=True, help_text="Where it should have been caught."
    )
    trigger = models.CharField(max_length=20, choices=Trigger.choices, blank=True)
    root_cause = models.TextField(blank=True, help_text="Markdown; at least 40 characters to submit.")
    category = models.ForeignKey(
        FailureCategory, null=True, blank=True, on_delete=models.PROTECT, related_name="postmortems"
    )
    contributing_categories = models.ManyToManyField(FailureCategory, blank=True, related_name="contributing_to")
    repository = models.ForeignKey(
        "Repository", null=True, blank=True, on_delete=models.PROTECT, related_name="postmortems"
    )
    team = models.ForeignKey("Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="postmortems")
    # Indexed with the id below (visibility reads "records they own" from the index alone).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_postmortems",
        db_index=False,
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviewed_postmortems",
        db_index=False,
    )
    due_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissal_reason = models.TextField(blank=True)
    checklist_version = models.ForeignKey(
        "ChecklistTemplateVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="postmortems"
    )
    introduced_by = models.ForeignKey(
        "MergedPullRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="introduced_postmortems",
        help_text="The PR that introduced the defect, if known.",
    )
    prior_occurrences = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="later_occurrences")
    recurred_despite_prevention = models.BooleanField(default=False)
    # SPEC §12: what the incident cost, so the report can set it against the upkeep left undone.
    effort_hours = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Engineer-hours the incident and its hotfix took (optional).",
    )
    # Maintained by the services from the assessment, so reports count without joins.
    # An incident can have several gap kinds; `gap_kind` is the first of them in the
    # order skipped, ineffective, missing ("none" when the checklist held, blank
    # until the checklist has been assessed).
    gap_kind = models.CharField(max_length=12, choices=GapKind.choices, blank=True)
    gap_skipped = models.BooleanField(default=False)
    gap_ineffective = models.BooleanField(default=False)
    gap_missing = models.BooleanField(default=False)
    # The instant that places the record in a report month: its earliest hotfix merge,
    # or resolved_at when it has no PR. Maintained by the services.
    anchor_at = models.DateTimeField(null=True, blank=True)
    # Set when a hotfix PR of this record stopped looking like a hotfix: a lead should look.
    needs_dismissal_review = models.BooleanField(default=False)
    # The last working day its owner was reminded that it is overdue (one mail a day).
    reminded_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(m2m_fields=[contributing_categories])

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            choice_constraint("status", PostmortemStatus),
            choice_constraint("severity", Severity, blank=True),
            choice_constraint("detection_method", DetectionMethod, blank=True),
            choice_constraint("caught_in", CaughtIn, blank=True),
            choice_constraint("trigger", Trigger, blank=True),
            choice_constraint("gap_kind", GapKind, blank=True),
            models.CheckConstraint(
                condition=models.Q(effort_hours__isnull=True) | models.Q(effort_hours__gte=0),
                name="postmortem_effort_hours_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(resolved_at__isnull=True)
                | models.Q(detected_at__isnull=True)
                | models.Q(resolved_at__gte=models.F("detected_at")),
                name="postmortem_resolved_after_detected",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=PostmortemStatus.APPROVED) | models.Q(approved_at__isnull=False),
                name="postmortem_approved_has_approved_at",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=PostmortemStatus.DISMISSED) | ~models.Q(dismissal_reason=""),
                name="postmortem_dismissed_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="postmortem_status_due_idx"),
            models.Index(fields=["anchor_at"], name="postmortem_anchor_idx"),
            models.Index(fields=["approved_at"], name="postmortem_approved_idx"),
            models.Index(fields=["owner", "status"], name="postmortem_owner_status_idx"),
            # The monthly report filtered by team or repository.
            models.Index(fields=["team", "anchor_at"], name="postmortem_team_anchor_idx"),
            models.Index(fields=["repository", "anchor_at"], name="postmortem_repo_anchor_idx"),
            # Lists in their sort orders (newest first, due soonest): a page of 25 or 50 is read from
            # the index in order, however many records the user may see (bench/pages).
            models.Index(fields=["created_at", "id"], name="postmortem_created_idx"),
            models.Index(fields=["due_at", "id"], name="postmortem_due_idx"),
            # Every column the visibility rule reads (selectors.visible_postmortems): a list's count for
            # an engineer is read from this narrow index instead of every row of the table.
            models.Index(fields=["team", "owner", "reviewer", "id"], name="postmortem_visibility_idx"),
            # The other reasons to see a record, each read from an index alone (visible_postmortem_ids).
            models.Index(fields=["owner", "id"], name="postmortem_owner_id_idx"),
            models.Index(fields=["reviewer", "id"], name="postmortem_reviewer_id_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    def clean(self) -> None:
        if self.detected_at and self.resolved_at and self.resolved_at < self.detected_at:
            raise ValidationError({"resolved_at": "Resolved time cannot be before the detection time."})

    @property
    def gap_kinds(self) -> list[str]:
        if not self.gap_kind:
            return []
        flags = [
            (GapKind.SKIPPED, self.gap_skipped),
            (GapKind.INEFFECTIVE, self.gap_ineffective),
            (GapKind.MISSING, self.gap_missing),
        ]
        return [kind.value for kind, present in flags if present] or [GapKind.NONE.value]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, now=None) -> bool:
        """Past its due time and still open (draft or in review)."""
        now = now or timezone.now()
        return self.is_open and self.due_at is not None and self.due_at < now


class ReviewEvent(models.Model):
    """A workflow move with the words that came with it (a review comment, a dismissal reason)."""

    postmortem = models.ForeignKey(Postmortem, on_delete=models.CASCADE, related_name="review_events")
    kind = models.CharField(max_length=20, choices=ReviewEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [choice_constraint("kind", ReviewEventKind)]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on #{self.postmortem_id}"
