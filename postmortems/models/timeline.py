"""Lines people add by hand to a record's timeline (SPEC §10); the rest of it is built from facts."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class TimelineNote(models.Model):
    """A moment and one line of text, e.g. “paged the data team” — what no evidence row knows."""

    postmortem = models.ForeignKey("Postmortem", on_delete=models.CASCADE, related_name="timeline_notes")
    at = models.DateTimeField()
    text = models.CharField(max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["postmortem", "at"], name="timeline_note_record_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.text}"
