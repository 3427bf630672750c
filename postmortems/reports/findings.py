"""The report's findings from counted rows: which failure categories recur, which checklist steps fail most."""

from __future__ import annotations

from dataclasses import dataclass

from .data import ChecklistItemGaps
from .periods import RECURRENCE_LOOK_BACK
from .queries import CategoryMonthCount

NOT_CATEGORISED = "Not yet categorised"


@dataclass(frozen=True)
class CategoryHistory:
    """Postmortems per category per month, keyed by slug ('' for records not yet categorised)."""

    labels: tuple[str, ...]  # the months read, oldest first: the look-back months, then the trend's
    per_month: dict[str, dict[str, int]]  # month label → slug → postmortems
    names: dict[str, str]  # slug → the category's name

    @classmethod
    def from_rows(cls, rows: list[CategoryMonthCount], labels: list[str]) -> CategoryHistory:
        per_month: dict[str, dict[str, int]] = {label: {} for label in labels}
        names: dict[str, str] = {}
        for row in rows:
            slug = row.slug or ""
            names[slug] = row.name or NOT_CATEGORISED
            if row.month in per_month:
                per_month[row.month][slug] = per_month[row.month].get(slug, 0) + row.count
        return cls(tuple(labels), per_month, names)

    def months_before(self, month: str) -> tuple[str, ...]:
        position = self.labels.index(month)
        return self.labels[max(0, position - RECURRENCE_LOOK_BACK) : position]

    def recurring(self, month: str) -> set[str]:
        """Categories with ≥ 2 postmortems in the month, or with postmortems in it and in either of the 2 before."""
        current = self.per_month.get(month, {})
        earlier = [self.per_month.get(label, {}) for label in self.months_before(month)]
        return {
            slug for slug, n in current.items() if slug and (n >= 2 or any(counts.get(slug, 0) for counts in earlier))
        }

    def months_with(self, slug: str, month: str) -> list[str]:
        """Which of `month` and the months it looks back on had postmortems of the category."""
        return [label for label in (*self.months_before(month), month) if self.per_month[label].get(slug)]


def failing_steps(items: list[ChecklistItemGaps]) -> list[ChecklistItemGaps]:
    """Checklist steps, the most often skipped or ineffective first, then by their text."""
    return sorted(items, key=lambda gaps: (-gaps.skipped - gaps.ineffective, gaps.item))
