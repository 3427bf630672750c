"""SQL expressions the report's queries are built from (PostgreSQL; `percentiles` has the portable path)."""

from __future__ import annotations

from django.db.models import Aggregate, Case, F, FloatField, Func, Value, When


class PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate `percentile_cont(f) WITHIN GROUP (ORDER BY x)`."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


class EpochSecondsBetween(Func):
    """Seconds from the first timestamp to the second (PostgreSQL)."""

    arg_joiner = " - "
    template = "EXTRACT(EPOCH FROM (%(expressions)s))::double precision"
    output_field = FloatField()

    def __init__(self, start: str, end: str):
        super().__init__(F(end), F(start))


def bounds_reached(field: str, bounds: list) -> Case:
    """How many of the ascending `bounds` are <= the field's value (len(bounds) when it is NULL).

    An action is counted at period k's end when, say, `created_at < as_of[k]`, that is when
    k >= bounds_reached("created_at", as_ofs): one number per action instead of a test per period.
    """
    return Case(
        *(When(**{f"{field}__lt": bound}, then=Value(index)) for index, bound in enumerate(bounds)),
        default=Value(len(bounds)),
    )
