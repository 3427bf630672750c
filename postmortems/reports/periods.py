"""The months one report reads: the report month, the eleven before it, and two more for recurrence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from ..months import month_start, shift_month

TREND_MONTHS = 12
# A category recurs when it also had postmortems in either of the two months before.
RECURRENCE_LOOK_BACK = 2


@dataclass(frozen=True)
class Period:
    """One report month: [start, end) in TIME_ZONE, and the instant its 'as of' numbers use."""

    label: str  # "YYYY-MM"
    start: datetime
    end: datetime
    as_of: datetime  # the end of the month, or now for the current month
    as_of_date: date  # the local date whose midnight is `as_of` (today for the current month)
    first_day: date
    last_day: date


def month_period(month: date, *, now: datetime | None = None) -> Period:
    """The month [start, end) in TIME_ZONE; 'as of' is its end, or now for the current month."""
    now = now or timezone.now()
    following = shift_month(month, 1)
    start, end = month_start(month), month_start(following)
    as_of = min(end, now)
    return Period(
        label=f"{month:%Y-%m}",
        start=start,
        end=end,
        as_of=as_of,
        as_of_date=following if as_of == end else timezone.localdate(now),
        first_day=month,
        last_day=following - timedelta(days=1),
    )


@dataclass(frozen=True)
class ReportWindow:
    """The trend's periods (oldest first, ending with the report month) and the months before them."""

    periods: tuple[Period, ...]
    look_back: tuple[Period, ...]

    @property
    def current(self) -> Period:
        return self.periods[-1]

    @property
    def previous(self) -> Period:
        return self.periods[-2]

    @property
    def labels(self) -> list[str]:
        """The trend's months, oldest first."""
        return [p.label for p in self.periods]

    @property
    def all_labels(self) -> list[str]:
        """The look-back months, then the trend's."""
        return [p.label for p in (*self.look_back, *self.periods)]


def report_window(month: date, *, now: datetime | None = None) -> ReportWindow:
    """The periods a report of `month` (its first day) reads."""
    now = now or timezone.now()
    first = shift_month(month, -(TREND_MONTHS - 1))
    return ReportWindow(
        periods=tuple(month_period(shift_month(first, k), now=now) for k in range(TREND_MONTHS)),
        look_back=tuple(month_period(shift_month(first, -k), now=now) for k in range(RECURRENCE_LOOK_BACK, 0, -1)),
    )
