"""OpenAPI extras: the error bodies every operation can answer with, documented once."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

DetailSerializer = inline_serializer(
    name="ErrorDetail",
    fields={"detail": serializers.CharField(help_text="What went wrong, in words.")},
)

FIELD_REASONS_DESCRIPTION = (
    "Field-keyed reasons: each key is the field (or `non_field_errors`) and its value the list of "
    'messages, e.g. `{"root_cause": ["Explain the root cause in at least 40 characters."]}`. '
    "Nested input answers with the same shape per entry."
)

# The rules of SPEC §3 answer `{field: [message, ...]}`; DRF's own validation uses the same shape.
FIELD_REASONS_SCHEMA = {
    "type": "object",
    "description": FIELD_REASONS_DESCRIPTION,
    "additionalProperties": {},
}

_ERRORS_FOR_ALL = {
    "401": OpenApiResponse(DetailSerializer, description="Not signed in (send a session cookie or `Token <key>`)."),
    "403": OpenApiResponse(DetailSerializer, description="Signed in, but the rules do not let you do this."),
    "429": OpenApiResponse(DetailSerializer, description="Too many requests; retry after `Retry-After` seconds."),
}


class ApiAutoSchema(AutoSchema):
    """Adds 400/401/403/404/429 with their bodies to every operation of our API."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        extra = dict(_ERRORS_FOR_ALL)
        if self._has_path_id() or self.method != "GET" or self._is_list_view():
            extra["404"] = OpenApiResponse(DetailSerializer, description="No such record, or not one you may see.")
        if self.method in ("POST", "PUT", "PATCH") or self._is_list_view():
            extra["400"] = OpenApiResponse(FIELD_REASONS_SCHEMA, description="Invalid input, or a rule is not met.")
        for code, response in extra.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses

    def _has_path_id(self) -> bool:
        return "{" in self.path
