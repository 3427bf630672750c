"""Environment names to stages (SPEC §10): the defaults, case-insensitively, and a repository's overrides."""

import pytest

from postmortems.stages import stage_for


@pytest.mark.parametrize(
    ("environment", "stage"),
    [
        *[(name, "production") for name in ("prod", "prd", "production", "live", "PROD", " Production ")],
        *[(name, "staging") for name in ("stg", "stage", "staging", "preprod", "pre-production", "uat", "UAT")],
        *[(name, "development") for name in ("dev", "development", "test", "sandbox", "Dev")],
        *[(name, "other") for name in ("github-pages", "prod-eu", "qa", "", "staging2")],
    ],
)
def test_default_names(environment, stage):
    assert stage_for(environment) == stage


def test_overrides_come_first_and_ignore_case():
    overrides = {"Prod-EU": "production", "qa": "staging", "live": "other"}
    assert stage_for("prod-eu", overrides) == "production"
    assert stage_for("QA", overrides) == "staging"
    assert stage_for("live", overrides) == "other"  # a lead may demote a default name
    assert stage_for("prod", overrides) == "production"  # names not overridden keep their default


def test_an_override_that_is_not_a_stage_is_ignored():
    assert stage_for("prod", {"prod": "heaven"}) == "production"
