"""Repository settings (leads): the evidence rules of SPEC §10 — validated, and a changed mapping re-stages."""

from __future__ import annotations

import pytest

from postmortems import services
from postmortems.models import Evidence
from postmortems.workflow import NotAllowed, WorkflowError
from tests.factories import BASE_TIME, RepositoryFactory

pytestmark = pytest.mark.django_db


def deployment(repository, environment, stage, key, sha="a" * 40):
    return Evidence.objects.create(
        repository=repository,
        kind="deployment",
        sha=sha,
        environment=environment,
        stage=stage,
        status="success",
        occurred_at=BASE_TIME,
        source="github",
        source_key=key,
    )


def test_lead_sets_the_evidence_rules(lead):
    repository = RepositoryFactory()
    services.repository_update_settings(
        repository=repository,
        actor=lead,
        environment_stages={" qa ": "staging", "Prod-EU": "production"},
        staging_branches=["stg", " ", "stg", "release-candidate"],
        staging_checks=["downstream-e2e"],
        staging_status=True,
        team=repository.team,
    )
    repository.refresh_from_db()
    assert repository.environment_stages == {"qa": "staging", "Prod-EU": "production"}
    assert repository.staging_branches == ["stg", "release-candidate"]
    assert (repository.staging_checks, repository.staging_status) == (["downstream-e2e"], True)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"environment_stages": {"qa": "heaven"}}, "environment_stages"),
        ({"environment_stages": {"": "staging"}}, "environment_stages"),
        ({"environment_stages": {"QA": "staging", "qa": "production"}}, "environment_stages"),
        ({"environment_stages": {f"env-{n}": "other" for n in range(101)}}, "environment_stages"),
        ({"staging_branches": ["b" * 256]}, "staging_branches"),
        ({"staging_checks": ["c" * 256]}, "staging_checks"),
    ],
)
def test_bad_evidence_rules_are_refused_with_the_field_named(lead, changes, field):
    repository = RepositoryFactory()
    with pytest.raises(WorkflowError) as refused:
        services.repository_update_settings(repository=repository, actor=lead, team=repository.team, **changes)
    assert field in refused.value.reasons
    repository.refresh_from_db()
    assert (repository.environment_stages, repository.staging_branches) == ({}, ["stg", "staging"])


def test_engineers_do_not_change_evidence_rules(engineer):
    with pytest.raises(NotAllowed):
        services.repository_update_settings(repository=RepositoryFactory(), actor=engineer, staging_status=True)


def test_a_changed_mapping_re_stages_stored_deployments_but_not_staging_branch_pushes(lead):
    repository = RepositoryFactory()
    qa = deployment(repository, "qa", "other", "deployment_status:1")
    prod = deployment(repository, "prod", "production", "deployment_status:2")
    pushed = deployment(repository, "stg", "staging", f"push:{'b' * 40}:{'a' * 40}")
    services.repository_update_settings(
        repository=repository, actor=lead, environment_stages={"qa": "staging", "stg": "development"}, team=None
    )
    for row in (qa, prod, pushed):
        row.refresh_from_db()
    assert (qa.stage, prod.stage, pushed.stage) == ("staging", "production", "staging")
