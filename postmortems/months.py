"""One definition of a report month, used by the records lists, the API filters and the report.

A month is a calendar month in TIME_ZONE, written `YYYY-MM` with ASCII digits (surrounding
spaces ignored), from 1970-01 to 9999-12. The same rule holds for every door: the web list
filter, the API's `?month=` filters and the monthly report. Before 1970 nothing this tracker
counts can exist (no merged PR, no postmortem), so an earlier year is a typo and is refused
rather than answered with an empty list; refusing it also keeps the report's twelve-month
trend and its recurrence look-back (fourteen months before the month asked for) inside the
calendar.

One difference is deliberate: a list filter may name a month that has not begun (it asks
"which records fall in that month?" and the answer is simply none), while a report of a
month that has not begun would state numbers about time that has not happened, so
`report_month` refuses it. Both use `parse_month` for everything else.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from django.utils import timezone

FIRST_YEAR = 1970
LAST_YEAR = 9999
_MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")
# The same rule as a JSON-schema pattern, for the API's published contract: 1970-01 to 9999-12.
MONTH_PATTERN = r"^(?:19[7-9][0-9]|[2-9][0-9]{3})-(?:0[1-9]|1[0-2])$"


class InvalidMonth(ValueError):
    """A month we cannot use; the message says why, in words a user can act on."""


def parse_month(text: str) -> date:
    """'YYYY-MM' → the first day of that month; anything else raises `InvalidMonth`."""
    match = _MONTH.fullmatch(text.strip())
    if match is None:
        # Not echoing the text: it can hold anything, and form errors treat % as a placeholder.
        raise InvalidMonth("Give the month as YYYY-MM, e.g. 2026-03.")
    year, month = int(match.group(1)), int(match.group(2))
    if year < FIRST_YEAR:
        raise InvalidMonth(f"{text.strip()} is before {FIRST_YEAR}-01; nothing is recorded that early.")
    return date(year, month, 1)


def current_month(now: datetime | None = None) -> date:
    """The first day of the month `now` (default: this instant) falls in, in TIME_ZONE."""
    return timezone.localdate(now or timezone.now(), timezone.get_default_timezone()).replace(day=1)


def last_complete_month(now: datetime | None = None) -> date:
    """The first day of the month before the current one: the latest month that has ended."""
    return shift_month(current_month(now), -1)


def report_month(text: str | None, *, now: datetime | None = None) -> date:
    """The month a report is asked for: empty means the last complete month; a month not yet begun is refused.

    A report opened without a month shows a month that has ended (SPEC §12): on the 1st the
    current month is hours old and its numbers say nothing yet. The current month stays
    reachable by naming it (the page marks it "in progress").
    """
    if not text or not text.strip():
        return last_complete_month(now)
    month = parse_month(text)
    if month > current_month(now):
        raise InvalidMonth(f"{text.strip()} is in the future; pick this month or an earlier one.")
    return month


def shift_month(month: date, delta: int) -> date:
    """The first day of the month `delta` months after (or before, if negative) `month`."""
    index = month.year * 12 + month.month - 1 + delta
    return date(index // 12, index % 12 + 1, 1)


def month_start(month: date) -> datetime:
    """The first instant of `month` in TIME_ZONE."""
    return datetime(month.year, month.month, 1, tzinfo=timezone.get_default_timezone())


def month_bounds(month: date) -> tuple[datetime, datetime | None]:
    """[start, end) of `month` in TIME_ZONE; end is None for 9999-12, which has no month after it."""
    if (month.year, month.month) == (LAST_YEAR, 12):
        return month_start(month), None
    return month_start(month), month_start(shift_month(month, 1))
