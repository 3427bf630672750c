"""What the serializer modules share."""

from __future__ import annotations

# Free text is bounded so one request cannot store megabytes in a record.
LONG_TEXT = 20_000
