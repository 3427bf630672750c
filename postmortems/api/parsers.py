"""The API's one request format: JSON, refused whole when no field could be stored."""

from __future__ import annotations

import io

from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import JSONParser

from ..untrusted import MAX_JSON_DEPTH, NUL_MESSAGE, nul_field, too_deep


class UntrustedJSONParser(JSONParser):
    """JSON with two refusals no serializer field makes for every other (SPEC §8):

    - nesting deeper than MAX_JSON_DEPTH: 400 instead of Python's RecursionError (a 500);
    - U+0000 in any text: 400 naming the field. Text fields refuse it themselves,
      but a slug, username or name looked up in the database (`"team": "a\\u0000"`) would
      reach PostgreSQL, which cannot hold it in text.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read()
        try:
            data = super().parse(io.BytesIO(body), media_type, parser_context)
            deep = too_deep(body, data)
        except RecursionError:  # Python's json gives up by itself near 1000 levels
            deep = True
        if deep:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels.")
        field = nul_field(data)
        if field is not None:
            raise ValidationError({field: [NUL_MESSAGE]})
        return data
