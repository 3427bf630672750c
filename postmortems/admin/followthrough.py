"""The admin of follow-through (SPEC §11) and of hand-written timeline lines: shown, never changed here."""

from django.contrib import admin

from ..models import ActionIssue, ActionReminder, SlackMessage, TimelineNote
from .mixins import RecordMixin

# --- Follow-through (SPEC §11): what was sent where, read-only -----------------------


@admin.register(ActionIssue)
class ActionIssueAdmin(RecordMixin, admin.ModelAdmin):
    list_display = ("__str__", "action", "state", "remote_state", "attempts", "updated_at")
    list_filter = ("state", "remote_state")
    search_fields = ("repository", "url", "error", "note")
    raw_id_fields = ("action",)
    readonly_fields = [f.name for f in ActionIssue._meta.fields if f.name != "id"]


@admin.register(SlackMessage)
class SlackMessageAdmin(RecordMixin, admin.ModelAdmin):
    # The webhook URL is not on this row: only the channel key ("team:<id>" or "default").
    list_display = ("kind", "team", "channel", "item", "period", "status", "attempts", "created_at")
    list_filter = ("kind", "status")
    search_fields = ("item", "period", "last_error")
    readonly_fields = [f.name for f in SlackMessage._meta.fields if f.name != "id"]


@admin.register(ActionReminder)
class ActionReminderAdmin(RecordMixin, admin.ModelAdmin):
    list_display = ("action", "reason", "last_sent_on", "times_sent")
    list_filter = ("reason",)
    search_fields = ("action__description",)
    raw_id_fields = ("action",)


@admin.register(TimelineNote)
class TimelineNoteAdmin(RecordMixin, admin.ModelAdmin):
    list_display = ("at", "text", "postmortem", "created_by")
    list_select_related = ("postmortem", "created_by")
    raw_id_fields = ("postmortem", "created_by")
