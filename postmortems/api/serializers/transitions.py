"""The bodies of the workflow transitions that take one."""

from __future__ import annotations

from rest_framework import serializers

from ._common import LONG_TEXT


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=LONG_TEXT, help_text="What the owner needs to change.")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=LONG_TEXT, help_text="Why this record is dismissed.")
