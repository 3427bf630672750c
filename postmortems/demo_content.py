"""What the demo data is about: the repositories, people and incidents of SPEC §0's data team."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RepoSpec:
    full_name: str
    team_slug: str
    prs_per_month: int
    hotfix_share: float
    categories: tuple[str, ...]


# How people title hotfix PRs; the record's title keeps whatever "hotfix" the PR already says
# and adds "Hotfix:" only to the last form (a hotfix by its label and branch alone).
HOTFIX_PR_TITLES = (
    "[hotfix] fix {slug} after release",
    "Hotfix: fix {slug} after release",
    "hotfix - {slug} broke after release",
    "HOTFIX {slug} after release",
    "Fix {slug} after release",
)

REPOS = [
    RepoSpec(
        "acme-data/demand-forecast",
        "forecasting",
        60,
        0.06,
        ("untested-downstream-dependency", "data-or-schema-change", "environment-specific-configuration"),
    ),
    RepoSpec(
        "acme-data/replenishment-jobs",
        "forecasting",
        35,
        0.05,
        ("untested-downstream-dependency", "environment-drift", "missing-or-weak-tests"),
    ),
    RepoSpec(
        "acme-data/feature-store",
        "data-platform",
        45,
        0.03,
        ("data-or-schema-change", "capacity-or-performance", "external-dependency"),
    ),
    RepoSpec(
        "acme-data/ingest-pipelines",
        "data-platform",
        40,
        0.04,
        ("external-dependency", "deployment-or-release-process", "manual-operation-error"),
    ),
]

PEOPLE = [
    # username, first, last, github login, role, team slugs
    ("lena.lead", "Lena", "Lindqvist", "lena-lindqvist", "lead", ("forecasting", "data-platform")),
    ("eli.engineer", "Eli", "Okafor", "eli-okafor", "engineer", ("forecasting",)),
    ("priya.shah", "Priya", "Shah", "priya-shah", "engineer", ("forecasting",)),
    ("marco.rossi", "Marco", "Rossi", "marco-rossi", "engineer", ("data-platform",)),
    ("sam.chen", "Sam", "Chen", "sam-chen", "engineer", ("data-platform",)),
    ("dana.lead", "Dana", "Berg", "dana-berg", "lead", ("data-platform",)),
]

INCIDENTS = {
    "untested-downstream-dependency": (
        "Replenishment job failed on the new forecast columns",
        "The forecast job renamed `p50` to `q50`; the replenishment job downstream still read `p50` and wrote "
        "zero orders. Nobody ran the downstream jobs in staging, so the break surfaced in production.",
    ),
    "data-or-schema-change": (
        "Nightly features empty after upstream schema change",
        "An upstream table switched `store_id` from integer to string. The join silently matched nothing and the "
        "feature table was written empty; no data-quality check compared row counts to the previous run.",
    ),
    "environment-specific-configuration": (
        "Forecast read the staging bucket in production",
        "The bucket name was set in the dev config and copied by hand; production kept the staging value because "
        "the configuration diff for the target environment was never reviewed.",
    ),
    "environment-drift": (
        "Job passed in dev, crashed in production on an older library",
        "Production workers still ran pandas 1.5 while dev had 2.2; a `groupby` default changed between them. "
        "Staging had drifted too, so no environment reproduced production.",
    ),
    "missing-or-weak-tests": (
        "Holiday calendar off by one day",
        "The holiday feature shifted by a day across the DST change. The only test used a fixed UTC date and "
        "could not fail on the boundary.",
    ),
    "capacity-or-performance": (
        "Feature backfill ran out of memory",
        "The backfill loaded a full year into memory; at production volume the worker was killed and the feature "
        "store served stale values for a day.",
    ),
    "external-dependency": (
        "Weather API changed its units",
        "The weather vendor switched temperatures to Kelvin without notice; forecasts for warm regions collapsed "
        "and a customer noticed before we did.",
    ),
    "deployment-or-release-process": (
        "Release deployed the wrong image tag",
        "The release script resolved `latest` at deploy time and picked an untested build; the rollback plan was "
        "not written so rolling back took two hours.",
    ),
    "manual-operation-error": (
        "Manual rerun overwrote a day of forecasts",
        "A manual rerun was started with the wrong partition date and overwrote yesterday's published forecasts.",
    ),
}


# SPEC §12's upkeep numbers: engineer-hours an incident and its hotfix took, by severity
# (a SEV1 pulls several people in for a day or more), and the estimated hours of each kind
# of prevention work (a CI end-to-end run is days of work, a contract test an afternoon).
EFFORT_HOURS_BY_SEVERITY = {"SEV1": (16, 48), "SEV2": (8, 24), "SEV3": (3, 10), "SEV4": (1, 4)}
ESTIMATE_HOURS_BY_KIND = {
    "automation": (16, 40),
    "test": (4, 12),
    "monitoring": (4, 10),
    "temporary_mitigation": (1, 2),
}
