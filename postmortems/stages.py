"""Which stage an environment name stands for (SPEC §10): a pure leaf, no database.

The webhook, the evidence API and the settings pages all ask `stage_for`, so a
deployment to "Prod" is production wherever it came from.
"""

from __future__ import annotations

from collections.abc import Mapping

from .choices import Stage

# SPEC §10's defaults, matched case-insensitively on the whole (trimmed) name.
DEFAULT_STAGES: dict[str, str] = {
    **dict.fromkeys(("prod", "prd", "production", "live"), Stage.PRODUCTION),
    **dict.fromkeys(("stg", "stage", "staging", "preprod", "pre-production", "uat"), Stage.STAGING),
    **dict.fromkeys(("dev", "development", "test", "sandbox"), Stage.DEVELOPMENT),
}


def normalise_environment(name: str) -> str:
    """The form environment names are compared in: trimmed and case-folded."""
    return name.strip().casefold()


def stage_for(environment: str, overrides: Mapping[str, str] | None = None) -> str:
    """The stage of `environment`: the repository's own mapping first, then the defaults, else `other`.

    Overrides are matched case-insensitively too ("Prod-EU" set by a lead matches a
    deployment to "prod-eu"); a value that is not a stage is ignored rather than trusted.
    """
    key = normalise_environment(environment)
    for name, stage in (overrides or {}).items():
        if normalise_environment(str(name)) == key and stage in Stage.values:
            return str(stage)
    return str(DEFAULT_STAGES.get(key, Stage.OTHER))
