"""What the serializer modules share."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ...selectors import repository_named
from ...untrusted import safe_link

# Free text is bounded so one request cannot store megabytes in a record.
LONG_TEXT = 20_000


@extend_schema_field(OpenApiTypes.URI)
class SafeLinkField(serializers.Field):
    """A URL we were handed (a PR's `html_url`), read-only: null unless it may be a link (SPEC §8)."""

    def __init__(self, **kwargs) -> None:
        kwargs.update(read_only=True, allow_null=True)
        kwargs.setdefault("help_text", "https link, or null when the address given to us is not one.")
        super().__init__(**kwargs)

    def to_representation(self, value: str) -> str | None:
        return safe_link(value) or None


class RepositoryNameField(serializers.SlugRelatedField):
    """A repository by "owner/name": its name now, or a former one (renamed or transferred, SPEC §13)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "full_name")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        repository = repository_named(str(data)) if isinstance(data, str) else None
        if repository is None:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return repository
