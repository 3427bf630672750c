"""Deployment evidence from webhooks (SPEC §10).

Every real example signed, sent through the real view and processed; each fact stored once;
staging-branch pushes; production-branch order; the merged PRs that new evidence concerns.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest

from postmortems import queue, services
from postmortems.choices import DeliveryStatus
from postmortems.models import BranchCommit, Evidence, Repository, WebhookDelivery
from postmortems.services.evidence import staging_verification_recompute
from postmortems.services.evidence_staging import RECOMPUTE_TASK
from tests.factories import MergedPullRequestFactory, RepositoryFactory
from tests.github.conftest import WEBHOOKS_DIR, load_payload, merged_payload

pytestmark = pytest.mark.django_db

C1, C2, C3, C4 = ("1" * 40, "2" * 40, "3" * 40, "4" * 40)
PUSHED_AT = datetime.fromtimestamp(1557933657, tz=UTC)  # repository.pushed_at of the push examples


def delivered(deliver, payload, event, **kwargs) -> WebhookDelivery:
    response = deliver(payload, event=event, **kwargs)
    assert response.status_code == 202, response.content
    return WebhookDelivery.objects.get(delivery_id=response.json()["delivery"])


def staging_push(*commits: str, branch: str = "stg") -> dict:
    """The real push example, moved to `branch` and bringing `commits` (the last one is `after`)."""
    payload = load_payload("push.with-new-branch.json")
    template = payload["commits"][0]
    payload["commits"] = [copy.deepcopy(template) | {"id": sha} for sha in commits]
    payload.update(ref=f"refs/heads/{branch}", after=commits[-1], created=False, before=C4)
    return payload


@pytest.mark.parametrize(
    ("fixture", "event", "expected"),
    [
        (
            "deployment_status.json",
            "deployment_status",
            {
                "kind": "deployment",
                "sha": "f95f852bd8fca8fcc58a9a2d6c842781e32a215e",
                "environment": "production",
                "stage": "production",
                "name": "",
                "status": "success",
                "url": "",
                "source_key": "deployment_status:209916254",
            },
        ),
        (
            "check_run.completed.json",
            "check_run",
            {
                "kind": "check",
                "sha": "ec26c3e57ca3a959ca5aad62de7213c562f8c821",
                "environment": "",
                "stage": "",
                "name": "Octocoders-linter",
                "status": "success",
                "url": "https://github.com/Codertocat/Hello-World/runs/128620228",
                "source_key": "check_run:128620228",
            },
        ),
        (
            "workflow_run.completed.json",
            "workflow_run",
            {
                "kind": "check",
                "sha": "3484a3fb816e0859fd6e1cea078d76385ff50625",
                "name": "test",
                "status": "success",
                "url": "https://github.com/octo-org/octo-repo/actions/runs/289782451",
                "source_key": "workflow_run:289782451:1",
            },
        ),
        (
            "status.json",
            "status",
            {
                "kind": "check",
                "sha": "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
                "name": "default",
                "status": "success",
                "source_key": "status:6805126730",
            },
        ),
    ],
)
def test_every_evidence_example_through_the_webhook_stores_one_row(deliver, fixture, event, expected):
    payload = load_payload(fixture)
    delivery = delivered(deliver, payload, event)
    assert delivery.status == DeliveryStatus.PROCESSED, delivery.last_error
    row = Evidence.objects.get()
    assert {field: getattr(row, field) for field in expected} == expected
    assert (row.source, row.repository.full_name) == ("github", payload["repository"]["full_name"])
    # An unknown repository is registered with defaults, as a pull request registers it.
    assert Repository.objects.get().staging_branches == ["stg", "staging"]


@pytest.mark.parametrize(
    ("fixture", "event"),
    [
        ("deployment_status.json", "deployment_status"),
        ("check_run.completed.json", "check_run"),
        ("workflow_run.completed.json", "workflow_run"),
        ("status.json", "status"),
    ],
)
def test_a_redelivery_or_the_same_fact_from_another_hook_adds_nothing(deliver, fixture, event):
    payload = load_payload(fixture)
    first = delivered(deliver, payload, event, delivery_id="first")
    assert deliver(payload, event=event, delivery_id="first").json() == {"status": "duplicate"}
    # The organisation's hook and the App send the same fact under delivery ids of their own.
    org = copy.deepcopy(payload) | {"organization": {"login": "Codertocat", "id": 1}}
    again = [delivered(deliver, org, event), delivered(deliver, payload | {"installation": {"id": 2}}, event)]
    assert [d.status for d in (first, *again)] == [DeliveryStatus.PROCESSED] * 3
    assert Evidence.objects.count() == 1


def test_an_inactive_deployment_status_adds_nothing(deliver):
    payload = load_payload("deployment_status.json")
    payload["deployment_status"].update(state="inactive", id=209916255)
    assert delivered(deliver, payload, "deployment_status").status == DeliveryStatus.IGNORED
    assert Evidence.objects.count() == 0


def test_checks_that_are_not_completed_are_ignored(deliver):
    check = load_payload("check_run.completed.json") | {"action": "created"}
    assert delivered(deliver, check, "check_run").status == DeliveryStatus.IGNORED
    assert delivered(deliver, load_payload("workflow_run.requested.json"), "workflow_run").status == "ignored"
    assert Evidence.objects.count() == 0


def test_a_new_state_of_the_same_deployment_and_a_rerun_are_new_facts(deliver):
    running = load_payload("deployment_status.json")
    running["deployment_status"].update(state="in_progress", id=1)
    delivered(deliver, running, "deployment_status")
    delivered(deliver, load_payload("deployment_status.json"), "deployment_status")
    rerun = load_payload("workflow_run.completed.json")
    delivered(deliver, rerun, "workflow_run")
    rerun["workflow_run"].update(run_attempt=2, conclusion="failure")
    delivered(deliver, rerun, "workflow_run")
    statuses = list(Evidence.objects.order_by("pk").values_list("kind", "status"))
    assert statuses == [
        ("deployment", "in_progress"),
        ("deployment", "success"),
        ("check", "success"),
        ("check", "failure"),
    ]


def test_the_repositorys_environment_mapping_gives_the_stage(deliver):
    RepositoryFactory(full_name="Codertocat/Hello-World", environment_stages={"Prod-EU": "production", "qa": "staging"})
    for number, environment in enumerate(("prod-eu", "QA", "preview"), start=1):
        payload = load_payload("deployment_status.json")
        payload["deployment_status"]["id"] = number
        payload["deployment"]["environment"] = environment
        delivered(deliver, payload, "deployment_status")
    assert list(Evidence.objects.order_by("pk").values_list("stage", flat=True)) == ["production", "staging", "other"]


def test_a_push_to_a_staging_branch_is_a_staging_deployment_of_every_commit_it_brings(deliver):
    delivery = delivered(deliver, staging_push(C1, C2), "push")
    assert delivery.status == DeliveryStatus.PROCESSED, delivery.last_error
    rows = list(Evidence.objects.order_by("sha").values_list("sha", "kind", "environment", "stage", "status"))
    assert rows == [(C1, "deployment", "stg", "staging", "success"), (C2, "deployment", "stg", "staging", "success")]
    assert set(Evidence.objects.values_list("source_key", flat=True)) == {f"push:{C2}:{C1}", f"push:{C2}:{C2}"}
    assert set(Evidence.objects.values_list("occurred_at", flat=True)) == {PUSHED_AT}
    delivered(deliver, staging_push(C1, C2), "push")  # the same push from another hook
    assert Evidence.objects.count() == 2
    assert BranchCommit.objects.count() == 0  # stg is not a production branch


def test_a_staging_branch_of_any_name_is_staging(deliver):
    RepositoryFactory(full_name="Codertocat/Hello-World", staging_branches=["release-candidate"])
    delivered(deliver, staging_push(C1, branch="release-candidate"), "push")
    delivered(deliver, staging_push(C2, branch="stg"), "push")  # no longer a staging branch here
    assert list(Evidence.objects.values_list("sha", "stage")) == [(C1, "staging")]


def test_a_push_to_a_production_branch_records_the_order_of_its_commits(deliver):
    delivery = delivered(deliver, staging_push(C1, C2, branch="master"), "push")  # master: the default branch
    assert delivery.status == DeliveryStatus.PROCESSED
    assert list(BranchCommit.objects.values_list("branch", "sha", "position", "pushed_at")) == [
        ("master", C1, 0, PUSHED_AT),
        ("master", C2, 1, PUSHED_AT),
    ]
    assert Evidence.objects.count() == 0


@pytest.mark.parametrize("fixture", sorted(path.name for path in WEBHOOKS_DIR.glob("push.*json")))
def test_every_push_example_through_the_webhook(deliver, fixture):
    """The tag pushes are ignored; the two pushes to master (the default branch) record its order."""
    payload = load_payload(fixture)
    delivery = delivered(deliver, payload, "push")
    if payload["ref"].startswith("refs/tags/"):
        assert delivery.status == DeliveryStatus.IGNORED
        assert BranchCommit.objects.count() == 0
    else:
        assert delivery.status == DeliveryStatus.PROCESSED, delivery.last_error
        assert list(BranchCommit.objects.values_list("branch", "sha")) == [("master", payload["after"])]
    assert Evidence.objects.count() == 0


def test_a_push_to_another_branch_or_a_deleted_branch_records_nothing(deliver):
    assert delivered(deliver, staging_push(C1, branch="feature/x"), "push").status == DeliveryStatus.IGNORED
    deleted = staging_push(C1) | {"after": "0" * 40, "deleted": True, "commits": []}
    assert delivered(deliver, deleted, "push").status == DeliveryStatus.IGNORED
    assert (Evidence.objects.count(), BranchCommit.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda p: p["deployment"].update(sha="f95f852"), "40-character hex"),
        (lambda p: p["deployment"].update(sha=["f95f852"]), "wrong type"),
        (lambda p: p["deployment"].update(environment="e" * 10_000), "longer than 255"),
        (lambda p: p["deployment_status"].update(updated_at="2999-01-01T00:00:00Z"), "in the future"),
        (lambda p: p["deployment_status"].update(state=7), "wrong type"),
        (lambda p: p["repository"].update(full_name="no slash"), "refused"),
    ],
)
def test_a_hostile_evidence_delivery_fails_with_a_reason_and_stores_nothing(deliver, change, reason):
    payload = load_payload("deployment_status.json")
    change(payload)
    delivery = delivered(deliver, payload, "deployment_status")
    assert delivery.status == DeliveryStatus.FAILED
    assert reason in delivery.last_error
    assert (Evidence.objects.count(), Repository.objects.count()) == (0, 0)


def test_a_merged_pr_keeps_its_head_sha(deliver):
    delivered(deliver, merged_payload(), "pull_request")
    merged = Repository.objects.get().merged_prs.get()
    assert merged.head_sha == load_payload("pull_request.closed.json")["pull_request"]["head"]["sha"]


# --- recompute: which merged PRs new evidence concerns ---------------------------------


def test_new_evidence_schedules_a_recompute_by_name_after_commit_and_a_duplicate_does_not(
    deliver, monkeypatch, django_capture_on_commit_callbacks
):
    published = []
    monkeypatch.setattr(queue, "publish", lambda name, *args: published.append((name, *args)) or True)
    payload = load_payload("check_run.completed.json")
    for _ in range(2):  # the second time: the same fact from another hook
        deliver(payload, event="check_run")
        with django_capture_on_commit_callbacks(execute=True):
            services.delivery_process(WebhookDelivery.objects.latest("pk").pk)
    recomputes = [call for call in published if call[0] == RECOMPUTE_TASK]
    assert recomputes == [(RECOMPUTE_TASK, Repository.objects.get().pk, ["ec26c3e57ca3a959ca5aad62de7213c562f8c821"])]


def test_recompute_finds_the_merged_prs_whose_head_or_merge_commit_is_named():
    repository = RepositoryFactory()
    by_head = MergedPullRequestFactory(repository=repository, head_sha=C1)
    by_merge = MergedPullRequestFactory(repository=repository, merge_commit_sha=C2)
    MergedPullRequestFactory(repository=repository, merge_commit_sha=C3)
    MergedPullRequestFactory(repository=RepositoryFactory(), merge_commit_sha=C1)  # another repository
    assert staging_verification_recompute(repository_pk=repository.pk, shas=[C1, C2]) == [by_head.pk, by_merge.pk]
    assert staging_verification_recompute(repository_pk=repository.pk, shas=[C4]) == []


def _production_deployment(repository, sha, at):
    Evidence.objects.create(
        repository=repository,
        kind="deployment",
        sha=sha,
        environment="production",
        stage="production",
        status="success",
        occurred_at=at,
        source="api",
        source_key=f"api:{repository.pk}:{sha}",
    )


def test_a_production_deployment_of_a_later_commit_concerns_every_pr_merged_before_it():
    """Batched deploys: main received C1..C4 in two pushes; PRs merged as C1, C2 and C3; production runs C4."""
    repository = RepositoryFactory(default_branch="main")
    at = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    for position, sha in enumerate((C1, C2)):
        BranchCommit.objects.create(repository=repository, branch="main", sha=sha, pushed_at=at, position=position)
    for position, sha in enumerate((C3, C4)):
        BranchCommit.objects.create(
            repository=repository, branch="main", sha=sha, pushed_at=at + timedelta(hours=1), position=position
        )
    prs = [MergedPullRequestFactory(repository=repository, merge_commit_sha=sha) for sha in (C1, C2, C3)]
    _production_deployment(repository, C4, at + timedelta(hours=2))
    assert staging_verification_recompute(repository_pk=repository.pk, shas=[C4]) == [pr.pk for pr in prs]
    # C1 went to production earlier: only what came after it is brought by the deployment of C4.
    _production_deployment(repository, C1, at + timedelta(minutes=5))
    assert staging_verification_recompute(repository_pk=repository.pk, shas=[C4]) == [prs[1].pk, prs[2].pk]
    # A staging deployment of C4 brings nothing along.
    assert staging_verification_recompute(repository_pk=repository.pk, shas=[C3]) == [prs[2].pk]


def test_a_push_arriving_after_the_production_deployment_recomputes_the_batch(deliver, monkeypatch):
    """master received C1 (the PR's merge) and later C2; production ran C2 before we heard of the push of C2."""
    repository = RepositoryFactory(full_name="Codertocat/Hello-World", default_branch="master")
    pr = MergedPullRequestFactory(repository=repository, merge_commit_sha=C1)
    delivered(deliver, staging_push(C1, branch="master"), "push")
    _production_deployment(repository, C2, PUSHED_AT + timedelta(minutes=1))
    recomputed = []
    monkeypatch.setattr(
        "postmortems.tasks.staging_verification_recompute",
        lambda **kwargs: recomputed.append((kwargs["shas"], staging_verification_recompute(**kwargs))),
    )
    later = staging_push(C2, branch="master")
    later["repository"]["pushed_at"] += 60
    delivered(deliver, later, "push")
    assert recomputed == [([C2], [pr.pk])]
