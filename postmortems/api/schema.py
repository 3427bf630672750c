"""OpenAPI extras, so the schema says what the API does: the error bodies every operation
can answer with, and the text rules every request field follows (SPEC §8), documented once."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

# Text sent to the API never holds U+0000 (the parser refuses it); a required text must hold
# something besides whitespace (DRF trims before checking). "Whitespace" is Python's
# str.isspace(), spelled out so that ECMA engines (whose \s lacks \x1c-\x1f and \x85) agree.
ANY_TEXT = r"^[^\u0000]*$"
NON_BLANK_TEXT = r"^[^\u0000]*[^\s\u0000\u001c-\u001f\u0085][^\u0000]*$"
# What Django's URLValidator (behind DRF's URLField) requires at the least: its schemes, a host, no space.
URL_TEXT = r"^(?:[hH][tT][tT][pP][sS]?|[fF][tT][pP][sS]?)://[^\s/?#]+(?:[/?#]\S*)?$"

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

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request":  # after DRF's own validators (lengths, patterns) are in
            for field in serializer.fields.values():
                _add_text_rules(field, schema["properties"].get(field.field_name))
        return schema

    def _unwrap_list_serializer(self, serializer, direction):
        schema = super()._unwrap_list_serializer(serializer, direction)
        # `Serializer(many=True, allow_empty=False, max_length=…)` as a whole body.
        if isinstance(serializer, serializers.ListSerializer) and isinstance(schema, dict):
            if not serializer.allow_empty:
                schema["minItems"] = 1
            if serializer.max_length is not None:
                schema["maxItems"] = serializer.max_length
        return schema

    def _get_pagination_parameters(self):
        parameters = super()._get_pagination_parameters()
        for parameter in parameters:
            if parameter["name"] == "page":  # page 0 or below answers 404
                parameter["schema"]["minimum"] = 1
        return parameters


def _add_text_rules(field: serializers.Field, schema: dict | None) -> None:
    """The NUL, blank and URL rules of a request field's text, where it has no stricter shape."""
    if not schema:
        return
    if isinstance(field, serializers.ListField | serializers.ManyRelatedField):
        child = field.child if isinstance(field, serializers.ListField) else field.child_relation
        _add_text_rules(child, schema.get("items"))
        return
    for option in schema.get("oneOf", [schema]):  # blank-allowed formats are `format | ""`
        if option.get("type") != "string" or option.get("maxLength") == 0:
            continue
        if isinstance(field, serializers.URLField):
            option["pattern"] = URL_TEXT
        elif not option.keys() & {"pattern", "format", "enum"}:
            required = isinstance(field, serializers.CharField) and not field.allow_blank and field.trim_whitespace
            option["pattern"] = NON_BLANK_TEXT if required else ANY_TEXT
