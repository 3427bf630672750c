"""Percentiles of durations: PostgreSQL's `percentile_cont` in the database, the same arithmetic in Python elsewhere.

SQLite has no `percentile_cont`; the portable path fetches only the two instants of each
row and interpolates here, so development databases give the same numbers as production.
"""

from __future__ import annotations

from django.db import connections
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from .expressions import EpochSecondsBetween, PercentileCont

MEDIAN, P90 = 0.5, 0.9


def percentile(values: list[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks: the same result as `percentile_cont`."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def duration_percentiles(
    qs: QuerySet, *, start: str, end: str, buckets: dict[str, Q], fractions: tuple[float, ...] = (MEDIAN, P90)
) -> dict[str, dict[float, float | None]]:
    """Percentiles (in seconds) of `end - start` over the rows of each bucket, in one query."""
    if connections[qs.db].vendor == "postgresql":
        seconds = EpochSecondsBetween(start, end)
        aggregates = {
            f"{key}__{index}": PercentileCont(seconds, fraction, filter=bucket)
            for key, bucket in buckets.items()
            for index, fraction in enumerate(fractions)
        }
        row = qs.aggregate(**aggregates)
        return {key: {fraction: row[f"{key}__{index}"] for index, fraction in enumerate(fractions)} for key in buckets}
    # Portable path (SQLite): fetch only the two instants and a flag per bucket; interpolate here.
    flags = {f"in_{key}": ExpressionWrapper(bucket, output_field=BooleanField()) for key, bucket in buckets.items()}
    rows = qs.annotate(**flags).values_list(start, end, *flags)
    seconds_by_bucket: dict[str, list[float]] = {key: [] for key in buckets}
    for began, ended, *in_bucket in rows:
        for key, member in zip(buckets, in_bucket, strict=True):
            if member:
                seconds_by_bucket[key].append((ended - began).total_seconds())
    return {
        key: {fraction: percentile(values, fraction) for fraction in fractions}
        for key, values in seconds_by_bucket.items()
    }
