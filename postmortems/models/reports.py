"""Stored monthly report snapshots: what the leads reviewed, frozen."""

from django.db import models
from django.utils import timezone


class ReportSnapshot(models.Model):
    """The monthly reliability report JSON for one month and one scope, as it was generated."""

    month = models.DateField(help_text="First day of the report month (in TIME_ZONE).")
    # "" for every team, "team:<slug>" or "repository:<owner/name>": one snapshot per month and scope.
    scope = models.CharField(max_length=260, blank=True, default="")
    team = models.ForeignKey("Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    repository = models.ForeignKey("Repository", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    data = models.JSONField()
    generated_at = models.DateTimeField(default=timezone.now)
    # Set once the leads were mailed, so a re-run of the beat job never mails twice.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month", "scope"]
        constraints = [
            models.UniqueConstraint(fields=["month", "scope"], name="report_snapshot_unique_month_scope"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="report_snapshot_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"Report {self.month:%Y-%m} {self.scope or 'all teams'}"

    @property
    def month_label(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def scope_label(self) -> str:
        return self.scope.split(":", 1)[1] if self.scope else "All teams"
