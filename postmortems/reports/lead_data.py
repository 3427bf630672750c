"""The second edition's parts of a monthly report (SPEC §12): findings, DORA bands, upkeep, teams.

Frozen dataclasses like the rest of `data.py` (which re-exports them), kept apart so the
report's first-edition contract and these additions read, and merge, on their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from .flat import JSON, _Flat


@dataclass(frozen=True)
class FindingLink(_Flat):
    """A link a finding points to: a record, or the records list filtered."""

    label: str
    url: str


@dataclass(frozen=True)
class Finding:
    """One computed finding at the top of the report (SPEC §12): what to fix first, with its numbers."""

    kind: str  # findings.FINDING_KINDS
    title: str  # one sentence, with its numbers
    detail: str
    links: tuple[FindingLink, ...]

    def as_json(self) -> JSON:
        return {
            "kind": self.kind,
            "title": self.title,
            "detail": self.detail,
            "links": [link.as_json() for link in self.links],
        }

    @classmethod
    def from_json(cls, data: JSON) -> Finding:
        links = tuple(FindingLink.from_json(link) for link in data["links"])
        return cls(data["kind"], data["title"], data["detail"], links)


@dataclass(frozen=True)
class DoraBands(_Flat):
    """The hotfix rate (as change-failure rate) and the MTTR median placed in the DORA bands."""

    hotfix_rate: str | None  # elite, high, medium, low; None without the number
    mttr: str | None
    source: str


@dataclass(frozen=True)
class UpkeepCategory(_Flat):
    """One category's upkeep numbers: hours its hotfixes took, estimated hours of its open prevention work."""

    category: str | None  # slug; None for records not yet categorised
    name: str
    hotfix_hours: float
    open_prevention_hours: float


@dataclass(frozen=True)
class Upkeep:
    """The price of skipping upkeep (SPEC §12): hours spent on hotfixes next to the open prevention work."""

    hotfix_hours: float
    open_prevention_hours: float
    by_category: tuple[UpkeepCategory, ...] = ()

    def as_json(self) -> JSON:
        return {
            "hotfix_hours": self.hotfix_hours,
            "open_prevention_hours": self.open_prevention_hours,
            "by_category": [c.as_json() for c in self.by_category],
        }

    def totals_json(self) -> JSON:
        """The totals alone, as each month of the trend carries them."""
        return {"hotfix_hours": self.hotfix_hours, "open_prevention_hours": self.open_prevention_hours}

    @classmethod
    def from_json(cls, data: JSON) -> Upkeep:
        by_category = tuple(UpkeepCategory.from_json(c) for c in data.get("by_category", []))
        return cls(data["hotfix_hours"], data["open_prevention_hours"], by_category)


NO_UPKEEP = Upkeep(0.0, 0.0)


@dataclass(frozen=True)
class TeamNumbers(_Flat):
    """One team's month, for the teams side by side (all-teams report only)."""

    team: str  # slug
    hotfix_rate: float | None
    sla_met_rate: float | None
    staging_verification_rate: float | None
    overdue: int
    actions_past_due: int
