"""The report's findings from counted rows: which failure categories recur, which checklist steps fail most,
and the three findings at the top of the page (SPEC §12), assembled from the report's numbers and the
reads of `lead_queries` (never the database itself).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.http import urlencode

from .data import ChecklistItemGaps, Finding, FindingLink, RecurringCategory, ReportScope
from .lead_queries import CategoryActions, OwnerPastDue
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


# The three findings at the top of the report (SPEC §12), in page order, and what the page says
# when the month's data does not support one: a finding is computed or absent, never invented.
RECURRING_CATEGORY, SKIPPED_STEP, ACTIONS_PAST_DUE = "recurring_category", "skipped_step", "actions_past_due"
FINDING_KINDS = (RECURRING_CATEGORY, SKIPPED_STEP, ACTIONS_PAST_DUE)
NO_FINDING = {
    RECURRING_CATEGORY: "No failure category recurred this month.",
    SKIPPED_STEP: "No skipped checklist step would have caught an incident this month.",
    ACTIONS_PAST_DUE: "No prevention action was past due at the end of the month.",
}
MAX_OWNERS = 3
# A finding links its records, the oldest first, up to this many (the page is read, not searched).
MAX_RECORD_LINKS = 10


def _plural(n: int | float, word: str) -> str:
    return f"{n:g} {word}" if n == 1 else f"{n:g} {word}s"


def _list_url(scope: ReportScope, **filters: str) -> str:
    """The records list, filtered like the report (team or repository) and by `filters`."""
    query = {**{k: v for k, v in scope.as_json().items() if v}, **filters}
    return f"{reverse('postmortem_list')}?{urlencode(query)}"


def _record_links(ids: tuple[int, ...]) -> tuple[FindingLink, ...]:
    return tuple(FindingLink(f"#{pk}", reverse("postmortem_detail", args=[pk])) for pk in ids[:MAX_RECORD_LINKS])


def _linked_note(ids: tuple[int, ...]) -> str:
    return f" Linked: the first {MAX_RECORD_LINKS} of {len(ids)} records." if len(ids) > MAX_RECORD_LINKS else ""


def recurring_category_finding(
    recurring: tuple[RecurringCategory, ...],
    history: CategoryHistory,
    actions: dict[str, CategoryActions],
    scope: ReportScope,
) -> Finding | None:
    """The category that recurs most (postmortems over its months, then months), and whether its actions are done."""
    if not recurring:
        return None

    def total(c: RecurringCategory) -> int:
        return sum(history.per_month[m].get(c.category, 0) for m in c.months)

    top = min(recurring, key=lambda c: (-total(c), -len(c.months), c.name))
    count, done = total(top), actions.get(top.category, CategoryActions(0, 0))
    title = (
        f"{top.name} recurred: {_plural(count, 'postmortem')} in {len(top.months)} of the last "
        f"{RECURRENCE_LOOK_BACK + 1} months ({', '.join(top.months)}); "
        f"{done.done} of its {_plural(done.total, 'prevention action')} done."
    )
    if not done.total:
        detail = "None of its postmortems has a prevention action yet: nothing stands in its way."
    elif done.done == done.total:
        detail = "All its prevention actions were done and it still came back: they did not prevent it."
    else:
        detail = f"{_plural(done.total - done.done, 'prevention action')} of it still open: finishing them comes first."
    links = tuple(FindingLink(f"{top.name}, {m}", _list_url(scope, category=top.category, month=m)) for m in top.months)
    return Finding(RECURRING_CATEGORY, title, detail, links)


def skipped_step_finding(items: tuple[ChecklistItemGaps, ...], records: dict[str, tuple[int, ...]]) -> Finding | None:
    """The checklist step most often skipped where following it would have caught the incident."""
    candidates = [gaps for gaps in items if gaps.skipped_would_have_caught]
    if not candidates:
        return None
    top = min(candidates, key=lambda g: (-g.skipped_would_have_caught, -g.skipped, g.item))
    caught = top.skipped_would_have_caught
    title = (
        f"“{top.item}” was skipped {_plural(top.skipped, 'time')} this month; "
        f"following it would have caught {_plural(caught, 'incident')}."
    )
    detail = (
        f"Of {_plural(top.skipped, 'postmortem')} that skipped this step, {caught} say it would have caught "
        f"the incident; it was followed but ineffective {_plural(top.ineffective, 'time')}."
    )
    ids = records.get(top.item, ())
    return Finding(SKIPPED_STEP, title, detail + _linked_note(ids), _record_links(ids))


def actions_past_due_finding(owners: list[OwnerPastDue], month: str) -> Finding | None:
    """The owners with the most prevention actions open and past due at the month's end."""
    if not owners:
        return None
    total, top = sum(o.count for o in owners), owners[:MAX_OWNERS]
    named = ", ".join(f"{o.owner or 'no owner'} ({o.count})" for o in top)
    title = f"{_plural(total, 'prevention action')} past due at the end of {month}; most with {named}."
    rest = len(owners) - len(top)
    ids = tuple(sorted({pk for o in top for pk in o.postmortems}))
    detail = f"{_plural(len(owners), 'owner')} in all" + (f"; {rest} more not named here." if rest else ".")
    return Finding(ACTIONS_PAST_DUE, title, detail + _linked_note(ids), _record_links(ids))


def absent_findings(findings: tuple[Finding, ...]) -> list[str]:
    """What the page says for each kind of finding the month's data did not support."""
    present = {f.kind for f in findings}
    return [NO_FINDING[kind] for kind in FINDING_KINDS if kind not in present]
