"""The history import also reads deployment evidence, within the rate limit (SPEC §7, §10), from a local GitHub."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from postmortems.models import Evidence, MergedPullRequest, Repository
from tests.github.fake_github import Reply
from tests.github.test_commands import PULLS

pytestmark = pytest.mark.django_db

REPO = "/repos/octocat/Hello-World"


def serve(fake_github, *, hotfix: bool) -> dict:
    pulls = fake_github.fixture("pulls.list.200.json")  # one PR, merged 2011-01-26 into master
    pulls[0]["labels"] = [{"name": "Hotfix" if hotfix else "bug"}]
    fake_github.route("GET", REPO, Reply(200, fake_github.fixture("repos.get.200.json")))
    fake_github.route("GET", PULLS, Reply(200, pulls), Reply(200, []))
    pr = pulls[0]
    run = fake_github.fixture("checks.list-for-ref.200.json")["check_runs"][0]
    run.update(head_sha=pr["merge_commit_sha"], name="downstream-e2e", conclusion="success")
    fake_github.serve_evidence("octocat/Hello-World", check_runs={pr["merge_commit_sha"]: [run]})
    return pr


def run() -> str:
    out = StringIO()
    call_command("import_github_history", "octocat/Hello-World", "--since", "2011-01-01", stdout=out, stderr=StringIO())
    return out.getvalue()


def test_deployments_their_statuses_and_the_hotfixs_check_runs_become_backfill_evidence(fake_github):
    pr = serve(fake_github, hotfix=True)
    assert "2 new evidence rows" in run()
    merged = MergedPullRequest.objects.get()
    assert (merged.head_sha, merged.merge_commit_sha) == (pr["head"]["sha"], pr["merge_commit_sha"])
    rows = list(Evidence.objects.order_by("kind").values_list("kind", "sha", "stage", "name", "status", "source"))
    assert rows == [
        ("check", pr["merge_commit_sha"], "", "downstream-e2e", "success", "backfill"),
        ("deployment", "a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d", "production", "", "success", "backfill"),
    ]
    # Keyed like the webhook's facts: a delivery of the same status or run later adds nothing.
    assert set(Evidence.objects.values_list("source_key", flat=True)) == {"deployment_status:1", "check_run:4"}
    # Requests: the deployments listed page by page, one per deployment for its statuses, and the
    # check runs of the hotfix's two commits only.
    assert len(fake_github.calls("GET", rf"{REPO}/deployments")) == 2
    assert len(fake_github.calls("GET", rf"{REPO}/deployments/\d+/statuses")) == 1
    assert len(fake_github.calls("GET", rf"{REPO}/commits/[0-9a-f]+/check-runs")) == 2
    assert not fake_github.calls("GET", rf"{REPO}/deployments/\d+")


def test_running_it_again_adds_nothing(fake_github):
    serve(fake_github, hotfix=True)
    run()
    serve(fake_github, hotfix=True)
    assert "0 new evidence rows" in run()
    assert Evidence.objects.count() == 2


def test_no_check_runs_are_read_for_a_pr_that_is_no_hotfix(fake_github):
    serve(fake_github, hotfix=False)
    run()
    assert fake_github.calls("GET", rf"{REPO}/commits/[0-9a-f]+/check-runs") == []
    assert list(Evidence.objects.values_list("kind", flat=True)) == ["deployment"]


def test_environments_the_repository_names_are_listed_one_by_one(fake_github):
    serve(fake_github, hotfix=False)
    Repository.objects.create(
        full_name="octocat/Hello-World",
        default_branch="master",
        environment_stages={"eu-prod": "production", "stg-eu": "staging", "scratch": "development"},
    )
    run()
    listed = [call.path for call in fake_github.calls("GET", rf"{REPO}/deployments")]
    assert any("environment=eu-prod" in path for path in listed)
    assert any("environment=stg-eu" in path for path in listed)
    assert not any("scratch" in path for path in listed)
