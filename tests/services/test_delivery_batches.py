"""Deliveries processed in batches, the webhook's path under load (SPEC §4, §7, §10).

Each delivery is still tried once, counted first, in its own transaction; the staging
verification they call for is written down with each delivery and recomputed after the
batch, once per merged PR, with no broker message per delivery; what a stopped worker
left written down is recomputed by the sweep.
"""

from __future__ import annotations

import copy
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from postmortems import queue, services, tasks
from postmortems.choices import DeliveryStatus, StagingVerification
from postmortems.models import Evidence, MergedPullRequest, VerificationDue, WebhookDelivery
from postmortems.services import evidence as evidence_service
from postmortems.services.evidence_staging import RECOMPUTE_TASK, verification_deferred
from tests.factories import RepositoryFactory
from tests.github.conftest import MERGE_SHA, load_payload, merged_payload

pytestmark = pytest.mark.django_db

HEAD_SHA = load_payload("pull_request.closed.json")["pull_request"]["head"]["sha"]
# Merged at 2026-03-10T12:00:00Z (tests.github.conftest.MERGED_AT).
STAGING_AT, CHECK_AT, PRODUCTION_AT = "2026-03-10T11:00:00Z", "2026-03-10T11:30:00Z", "2026-03-10T12:30:00Z"


@pytest.fixture
def repository():
    return RepositoryFactory(
        full_name="Codertocat/Hello-World", github_id=186853002, default_branch="master", staging_checks=["e2e"]
    )


def stored(event: str, payload: dict) -> int:
    """A delivery as the intake stores it, not yet processed."""
    return WebhookDelivery.objects.create(delivery_id=str(uuid.uuid4()), event=event, payload=payload).pk


def deployment(status_id: int, sha: str, environment: str, at: str) -> dict:
    payload = copy.deepcopy(load_payload("deployment_status.json"))
    payload["deployment"].update(id=status_id, sha=sha, environment=environment)
    payload["deployment_status"].update(id=status_id, state="success", environment=environment, updated_at=at)
    return payload


def check(run_id: int, sha: str, name: str, at: str) -> dict:
    payload = copy.deepcopy(load_payload("check_run.completed.json"))
    payload["check_run"].update(id=run_id, head_sha=sha, name=name, conclusion="success", completed_at=at)
    return payload


def commit_status(status_id: int, sha: str) -> dict:
    payload = copy.deepcopy(load_payload("status.json"))
    payload.update(id=status_id, sha=sha, context="ci/build", updated_at=CHECK_AT)
    return payload


def a_verified_change() -> list[int]:
    """A merged PR, its staging deployment, the required check, its production deployment; one fact sent twice."""
    return [
        stored("pull_request", merged_payload()),
        stored("deployment_status", deployment(11, HEAD_SHA, "staging", STAGING_AT)),
        stored("check_run", check(12, HEAD_SHA, "e2e", CHECK_AT)),
        stored("check_run", check(12, HEAD_SHA, "e2e", CHECK_AT)),  # the same fact from another hook
        stored("deployment_status", deployment(13, MERGE_SHA, "production", PRODUCTION_AT)),
    ]


@pytest.fixture
def published(monkeypatch):
    calls: list[tuple] = []
    monkeypatch.setattr(queue, "publish", lambda name, *args: calls.append((name, *args)) or True)
    return calls


@pytest.fixture
def verified_prs(monkeypatch):
    """The merged PRs whose verification was computed, one entry per computation (the real rule runs)."""
    computed: list[int] = []
    real = evidence_service.merged_pr_verify

    def counting(*, merged_pr, **kwargs):
        computed.append(merged_pr.pk)
        return real(merged_pr=merged_pr, **kwargs)

    monkeypatch.setattr(evidence_service, "merged_pr_verify", counting)
    return computed


def test_a_batch_processes_each_delivery_once_and_verifies_each_pr_once_without_a_message(
    repository, published, verified_prs, django_capture_on_commit_callbacks
):
    pks = a_verified_change()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.process_github_deliveries(pks) == len(pks)
    deliveries = WebhookDelivery.objects.filter(pk__in=pks)
    assert sorted(deliveries.values_list("status", flat=True)) == sorted([DeliveryStatus.PROCESSED] * len(pks))
    assert set(deliveries.values_list("attempts", flat=True)) == {1}
    assert Evidence.objects.count() == 3
    merged_pr = MergedPullRequest.objects.get()
    assert merged_pr.staging_verification == StagingVerification.VERIFIED
    assert verified_prs == [merged_pr.pk]  # four deliveries named its commits; one computation
    assert [call for call in published if call[0] == RECOMPUTE_TASK] == []
    assert not VerificationDue.objects.exists()


def test_a_batch_run_again_changes_nothing_and_counts_no_try(repository, django_capture_on_commit_callbacks):
    pks = a_verified_change()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.process_github_deliveries(pks)
        tasks.process_github_deliveries(pks)  # late acks: the message came back after the worker died
    assert set(WebhookDelivery.objects.filter(pk__in=pks).values_list("attempts", flat=True)) == {1}
    assert Evidence.objects.count() == 3
    assert MergedPullRequest.objects.get().staging_verification == StagingVerification.VERIFIED


def test_what_a_stopped_worker_left_written_down_is_recomputed_by_the_sweep(
    repository, django_capture_on_commit_callbacks
):
    pks = a_verified_change()
    with django_capture_on_commit_callbacks(execute=True), verification_deferred():
        for pk in pks:  # the deliveries were committed, then the worker stopped before its drain
            services.delivery_process(pk)
    merged_pr = MergedPullRequest.objects.get()
    assert merged_pr.staging_verification == StagingVerification.PENDING
    assert set(VerificationDue.objects.values_list("sha", flat=True)) == {HEAD_SHA, MERGE_SHA}
    tasks.sweep_github_deliveries()
    merged_pr.refresh_from_db()
    assert merged_pr.staging_verification == StagingVerification.VERIFIED
    assert not VerificationDue.objects.exists()


def test_outside_a_batch_a_recompute_is_still_sent_by_name(repository, published, django_capture_on_commit_callbacks):
    """A single delivery (the sweep's re-queue, an admin's re-run) and the evidence API keep the message."""
    pk = stored("status", commit_status(21, HEAD_SHA))
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_process(pk)
    assert [call for call in published if call[0] == RECOMPUTE_TASK] == [(RECOMPUTE_TASK, repository.pk, [HEAD_SHA])]
    assert not VerificationDue.objects.exists()


def _batch_queries(first_id: int, count: int) -> int:
    pks = [stored("status", commit_status(first_id + n, f"{first_id + n:040x}")) for n in range(count)]
    with CaptureQueriesContext(connection) as queries:
        services.deliveries_process(pks)
    return len(queries)


def test_each_further_evidence_delivery_in_a_batch_costs_the_same_few_queries(repository):
    """Per delivery: count the try; open its transaction (a savepoint here, inside the test's), lock and read
    it; the repository; insert the fact (new ones come back with their ids, nothing is read back); write down
    its commit; mark it done; commit. The drain after the batch costs the same whatever the batch's size."""
    _batch_queries(100, 1)  # first use: the repository's row and caches are warm from here on
    five, ten = _batch_queries(200, 5), _batch_queries(300, 10)
    assert ten - five == 5 * 8
    assert five - 5 * 8 == ten - 10 * 8  # the drain: constant
