"""What the pages bench requests: the pages of SPEC §7 and every API list, found by walking the URLconf.

A new filter of the records list or of the API's postmortems, or a new API list route, is picked up
here by itself; a filter this file has no sample value for stops the bench (so it cannot be skipped).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse

REPORT_MONTH = "2026-10"

# A sample value per filter; the search word is rare (one record's summary), the worst case for a scan.
PAGE_FILTER_VALUES = {
    "q": "outage",
    "status": "in_review",
    "severity": "SEV2",
    "repository": "bench/repo-0",  # the busy engineer's team's (bench-2 is another team's)
    "team": "bench-2",
    "category": None,  # the first category's slug, read from the database
    "owner": None,  # the busy engineer
    "overdue": "true",
    "month": REPORT_MONTH,
    "sort": "due",
}
API_FILTER_VALUES = dict(PAGE_FILTER_VALUES)


@dataclass(frozen=True)
class Target:
    """One thing to time: a name for the table, the user who asks, the URL."""

    name: str
    who: str  # "engineer" (the busy one) or "lead"
    url: str
    kind: str  # "page" or "api"


def _filter_targets(prefix: str, base: str, filter_names, values: dict, kind: str) -> list[Target]:
    missing = [name for name in filter_names if name not in values]
    if missing:
        raise SystemExit(f"bench/pages: no sample value for filter(s) {missing}: add them to targets.py")
    return [
        Target(f"{prefix} ?{name}={values[name]}", "engineer", f"{base}?{name}={values[name]}", kind)
        for name in filter_names
    ]


def page_targets(*, big_record: int, values: dict) -> list[Target]:
    from postmortems.forms import PostmortemFilter

    return [
        Target("inbox (busy engineer)", "engineer", reverse("home"), "page"),
        Target("inbox (lead)", "lead", reverse("home"), "page"),
        Target("record list", "engineer", reverse("postmortem_list"), "page"),
        Target("record list (lead)", "lead", reverse("postmortem_list"), "page"),
        *_filter_targets("record list", reverse("postmortem_list"), PostmortemFilter.base_filters, values, "page"),
        Target("record page (many actions, PRs)", "engineer", reverse("postmortem_detail", args=[big_record]), "page"),
        Target("record page (lead)", "lead", reverse("postmortem_detail", args=[big_record]), "page"),
    ]


def api_list_routes() -> list[tuple[str, str, bool]]:
    """(name, pattern, needs a record id) of every API route whose GET answers a list.

    DRF viewset routes carry their method → action map; a GET that is not `retrieve` is a list
    (the resources' `list`, or an extra GET action such as a record's checklist or timeline).
    """
    found = []

    def walk(patterns, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern):
                actions = getattr(pattern.callback, "actions", None) or {}
                if actions.get("get") not in (None, "retrieve") and namespace == "api":
                    found.append((f"api:{pattern.name}", str(pattern.pattern), "pk" in str(pattern.pattern)))

    walk(get_resolver().url_patterns, "")
    by_name = {}  # the router adds a `.json`-suffix twin of each route under the same name
    for name, route, needs_pk in found:
        by_name.setdefault(name, (name, route, needs_pk))
    return sorted(by_name.values())


def api_targets(*, big_record: int, values: dict) -> list[Target]:
    from postmortems.api.filters import PostmortemFilter

    targets = []
    for name, _, needs_pk in api_list_routes():
        url = reverse(name, kwargs={"pk": big_record}) if needs_pk else reverse(name)
        short = name.removeprefix("api:")
        targets += [Target(f"API {short}", "engineer", url, "api"), Target(f"API {short} (lead)", "lead", url, "api")]
    base = reverse("api:postmortem-list")
    return targets + _filter_targets("API postmortem-list", base, PostmortemFilter.base_filters, values, "api")


def report_targets() -> tuple[Target, Target]:
    """The report page and the report API for the same month, timed in turns (SPEC §7's 1.2×)."""
    return (
        Target("report page", "engineer", reverse("report-monthly-month", args=[REPORT_MONTH]), "page"),
        Target("report API", "engineer", f"{reverse('api-report-monthly')}?month={REPORT_MONTH}", "api"),
    )
