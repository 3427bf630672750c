"""Every enumeration of the domain, and the one colour map templates and charts share."""

from django.db import models


class PostmortemStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    DISMISSED = "dismissed", "Dismissed"


class Severity(models.TextChoices):
    SEV1 = "SEV1", "SEV1 — critical"
    SEV2 = "SEV2", "SEV2 — major"
    SEV3 = "SEV3", "SEV3 — minor"
    SEV4 = "SEV4", "SEV4 — low"


class DetectionMethod(models.TextChoices):
    AUTOMATED_ALERT = "automated_alert", "Automated alert"
    AUTOMATED_CHECK = "automated_check", "Automated check"
    MANUAL_CHECK = "manual_check", "Manual check (eyeball)"
    CUSTOMER_REPORT = "customer_report", "Customer report"
    ENGINEER_NOTICED = "engineer_noticed", "Engineer noticed"


class CaughtIn(models.TextChoices):
    DEV = "dev", "Dev"
    STAGING = "staging", "Staging"
    PRODUCTION = "production", "Production"
    NONE = "none", "Nowhere"


class Trigger(models.TextChoices):
    CODE = "code", "Code change"
    CONFIG = "config", "Configuration change"
    DATA = "data", "Data change"
    SCHEMA = "schema", "Schema change"
    INFRASTRUCTURE = "infrastructure", "Infrastructure"
    DEPENDENCY = "dependency", "Dependency"
    MANUAL_OPERATION = "manual_operation", "Manual operation"


class ActionKind(models.TextChoices):
    TEST = "test", "Test"
    AUTOMATION = "automation", "Automation"
    MONITORING = "monitoring", "Monitoring"
    CHECKLIST = "checklist", "Checklist step"
    PROCESS = "process", "Process"
    DOCUMENTATION = "documentation", "Documentation"
    TEMPORARY_MITIGATION = "temporary_mitigation", "Temporary mitigation"


# Done actions of these kinds must link to what proves them (a PR, a test, a CI job).
# The report's key for postmortems without a category; no real category may take this slug.
UNCATEGORISED_SLUG = "uncategorised"

KINDS_NEEDING_EVIDENCE = frozenset(
    {ActionKind.TEST, ActionKind.AUTOMATION, ActionKind.MONITORING, ActionKind.CHECKLIST}
)
# A manual (eyeball) detection must be replaced by one of these.
KINDS_REPLACING_MANUAL_CHECK = frozenset({ActionKind.AUTOMATION, ActionKind.MONITORING, ActionKind.TEST})


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    WONT_DO = "wont_do", "Won't do"


class AssessmentStatus(models.TextChoices):
    FOLLOWED = "followed", "Followed"
    SKIPPED = "skipped", "Skipped"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class EvidenceRule(models.TextChoices):
    """What evidence can answer a checklist step by itself (SPEC §10)."""

    STAGING_DEPLOYMENT = "staging_deployment", "A successful staging deployment before production"
    STAGING_CHECKS = "staging_checks", "Staging deployment and every staging check succeeded"


class AssessmentSource(models.TextChoices):
    """Who gave a checklist answer: the tracker from evidence, or a person."""

    EVIDENCE = "evidence", "Evidence"
    PERSON = "person", "Person"


class TimelineKind(models.TextChoices):
    """The kinds of entries on a record's timeline (SPEC §10)."""

    MERGE = "merge", "Merge"
    DEPLOYMENT = "deployment", "Deployment"
    CHECK = "check", "Check"
    DETECTED = "detected", "Detected"
    RESOLVED = "resolved", "Resolved"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    NOTE = "note", "Note"


class GapKind(models.TextChoices):
    SKIPPED = "skipped", "Skipped step"
    INEFFECTIVE = "ineffective", "Ineffective step"
    MISSING = "missing", "Missing step"
    NONE = "none", "No gap"


class StagingVerification(models.TextChoices):
    """Whether a merged PR ran in staging before it reached production (SPEC §10)."""

    VERIFIED = "verified", "Verified in staging"
    SKIPPED = "skipped", "Skipped staging"
    UNKNOWN = "unknown", "Unknown (no staging evidence yet)"
    PENDING = "pending", "Not in production yet"


class StagingOverride(models.TextChoices):
    """What a person may set instead of a computed `skipped` (SPEC §10: matching by commit can miss)."""

    VERIFIED = "verified", "Verified in staging"
    SKIPPED = "skipped", "Skipped staging"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSED = "processed", "Processed"
    IGNORED = "ignored", "Ignored"
    FAILED = "failed", "Failed"


class WritebackState(models.TextChoices):
    NOT_SENT = "not_sent", "Not sent"
    PENDING = "pending", "Retrying"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    DISABLED = "disabled", "Disabled"


class InstallationState(models.TextChoices):
    """Whether the GitHub App's installation can still act for its repositories (SPEC §13)."""

    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    REVOKED = "revoked", "Uninstalled or revoked"


class ReviewEventKind(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    DISMISSED = "dismissed", "Dismissed"
    FLAGGED = "flagged", "Flagged for a lead"


class EvidenceKind(models.TextChoices):
    """What an evidence row says about a commit (SPEC §10)."""

    DEPLOYMENT = "deployment", "Deployment"
    CHECK = "check", "Check"


class Stage(models.TextChoices):
    """Where an environment sits on the way to production."""

    DEVELOPMENT = "development", "Development"
    STAGING = "staging", "Staging"
    PRODUCTION = "production", "Production"
    OTHER = "other", "Other"


class EvidenceStatus(models.TextChoices):
    SUCCESS = "success", "Success"
    FAILURE = "failure", "Failure"
    ERROR = "error", "Error"
    CANCELLED = "cancelled", "Cancelled"
    IN_PROGRESS = "in_progress", "In progress"
    PENDING = "pending", "Pending"


class EvidenceSource(models.TextChoices):
    GITHUB = "github", "GitHub webhook"
    API = "api", "Evidence API"
    BACKFILL = "backfill", "Backfill"


# One colour per value, used by templates (badges) and charts alike so a status or a
# severity looks the same everywhere. Colours meet WCAG AA contrast on white text.
COLOURS: dict[str, str] = {
    PostmortemStatus.DRAFT: "#5b6470",
    PostmortemStatus.IN_REVIEW: "#1f5fbf",
    PostmortemStatus.APPROVED: "#1e7a3c",
    PostmortemStatus.DISMISSED: "#6b5b7a",
    Severity.SEV1: "#b42318",
    Severity.SEV2: "#c2410c",
    Severity.SEV3: "#a16207",
    Severity.SEV4: "#4d6b2f",
    ActionStatus.OPEN: "#5b6470",
    ActionStatus.IN_PROGRESS: "#1f5fbf",
    ActionStatus.DONE: "#1e7a3c",
    ActionStatus.WONT_DO: "#6b5b7a",
    GapKind.SKIPPED: "#c2410c",
    GapKind.INEFFECTIVE: "#a16207",
    GapKind.MISSING: "#b42318",
    GapKind.NONE: "#1e7a3c",
    DetectionMethod.AUTOMATED_ALERT: "#1e7a3c",
    DetectionMethod.AUTOMATED_CHECK: "#2f855a",
    DetectionMethod.MANUAL_CHECK: "#c2410c",
    DetectionMethod.CUSTOMER_REPORT: "#b42318",
    DetectionMethod.ENGINEER_NOTICED: "#1f5fbf",
    StagingVerification.VERIFIED: "#1e7a3c",
    StagingVerification.SKIPPED: "#b42318",
    StagingVerification.UNKNOWN: "#5b6470",
    StagingVerification.PENDING: "#1f5fbf",
}


def colour_for(value: str) -> str:
    """The colour of a choice value; a neutral grey for anything unmapped."""
    return COLOURS.get(value, "#5b6470")


# --- Follow-through (SPEC §11) ------------------------------------------------------


class IssueSyncState(models.TextChoices):
    """Where a prevention action's GitHub issue stands, as the record page shows it."""

    PENDING = "pending", "Waiting to be sent"
    RETRYING = "retrying", "Retrying"
    DONE = "done", "In step"
    FAILED = "failed", "Failed"
    DISABLED = "disabled", "Off"


class SlackMessageKind(models.TextChoices):
    RECORD_OPENED = "record_opened", "Record opened"
    WEEKLY_DIGEST = "weekly_digest", "Weekly digest"
    MONTHLY_SUMMARY = "monthly_summary", "Monthly summary"
    TEST = "test", "Test message"


class SlackMessageStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Delivered"
    FAILED = "failed", "Failed"


class ReminderReason(models.TextChoices):
    ACTION_PAST_DUE = "action_past_due", "Action past due"
    MITIGATION_EXPIRED = "mitigation_expired", "Temporary mitigation expired"
