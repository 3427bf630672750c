"""Follow-through where people work (SPEC §11): action issues, Slack messages, action reminders.

Each row records an outside effect so it is made once: the GitHub issue of an action
(with the state of its last sync), a Slack message claimed before it is sent, and the
last reminder mailed about an action.
"""

from django.db import models
from django.utils import timezone

from ..choices import IssueSyncState, ReminderReason, SlackMessageKind, SlackMessageStatus
from ._constraints import choice_constraint


class ActionIssue(models.Model):
    """The GitHub issue that tracks one prevention action, and what we last knew of it.

    `remote_*` is the issue as GitHub last told us (a delivery or an API answer), with its
    `updated_at`, so a stale or echoed delivery can be recognised and ignored.
    """

    # SET_NULL: an action taken off a draft leaves its issue row behind, to close the issue.
    action = models.OneToOneField(
        "PreventionAction", null=True, blank=True, on_delete=models.SET_NULL, related_name="issue"
    )
    repository = models.CharField(max_length=200, help_text='Where the issue lives, "owner/name".')
    number = models.PositiveIntegerField(null=True, blank=True)
    github_id = models.BigIntegerField(null=True, blank=True, unique=True)
    url = models.URLField(max_length=500, blank=True)
    state = models.CharField(max_length=16, choices=IssueSyncState.choices, default=IssueSyncState.PENDING)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    remote_state = models.CharField(max_length=16, blank=True, help_text="open or closed, as GitHub last said.")
    remote_state_reason = models.CharField(max_length=32, blank=True)
    remote_assignee = models.CharField(max_length=100, blank=True)
    remote_updated_at = models.DateTimeField(null=True, blank=True)
    # Shown on the action, e.g. when an issue was closed without the change that proves it.
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            choice_constraint("state", IssueSyncState),
            models.UniqueConstraint(
                fields=["repository", "number"],
                condition=models.Q(number__isnull=False),
                name="action_issue_unique_number",
            ),
        ]
        indexes = [models.Index(fields=["state", "updated_at"], name="action_issue_state_idx")]

    def __str__(self) -> str:
        return f"{self.repository}#{self.number}" if self.number else f"issue of action {self.action_id} (not yet)"


class SlackMessage(models.Model):
    """One Slack message, claimed before it is sent: unique per kind, channel, item and period.

    Slack cannot be searched for a marker the way GitHub can, so the row is the marker.
    An answer lost on the way back (a timeout after Slack may have posted) is retried at
    most once, so such a message is duplicated at most once.
    """

    kind = models.CharField(max_length=24, choices=SlackMessageKind.choices)
    team = models.ForeignKey("Team", null=True, blank=True, on_delete=models.CASCADE, related_name="slack_messages")
    # "team:<id>" or "default": which webhook the message goes to.
    channel = models.CharField(max_length=40)
    item = models.CharField(max_length=100, blank=True, help_text="What it is about, e.g. postmortem:12.")
    period = models.CharField(max_length=40, blank=True, help_text="e.g. 2026-W11 or 2026-03.")
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=SlackMessageStatus.choices, default=SlackMessageStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Set once an attempt ended without knowing whether Slack posted; one more try at most.
    uncertain = models.BooleanField(default=False)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    attempted_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            choice_constraint("kind", SlackMessageKind),
            choice_constraint("status", SlackMessageStatus),
            models.UniqueConstraint(fields=["kind", "channel", "item", "period"], name="slack_message_once"),
        ]
        indexes = [models.Index(fields=["team", "status", "created_at"], name="slack_message_team_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.item} {self.period} → {self.channel}"


class ActionReminder(models.Model):
    """When the owner of an action was last reminded about it, per reason: at most once a week."""

    action = models.ForeignKey("PreventionAction", on_delete=models.CASCADE, related_name="reminders")
    reason = models.CharField(max_length=24, choices=ReminderReason.choices)
    last_sent_on = models.DateField(null=True, blank=True)
    times_sent = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            choice_constraint("reason", ReminderReason),
            models.UniqueConstraint(fields=["action", "reason"], name="action_reminder_once_per_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.reason} for action {self.action_id} (last {self.last_sent_on})"
