"""What a monthly report is: frozen dataclasses, the one contract between the report's modules.

`monthly.build_monthly_report` assembles a `MonthlyReport` from the queries; the CSV
export, the charts, the page, the API and stored snapshots read it. `as_json()` is the
shape of the API and of stored snapshots (key order included) and `MonthlyReport.from_json`
reads a stored snapshot back, so a snapshot page is drawn by the same code as the live one.

Maps keyed by an enumeration (detection methods, gap kinds) or by a category slug stay
dicts: their keys are data (`choices`, the categories table), not names in code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from .flat import JSON, _Flat
from .lead_data import NO_UPKEEP, DoraBands, Finding, FindingLink, TeamNumbers, Upkeep, UpkeepCategory

__all__ = ["NO_UPKEEP", "DoraBands", "Finding", "FindingLink", "TeamNumbers", "Upkeep", "UpkeepCategory"]


@dataclass(frozen=True)
class ReportScope(_Flat):
    """Whom the report covers, as written in its JSON: a team slug, a repository full name, or neither."""

    team: str | None = None
    repository: str | None = None


@dataclass(frozen=True)
class Headline:
    """The numbers at the top of the page, for one month (also kept for the month before)."""

    deployments: int
    hotfixes: int
    hotfix_rate: float | None
    postmortems_opened: int
    postmortems_approved: int
    overdue: int
    sla_met_rate: float | None
    mttr_median_hours: float | None
    mttr_p90_hours: float | None
    time_to_approval_median_hours: float | None
    recurred_despite_prevention: int

    def as_json(self) -> JSON:
        return {
            "deployments": self.deployments,
            "hotfixes": self.hotfixes,
            "hotfix_rate": self.hotfix_rate,
            "postmortems_opened": self.postmortems_opened,
            "postmortems_approved": self.postmortems_approved,
            "overdue": self.overdue,
            "sla_met_rate": self.sla_met_rate,
            "mttr_hours": {"median": self.mttr_median_hours, "p90": self.mttr_p90_hours},
            "time_to_approval_hours": {"median": self.time_to_approval_median_hours},
            "recurred_despite_prevention": self.recurred_despite_prevention,
        }

    @classmethod
    def from_json(cls, data: JSON) -> Headline:
        return cls(
            **{name: data[name] for name in _HEADLINE_TOP_LEVEL},
            mttr_median_hours=data["mttr_hours"]["median"],
            mttr_p90_hours=data["mttr_hours"]["p90"],
            time_to_approval_median_hours=data["time_to_approval_hours"]["median"],
        )


_HEADLINE_TOP_LEVEL = (
    "deployments",
    "hotfixes",
    "hotfix_rate",
    "postmortems_opened",
    "postmortems_approved",
    "overdue",
    "sla_met_rate",
    "recurred_despite_prevention",
)


@dataclass(frozen=True)
class CategoryCount(_Flat):
    """Postmortems of one failure category in the month; `category` None for those not yet categorised."""

    category: str | None
    name: str
    count: int
    recurring: bool


@dataclass(frozen=True)
class RecurringCategory:
    """A category that recurs this month, and which of the last three months had it."""

    category: str
    name: str
    count: int
    months: tuple[str, ...]

    def as_json(self) -> JSON:
        return {"category": self.category, "name": self.name, "count": self.count, "months": list(self.months)}

    @classmethod
    def from_json(cls, data: JSON) -> RecurringCategory:
        return cls(data["category"], data["name"], data["count"], tuple(data["months"]))


@dataclass(frozen=True)
class ChecklistItemGaps(_Flat):
    """One checklist step (by its text, across template versions): how often it failed in a month."""

    item: str
    skipped: int
    skipped_would_have_caught: int
    ineffective: int

    def counts_json(self) -> JSON:
        """The counts without the item's text (the trend keys them by the text)."""
        return {
            "skipped": self.skipped,
            "skipped_would_have_caught": self.skipped_would_have_caught,
            "ineffective": self.ineffective,
        }


@dataclass(frozen=True)
class MissingItem:
    """A step no checklist had, proposed in the month by a postmortem."""

    text: str
    postmortem: int
    proposed_at: datetime
    promoted: bool

    def as_json(self) -> JSON:
        return {
            "text": self.text,
            "postmortem": self.postmortem,
            "proposed_at": timezone.localtime(self.proposed_at).isoformat(),
            "promoted": self.promoted,
        }

    @classmethod
    def from_json(cls, data: JSON) -> MissingItem:
        return cls(data["text"], data["postmortem"], datetime.fromisoformat(data["proposed_at"]), data["promoted"])


@dataclass(frozen=True)
class ChecklistGaps:
    """The month's checklist findings: failing steps, proposed missing steps, and gap kinds."""

    items: tuple[ChecklistItemGaps, ...]
    missing_items: tuple[MissingItem, ...]
    missing_items_proposed: int
    by_gap_kind: dict[str, int]  # gap kind (or "not_assessed") → postmortems

    def as_json(self) -> JSON:
        return {
            "items": [item.as_json() for item in self.items],
            "missing_items": [item.as_json() for item in self.missing_items],
            "missing_items_proposed": self.missing_items_proposed,
            "by_gap_kind": dict(self.by_gap_kind),
        }

    @classmethod
    def from_json(cls, data: JSON) -> ChecklistGaps:
        return cls(
            items=tuple(ChecklistItemGaps.from_json(item) for item in data["items"]),
            missing_items=tuple(MissingItem.from_json(item) for item in data["missing_items"]),
            missing_items_proposed=data["missing_items_proposed"],
            by_gap_kind=dict(data["by_gap_kind"]),
        )


@dataclass(frozen=True)
class ActionNumbers(_Flat):
    """Prevention actions in a month: the flows, and the backlog as of its end."""

    created: int
    completed: int
    open_past_due: int
    due: int
    completed_by_due_date: int
    done_on_time_rate: float | None
    expired_temporary_mitigations: int
    open_temporary_mitigations: int


@dataclass(frozen=True)
class DefectLifetime(_Flat):
    """Hours from the introducing PR's merge to the earliest hotfix merge, for the postmortems that know both."""

    count: int
    median: float | None
    p90: float | None


@dataclass(frozen=True)
class StagingCounts(_Flat):
    """SPEC §10: how many PRs were verified in staging before production, skipped it, unknown or pending.

    `rate` = verified / (verified + skipped); `unknown` (no staging evidence yet) and
    `pending` (not in production yet) are left out of it and shown as counts.
    """

    verified: int = 0
    skipped: int = 0
    unknown: int = 0
    pending: int = 0
    rate: float | None = None

    @classmethod
    def of(cls, *, verified: int, skipped: int, unknown: int, pending: int) -> StagingCounts:
        judged = verified + skipped
        return cls(verified, skipped, unknown, pending, None if not judged else round(verified / judged, 4))

    @classmethod
    def read(cls, data: JSON | None) -> StagingCounts:
        """From a report's JSON; snapshots stored before §10 have none (all zero, no rate)."""
        return cls.from_json(data) if data else cls()


@dataclass(frozen=True)
class TrendMonth:
    """One month of the twelve-month trend the charts draw."""

    month: str
    deployments: int
    hotfixes: int
    hotfix_rate: float | None
    postmortems: int
    by_category: dict[str, int]  # category slug (or UNCATEGORISED_SLUG) → postmortems
    recurring_categories: tuple[str, ...]
    checklist_gaps: tuple[ChecklistItemGaps, ...]
    by_gap_kind: dict[str, int]
    by_detection_method: dict[str, int]
    actions: ActionNumbers
    # SPEC §12: where it should have been caught (stage or "not_recorded" → postmortems), upkeep totals.
    caught_in: dict[str, int] = field(default_factory=dict)
    upkeep: Upkeep = NO_UPKEEP
    # SPEC §10: the share of what reached production that was verified in staging first.
    staging_verification_rate: float | None = None
    introducing_staging_verification_rate: float | None = None
    hotfix_staging_verification_rate: float | None = None

    def gaps_of(self, item: str) -> ChecklistItemGaps | None:
        return next((gaps for gaps in self.checklist_gaps if gaps.item == item), None)

    def as_json(self) -> JSON:
        return {
            "month": self.month,
            "deployments": self.deployments,
            "hotfixes": self.hotfixes,
            "hotfix_rate": self.hotfix_rate,
            "postmortems": self.postmortems,
            "by_category": dict(self.by_category),
            "recurring_categories": list(self.recurring_categories),
            "checklist_gaps": {gaps.item: gaps.counts_json() for gaps in self.checklist_gaps},
            "by_gap_kind": dict(self.by_gap_kind),
            "by_detection_method": dict(self.by_detection_method),
            "actions": self.actions.as_json(),
            "caught_in": dict(self.caught_in),
            "upkeep": self.upkeep.totals_json(),
            **self.staging_rates_json(),
        }

    def staging_rates_json(self) -> JSON:
        return {name: getattr(self, name) for name in STAGING_RATE_FIELDS}

    @classmethod
    def from_json(cls, data: JSON) -> TrendMonth:
        return cls(
            **{key: data[key] for key in ("month", "deployments", "hotfixes", "hotfix_rate", "postmortems")},
            by_category=dict(data["by_category"]),
            recurring_categories=tuple(data["recurring_categories"]),
            checklist_gaps=tuple(
                ChecklistItemGaps(item=item, **counts) for item, counts in data["checklist_gaps"].items()
            ),
            by_gap_kind=dict(data["by_gap_kind"]),
            by_detection_method=dict(data["by_detection_method"]),
            actions=ActionNumbers.from_json(data["actions"]),
            # Snapshots stored before SPEC §12 have neither.
            caught_in=dict(data.get("caught_in", {})),
            upkeep=Upkeep.from_json(data["upkeep"]) if "upkeep" in data else NO_UPKEEP,
            **{name: data.get(name) for name in STAGING_RATE_FIELDS},
        )


STAGING_RATE_FIELDS = (
    "staging_verification_rate",
    "introducing_staging_verification_rate",
    "hotfix_staging_verification_rate",
)


@dataclass(frozen=True)
class MonthlyReport:
    """Everything SPEC §5 lists for one month and scope, plus what the charts need."""

    month: str  # "YYYY-MM"
    scope: ReportScope
    headline: Headline
    previous: Headline  # last month's headline, for "change from last month"
    by_category: tuple[CategoryCount, ...]
    recurring_categories: tuple[RecurringCategory, ...]
    by_detection_method: dict[str, int]  # detection method (or "not_recorded") → postmortems
    checklist_gaps: ChecklistGaps
    actions: ActionNumbers
    defect_lifetime_hours: DefectLifetime
    trend: tuple[TrendMonth, ...]  # twelve months, oldest first, ending with `month`
    category_names: dict[str, str]  # slug (or UNCATEGORISED_SLUG) → name, for the charts' legends
    # SPEC §12 (second edition). Defaults so snapshots stored before it still read.
    findings: tuple[Finding, ...] = ()
    caught_in: dict[str, int] = field(default_factory=dict)  # stage (or "not_recorded") → postmortems
    dora_bands: DoraBands | None = None
    upkeep: Upkeep = NO_UPKEEP
    teams: tuple[TeamNumbers, ...] | None = None  # only in the all-teams report
    # SPEC §10: production merges, the introducing PRs of the month's postmortems, the month's hotfix PRs.
    staging_verification: StagingCounts = StagingCounts()
    introducing_staging_verification: StagingCounts = StagingCounts()
    hotfix_staging_verification: StagingCounts = StagingCounts()

    def as_json(self) -> JSON:
        """The API's and the snapshots' shape: the §5 metric names, headline numbers at the top level."""
        return {
            "month": self.month,
            "scope": self.scope.as_json(),
            **self.headline.as_json(),
            "by_category": [c.as_json() for c in self.by_category],
            "recurring_categories": [c.as_json() for c in self.recurring_categories],
            "by_detection_method": dict(self.by_detection_method),
            "checklist_gaps": self.checklist_gaps.as_json(),
            "actions": self.actions.as_json(),
            "defect_lifetime_hours": self.defect_lifetime_hours.as_json(),
            **self.staging_json(),
            "trend": [m.as_json() for m in self.trend],
            # Not §5 metrics: last month's headline (for "change from last month") and slug → name.
            "previous_month": self.previous.as_json(),
            "category_names": dict(self.category_names),
            **self._second_edition_json(),
        }

    def _second_edition_json(self) -> JSON:
        """SPEC §12's keys; `teams` only in the all-teams report."""
        data: JSON = {
            "findings": [f.as_json() for f in self.findings],
            "caught_in": dict(self.caught_in),
            "dora_bands": None if self.dora_bands is None else self.dora_bands.as_json(),
            "upkeep": self.upkeep.as_json(),
        }
        if self.teams is not None:
            data["teams"] = [t.as_json() for t in self.teams]
        return data

    @classmethod
    def from_json(cls, data: JSON) -> MonthlyReport:
        """A report from its JSON, e.g. a stored snapshot's `data`."""
        return cls(
            month=data["month"],
            scope=ReportScope.from_json(data["scope"]),
            headline=Headline.from_json(data),
            previous=Headline.from_json(data["previous_month"]),
            by_category=tuple(CategoryCount.from_json(c) for c in data["by_category"]),
            recurring_categories=tuple(RecurringCategory.from_json(c) for c in data["recurring_categories"]),
            by_detection_method=dict(data["by_detection_method"]),
            checklist_gaps=ChecklistGaps.from_json(data["checklist_gaps"]),
            actions=ActionNumbers.from_json(data["actions"]),
            defect_lifetime_hours=DefectLifetime.from_json(data["defect_lifetime_hours"]),
            trend=tuple(TrendMonth.from_json(m) for m in data["trend"]),
            category_names=dict(data["category_names"]),
            **_second_edition_from_json(data),
            **{name: StagingCounts.read(data.get(name)) for name in STAGING_FIELDS},
        )

    def staging_json(self) -> JSON:
        return {name: getattr(self, name).as_json() for name in STAGING_FIELDS}


STAGING_FIELDS = ("staging_verification", "introducing_staging_verification", "hotfix_staging_verification")


def _second_edition_from_json(data: JSON) -> JSON:
    """SPEC §12's fields from a report's JSON; absent in snapshots stored before it."""
    dora, teams = data.get("dora_bands"), data.get("teams")
    return {
        "findings": tuple(Finding.from_json(f) for f in data.get("findings", [])),
        "caught_in": dict(data.get("caught_in", {})),
        "dora_bands": None if dora is None else DoraBands.from_json(dora),
        "upkeep": Upkeep.from_json(data["upkeep"]) if "upkeep" in data else NO_UPKEEP,
        "teams": None if teams is None else tuple(TeamNumbers.from_json(t) for t in teams),
    }
