"""The evidence tables refuse what SPEC §10 says cannot be: the database itself, not a form."""

import pytest
from django.db import IntegrityError, transaction

from postmortems.models import BranchCommit, Evidence, EvidenceToken, Repository, evidence_token_hash
from tests.factories import BASE_TIME, RepositoryFactory

pytestmark = pytest.mark.django_db

SHA = "a" * 40


def rejects(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


def evidence(repository, **changes):
    values = {
        "repository": repository,
        "kind": "deployment",
        "sha": SHA,
        "environment": "staging",
        "stage": "staging",
        "status": "success",
        "occurred_at": BASE_TIME,
        "source": "github",
        "source_key": "deployment_status:1",
    }
    values.update(changes)
    return Evidence.objects.create(**values)


def test_one_row_per_source_key_and_status():
    repository = RepositoryFactory()
    evidence(repository, status="in_progress")
    evidence(repository, status="success")  # a new status of the same deployment is a new fact
    rejects(lambda: evidence(repository, status="success"))
    rejects(lambda: evidence(RepositoryFactory(), status="success"))  # the key is the source's, not ours


@pytest.mark.parametrize(
    "changes",
    [
        {"sha": "A" * 40},
        {"sha": "a" * 39},
        {"sha": "g" * 40},
        {"kind": "rumour"},
        {"stage": "qa"},
        {"status": "ok"},
        {"source": "email"},
        {"stage": ""},  # a deployment always has a stage
    ],
)
def test_evidence_values_are_checked(changes):
    rejects(lambda: evidence(RepositoryFactory(), **changes))


def test_a_check_may_have_no_environment():
    row = evidence(RepositoryFactory(), kind="check", environment="", stage="", name="downstream-e2e")
    assert str(row) == f"check downstream-e2e success @ {SHA[:7]}"


def test_branch_commit_is_unique_per_branch_and_sha():
    repository = RepositoryFactory()
    BranchCommit.objects.create(repository=repository, branch="main", sha=SHA, pushed_at=BASE_TIME, position=0)
    rejects(
        lambda: BranchCommit.objects.create(
            repository=repository, branch="main", sha=SHA, pushed_at=BASE_TIME, position=3
        )
    )
    rejects(
        lambda: BranchCommit.objects.create(
            repository=repository, branch="main", sha="not-a-sha", pushed_at=BASE_TIME, position=0
        )
    )
    BranchCommit.objects.create(repository=repository, branch="release", sha=SHA, pushed_at=BASE_TIME, position=0)


def test_evidence_token_hash_is_unique():
    repository = RepositoryFactory()
    EvidenceToken.objects.create(repository=repository, name="ci", key_hash=evidence_token_hash("k"))
    rejects(lambda: EvidenceToken.objects.create(repository=repository, name="ci 2", key_hash=evidence_token_hash("k")))


def test_new_repository_has_the_evidence_defaults():
    repository = Repository.objects.create(full_name="acme/new")
    assert repository.environment_stages == {}
    assert repository.staging_branches == ["stg", "staging"]
    assert repository.staging_checks == []
    assert repository.staging_status is False
