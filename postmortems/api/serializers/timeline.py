"""A record's timeline (SPEC §10): built entries, and a line a person adds."""

from __future__ import annotations

from rest_framework import serializers

from ...choices import TimelineKind


class TimelineEntrySerializer(serializers.Serializer):
    """One moment of the record's story, oldest first; `url` blank when there is nothing to link."""

    at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=TimelineKind.choices)
    title = serializers.CharField()
    url = serializers.CharField(allow_blank=True)


class TimelineNoteInputSerializer(serializers.Serializer):
    at = serializers.DateTimeField(help_text="When it happened.")
    text = serializers.CharField(max_length=300, help_text="One line, e.g. “Paged the data team”.")
