"""The record's timeline in the API: read it, or add a line by hand (a draft's editors)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from ... import services, timeline
from .. import serializers as s


class TimelineMixin:
    """`GET/POST …/postmortems/{id}/timeline/`, mixed into the postmortem viewset (which gives `_editable`)."""

    @extend_schema(
        methods=["GET"],
        summary="The record's timeline, oldest first",
        description="Built from merges, deployment and check evidence, the record's own moments, "
        "and the lines people added.",
        request=None,
        responses=s.TimelineEntrySerializer(many=True),
        filters=False,
    )
    @extend_schema(
        methods=["POST"],
        summary="Add a line to the timeline of a draft",
        request=s.TimelineNoteInputSerializer,
        responses={201: s.TimelineEntrySerializer(many=True)},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def timeline(self, request, pk=None):
        if request.method == "GET":
            entries = timeline.record_timeline(self.get_object())
            return Response(s.TimelineEntrySerializer(entries, many=True).data)
        postmortem = self._editable()
        data = s.TimelineNoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.timeline_note_add(postmortem=postmortem, actor=request.user, **data.validated_data)
        entries = timeline.record_timeline(postmortem)
        return Response(s.TimelineEntrySerializer(entries, many=True).data, status=status.HTTP_201_CREATED)
