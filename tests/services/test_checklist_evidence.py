"""The checklist answers itself from the introducing PR's deployment evidence (SPEC §10), on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from postmortems import services
from postmortems.choices import AssessmentSource, AssessmentStatus, EvidenceRule
from postmortems.models import ChecklistAssessment
from postmortems.reference_data import STAGING_CHECKS_STEP, STAGING_DEPLOYMENT_STEP
from postmortems.workflow import NotAllowed, WorkflowError
from tests.factories import BASE_TIME, EngineerFactory, MergedPullRequestFactory, PostmortemFactory, RepositoryFactory

pytestmark = pytest.mark.django_db

INTRO_HEAD, INTRO_MERGE, FIX_MERGE = "a" * 40, "b" * 40, "f" * 40


@pytest.fixture
def repository():
    return RepositoryFactory(full_name="acme/forecast", staging_checks=["downstream-e2e"])


@pytest.fixture
def record(repository, engineer):
    hotfix = MergedPullRequestFactory(repository=repository, number=77, merge_commit_sha=FIX_MERGE, is_hotfix=True)
    hotfix.merged_at = BASE_TIME + timedelta(days=1)
    hotfix.save()
    repository.team.members.add(engineer)
    postmortem = PostmortemFactory(repository=repository, owner=engineer, detected_at=BASE_TIME + timedelta(hours=20))
    services.postmortem_link_hotfix_pr(postmortem=postmortem, merged_pr=hotfix, actor=engineer)
    return postmortem


@pytest.fixture
def deploys(repository, django_capture_on_commit_callbacks):
    """The repository already reported production deployments (and, unless told, staging) before the change."""

    def report(*, staging: bool = True) -> None:
        older = "0" * 39 + "1"
        for environment in ["staging", "production"] if staging else ["production"]:
            with django_capture_on_commit_callbacks(execute=True):
                services.evidence_submit(
                    repository=repository,
                    external_id=f"older-{environment}",
                    kind="deployment",
                    sha=older,
                    status="success",
                    occurred_at=BASE_TIME - timedelta(hours=10),
                    environment=environment,
                )

    return report


@pytest.fixture
def introducing(repository, deploys):
    deploys()
    return MergedPullRequestFactory(repository=repository, number=41, head_sha=INTRO_HEAD, merge_commit_sha=INTRO_MERGE)


def post(repository, capture, key: str, *, hours: float, **kwargs):
    """Evidence as a pipeline posts it; its recompute runs after commit, as in production."""
    kind = "deployment" if "environment" in kwargs else "check"
    with capture(execute=True):
        services.evidence_submit(
            repository=repository,
            external_id=key,
            kind=kind,
            sha=INTRO_MERGE,
            status="success",
            occurred_at=BASE_TIME + timedelta(hours=hours),
            url=f"https://ci.example.com/{key}",
            **kwargs,
        )


def steps(postmortem) -> dict[str, ChecklistAssessment]:
    rows = ChecklistAssessment.objects.filter(postmortem=postmortem).select_related("item")
    return {row.item.text: row for row in rows}


def test_the_default_checklist_carries_both_evidence_rules(record):
    rules = {item.text: item.evidence_rule for item in record.checklist_version.items.all()}
    assert rules[STAGING_DEPLOYMENT_STEP] == EvidenceRule.STAGING_DEPLOYMENT
    assert rules[STAGING_CHECKS_STEP] == EvidenceRule.STAGING_CHECKS


def test_staging_deployment_then_check_then_production_prefills_followed(
    record, introducing, repository, engineer, django_capture_on_commit_callbacks
):
    services.postmortem_update(postmortem=record, actor=engineer, introduced_by=introducing)
    assert steps(record) == {}  # nothing reached production yet: pending says nothing
    post(repository, django_capture_on_commit_callbacks, "stg", hours=1, environment="staging")
    post(repository, django_capture_on_commit_callbacks, "e2e", hours=2, name="downstream-e2e")
    post(repository, django_capture_on_commit_callbacks, "prod", hours=3, environment="production")
    answers = steps(record)
    deployed, checked = answers[STAGING_DEPLOYMENT_STEP], answers[STAGING_CHECKS_STEP]
    assert (deployed.status, deployed.source) == (AssessmentStatus.FOLLOWED, AssessmentSource.EVIDENCE)
    assert (checked.status, checked.source) == (AssessmentStatus.FOLLOWED, AssessmentSource.EVIDENCE)
    urls = [link["url"] for link in checked.evidence]
    assert urls == ["https://ci.example.com/stg", "https://ci.example.com/e2e", "https://ci.example.com/prod"]
    assert checked.evidence_status == AssessmentStatus.FOLLOWED
    assert checked.would_have_caught is None  # a person's call
    assert "downstream-e2e passed on bbbbbbb" in checked.evidence_reason


def test_without_the_check_the_steps_are_skipped_with_the_reason(
    record, introducing, repository, engineer, django_capture_on_commit_callbacks
):
    # Staging evidence exists in the repository, but the introducing change never ran the check.
    services.postmortem_update(postmortem=record, actor=engineer, introduced_by=introducing)
    post(repository, django_capture_on_commit_callbacks, "stg", hours=1, environment="staging")
    post(repository, django_capture_on_commit_callbacks, "prod", hours=3, environment="production")
    answers = steps(record)
    checked = answers[STAGING_CHECKS_STEP]
    assert checked.status == AssessmentStatus.SKIPPED
    assert checked.source == AssessmentSource.EVIDENCE
    assert checked.evidence_reason.startswith("no downstream-e2e check on bbbbbbb before production (deployed ")
    assert answers[STAGING_DEPLOYMENT_STEP].status == AssessmentStatus.FOLLOWED
    record.refresh_from_db()
    # A skipped step is a gap once a person says following it would have caught this.
    assert (record.gap_kind, record.gap_skipped) == ("none", False)
    services.assessment_set(
        postmortem=record, actor=engineer, item=checked.item, status="skipped", would_have_caught=True
    )
    record.refresh_from_db()
    assert record.gap_skipped


def test_never_staged_is_skipped_for_both_steps(
    record, introducing, repository, engineer, django_capture_on_commit_callbacks
):
    post(repository, django_capture_on_commit_callbacks, "prod", hours=3, environment="production")
    services.postmortem_update(postmortem=record, actor=engineer, introduced_by=introducing)
    answers = steps(record)
    assert answers[STAGING_DEPLOYMENT_STEP].status == AssessmentStatus.SKIPPED
    assert "never deployed to staging" in answers[STAGING_DEPLOYMENT_STEP].evidence_reason


def test_a_repository_without_staging_evidence_prefills_nothing(
    record, repository, engineer, django_capture_on_commit_callbacks, deploys
):
    deploys(staging=False)
    introducing = MergedPullRequestFactory(
        repository=repository, number=41, head_sha=INTRO_HEAD, merge_commit_sha=INTRO_MERGE
    )
    post(repository, django_capture_on_commit_callbacks, "prod", hours=3, environment="production")
    services.postmortem_update(postmortem=record, actor=engineer, introduced_by=introducing)
    assert steps(record) == {}  # unknown: the evidence says nothing


def test_overriding_needs_a_reason_and_history_keeps_both(
    record, introducing, repository, engineer, django_capture_on_commit_callbacks
):
    post(repository, django_capture_on_commit_callbacks, "stg", hours=1, environment="staging")
    post(repository, django_capture_on_commit_callbacks, "prod", hours=3, environment="production")
    services.postmortem_update(postmortem=record, actor=engineer, introduced_by=introducing)
    prefilled = steps(record)[STAGING_CHECKS_STEP]
    with pytest.raises(WorkflowError) as refused:
        services.assessment_set(postmortem=record, actor=engineer, item=prefilled.item, status="followed")
    assert "override_reason" in refused.value.reasons
    services.assessment_set(
        postmortem=record,
        actor=engineer,
        item=prefilled.item,
        status="followed",
        override_reason="The e2e job ran in the Databricks workspace, which does not report.",
    )
    row = steps(record)[STAGING_CHECKS_STEP]
    assert (row.status, row.source, row.evidence_status) == ("followed", "person", "skipped")
    history = list(row.history.order_by("history_date").values_list("source", "status", "override_reason"))
    assert history[0] == ("evidence", "skipped", "")
    assert history[-1][:2] == ("person", "followed")
    # Later evidence refreshes what the evidence says but never the person's answer.
    post(repository, django_capture_on_commit_callbacks, "prod2", hours=5, environment="production")
    assert steps(record)[STAGING_CHECKS_STEP].status == "followed"


def test_agreeing_with_the_evidence_needs_no_reason(
    record, introducing, repository, engineer, django_capture_on_commit_callbacks
):
    post(repository, django_capture_on_commit_callbacks, "stg", hours=1, environment="staging")
    post(repository, django_capture_on_commit_callbacks, "prod", hours=3, environment="production")
    services.postmortem_update(postmortem=record, actor=engineer, introduced_by=introducing)
    item = steps(record)[STAGING_CHECKS_STEP].item
    row = services.assessment_set(
        postmortem=record, actor=engineer, item=item, status="skipped", would_have_caught=True
    )
    assert (row.source, row.would_have_caught) == ("evidence", True)


def test_changing_the_introducing_pr_withdraws_the_old_evidence_answer(
    record, introducing, repository, engineer, django_capture_on_commit_callbacks
):
    post(repository, django_capture_on_commit_callbacks, "stg", hours=1, environment="staging")
    post(repository, django_capture_on_commit_callbacks, "prod", hours=3, environment="production")
    services.postmortem_update(postmortem=record, actor=engineer, introduced_by=introducing)
    assert steps(record)
    services.postmortem_update(postmortem=record, actor=engineer, introduced_by=None)
    assert steps(record) == {}


def test_a_submitted_record_is_not_refilled(record, introducing, repository, engineer):
    record.status = "in_review"
    record.save()
    assert services.checklist_evidence_apply(postmortem=record) == []


def test_an_outsider_cannot_override(record, introducing, repository, engineer, django_capture_on_commit_callbacks):
    post(repository, django_capture_on_commit_callbacks, "stg", hours=1, environment="staging")
    post(repository, django_capture_on_commit_callbacks, "prod", hours=3, environment="production")
    services.postmortem_update(postmortem=record, actor=engineer, introduced_by=introducing)
    item = steps(record)[STAGING_CHECKS_STEP].item
    with pytest.raises(NotAllowed):
        services.assessment_set(
            postmortem=record, actor=EngineerFactory(), item=item, status="followed", override_reason="x"
        )
