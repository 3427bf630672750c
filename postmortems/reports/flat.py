"""The JSON shape shared by the report's dataclasses: a flat object of the fields, in order."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, Self

JSON = dict[str, Any]


class _Flat:
    """A dataclass whose JSON object is its fields, in order, under their own names."""

    def as_json(self) -> JSON:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, data: JSON) -> Self:
        return cls(**{f.name: data[f.name] for f in fields(cls)})
