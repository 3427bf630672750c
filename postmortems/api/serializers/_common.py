"""What the serializer modules share."""

from __future__ import annotations

from rest_framework import serializers

from ...selectors import repository_named

# Free text is bounded so one request cannot store megabytes in a record.
LONG_TEXT = 20_000


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
