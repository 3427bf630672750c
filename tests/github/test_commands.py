"""The backfill and redelivery commands, against a local GitHub serving the recorded examples."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from postmortems import services
from postmortems.choices import PostmortemStatus, WritebackState
from postmortems.management.commands import import_github_history
from postmortems.models import HotfixPullRequest, MergedPullRequest, Postmortem, Repository, WebhookDelivery
from tests.factories import LeadFactory, UserFactory
from tests.github.fake_github import Reply

pytestmark = pytest.mark.django_db

PULLS = r"/repos/octocat/Hello-World/pulls"
HOOK_DELIVERIES = r"/repos/octocat/Hello-World/hooks/42/deliveries"


def serve_history(fake_github, *, labels=("bug",)):
    pulls = fake_github.fixture("pulls.list.200.json")  # one PR, merged 2011-01-26 into master
    pulls[0]["labels"] = [{"name": name} for name in labels]
    fake_github.route("GET", r"/repos/octocat/Hello-World", Reply(200, fake_github.fixture("repos.get.200.json")))
    fake_github.route("GET", PULLS, Reply(200, pulls), Reply(200, []))
    fake_github.serve_evidence("octocat/Hello-World", deployments=[])
    return pulls[0]


def run(*args) -> str:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_import_records_merged_prs_and_opens_postmortems_for_hotfixes(fake_github, django_capture_on_commit_callbacks):
    pr = serve_history(fake_github, labels=("Hotfix",))
    with django_capture_on_commit_callbacks(execute=True):
        output = run(
            "import_github_history",
            "octocat/Hello-World",
            "--since",
            "2011-01-01",
            "--until",
            "2011-12-31",
            "--open-postmortems-since",
            "2011-01-01",
        )
    assert "1 merged PRs recorded, 1 hotfixes, 1 postmortems opened" in output
    repository = Repository.objects.get(full_name="octocat/Hello-World")
    assert repository.default_branch == "master"
    merged = MergedPullRequest.objects.get()
    assert (merged.number, merged.title, merged.merge_commit_sha) == (1347, pr["title"], pr["merge_commit_sha"])
    assert Postmortem.objects.get().status == PostmortemStatus.DRAFT
    first_query = fake_github.calls("GET", PULLS)[0].path
    assert "state=closed" in first_query and "base=master" in first_query

    # Re-running changes nothing.
    serve_history(fake_github, labels=("Hotfix",))
    output = run("import_github_history", "octocat/Hello-World", "--since", "2011-01-01")
    assert "1 merged PRs recorded, 1 hotfixes, 0 postmortems opened" in output
    assert MergedPullRequest.objects.count() == 1
    assert Postmortem.objects.count() == 1


def test_import_flags_a_hotfix_whose_label_is_gone_as_the_webhook_would(fake_github):
    """The delivery saying the label was removed never came; the import reads the PR as it is now."""
    serve_history(fake_github, labels=("Hotfix",))
    run(
        "import_github_history",
        "octocat/Hello-World",
        "--since",
        "2011-01-01",
        "--open-postmortems-since",
        "2011-01-01",
    )
    serve_history(fake_github, labels=("bug",))
    output = run("import_github_history", "octocat/Hello-World", "--since", "2011-01-01")
    assert "1 merged PRs recorded, 0 hotfixes, 0 postmortems opened" in output
    postmortem = Postmortem.objects.get()
    assert postmortem.status == PostmortemStatus.DRAFT and postmortem.needs_dismissal_review is True
    assert HotfixPullRequest.objects.get().no_longer_hotfix is True
    assert MergedPullRequest.objects.get().is_hotfix is True  # a lead decides

    serve_history(fake_github, labels=("Hotfix",))  # the label is back
    run("import_github_history", "octocat/Hello-World", "--since", "2011-01-01")
    postmortem.refresh_from_db()
    assert postmortem.needs_dismissal_review is False
    assert HotfixPullRequest.objects.get().no_longer_hotfix is False


def test_import_skips_prs_merged_outside_the_window(fake_github):
    serve_history(fake_github)
    output = run("import_github_history", "octocat/Hello-World", "--since", "2012-01-01")
    assert "0 merged PRs recorded" in output
    assert MergedPullRequest.objects.count() == 0


def test_import_waits_for_the_rate_limit_reset(fake_github, monkeypatch):
    serve_history(fake_github)
    pulls = fake_github.fixture("pulls.list.200.json")
    reset = str(int(time.time()) + 30)
    fake_github.route(
        "GET",
        PULLS,
        Reply(403, {"message": "API rate limit exceeded"}, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}),
        Reply(200, pulls),
        Reply(200, []),
    )
    waits = []
    monkeypatch.setattr(import_github_history.time, "sleep", waits.append)
    output = run("import_github_history", "octocat/Hello-World", "--since", "2011-01-01")
    assert len(waits) == 1 and 20 < waits[0] <= 30
    assert "waiting" in output
    assert MergedPullRequest.objects.count() == 1


def test_import_reports_permanent_errors(fake_github):
    with pytest.raises(CommandError, match="404"):
        run("import_github_history", "octocat/missing", "--since", "2011-01-01")


def test_import_rejects_bad_dates():
    with pytest.raises(CommandError, match="not a date"):
        run("import_github_history", "octocat/Hello-World", "--since", "yesterday")


def github_writes(fake_github) -> list[str]:
    return [f"{r.method} {r.path}" for r in fake_github.requests if r.method != "GET"]


def test_old_history_is_recorded_quietly_by_default(fake_github, django_capture_on_commit_callbacks):
    """A hotfix merged in 2011 counts as a hotfix, with no draft, no due date, and nothing written on GitHub."""
    serve_history(fake_github, labels=("Hotfix",))
    with django_capture_on_commit_callbacks(execute=True):
        output = run("import_github_history", "octocat/Hello-World", "--since", "2011-01-01")
    assert "1 hotfixes, 0 postmortems opened, 1 older hotfixes recorded without one" in output
    merged = MergedPullRequest.objects.get()
    assert merged.is_hotfix is True  # the report's hotfix rate still counts it
    assert Postmortem.objects.count() == 0 and HotfixPullRequest.objects.count() == 0
    assert github_writes(fake_github) == []


def recent_history(fake_github, *, days_ago: int) -> dict:
    pr = serve_history(fake_github, labels=("Hotfix",))
    merged_at = (timezone.now() - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")
    pr.update(merged_at=merged_at, updated_at=merged_at, closed_at=merged_at)
    return pr


def test_a_hotfix_still_within_its_due_date_gets_its_draft_without_write_back(
    fake_github, django_capture_on_commit_callbacks
):
    """As a delivery missed two days ago would: an open draft due in three days — but GitHub hears nothing."""
    recent_history(fake_github, days_ago=2)
    with django_capture_on_commit_callbacks(execute=True):
        output = run("import_github_history", "octocat/Hello-World", "--since", "2011-01-01")
    assert "1 hotfixes, 1 postmortems opened, 0 older hotfixes" in output
    postmortem = Postmortem.objects.get()
    assert postmortem.status == PostmortemStatus.DRAFT and postmortem.due_at > timezone.now()
    hotfix = HotfixPullRequest.objects.get()
    assert (hotfix.comment_state, hotfix.commit_status_state) == (WritebackState.DISABLED, WritebackState.DISABLED)
    assert github_writes(fake_github) == []


def test_asked_for_old_postmortems_without_write_back_github_hears_nothing_later_either(
    fake_github, django_capture_on_commit_callbacks
):
    serve_history(fake_github, labels=("Hotfix",))
    with django_capture_on_commit_callbacks(execute=True):
        output = run(
            "import_github_history",
            "octocat/Hello-World",
            "--since",
            "2011-01-01",
            "--open-postmortems-since",
            "2011-01-01",
        )
    assert "1 postmortems opened, 0 older hotfixes" in output
    postmortem = Postmortem.objects.get()
    assert postmortem.due_at.date() == date(2011, 1, 31)  # due as usual: asked for, overdue at once
    owner = UserFactory(username="late-owner")
    Postmortem.objects.update(owner=owner)
    with django_capture_on_commit_callbacks(execute=True):  # the daily reminder run, then a review
        assert services.overdue_reminders_send(now=datetime(2026, 3, 9, 9, 0, tzinfo=UTC)) == 1
        Postmortem.objects.update(status=PostmortemStatus.IN_REVIEW)
        services.postmortem_approve(postmortem=postmortem, actor=LeadFactory(username="reviewer"))
    assert mail.outbox[0].to == [owner.email]  # the owner is reminded by mail, as asked
    assert github_writes(fake_github) == []  # no comment, no reminder comment, no status


def test_write_back_on_request(fake_github, django_capture_on_commit_callbacks):
    recent_history(fake_github, days_ago=1)
    with django_capture_on_commit_callbacks(execute=True):
        run("import_github_history", "octocat/Hello-World", "--since", "2011-01-01", "--write-back")
    hotfix = HotfixPullRequest.objects.get()
    assert (hotfix.comment_state, hotfix.commit_status_state) == (WritebackState.DONE, WritebackState.DONE)
    assert [w.split(" ")[0] for w in github_writes(fake_github)] == ["POST", "POST"]  # the comment and the status


def test_the_open_postmortems_date_is_checked():
    with pytest.raises(CommandError, match="not a date"):
        run("import_github_history", "octocat/Hello-World", "--since", "2011-01-01", "--open-postmortems-since", "x")


def serve_deliveries(fake_github):
    fake_github.route("GET", HOOK_DELIVERIES, Reply(200, fake_github.fixture("repos.list-webhook-deliveries.200.json")))
    fake_github.route("POST", HOOK_DELIVERIES + r"/\d+/attempts", Reply(202, {}))


def test_redeliver_asks_github_for_deliveries_we_never_stored(fake_github):
    serve_deliveries(fake_github)
    output = run("redeliver_github_hooks", "octocat/Hello-World", "--hook-id", "42", "--since", "2019-06-01")
    (post,) = fake_github.calls("POST", HOOK_DELIVERIES + r"/\d+/attempts")
    assert post.path.endswith("/deliveries/123456789/attempts")  # the latest attempt of the GUID
    assert "0b989ba4-242f-11e5-81e1-c7b6966d2516 issues/opened: never stored" in output


def test_redeliver_skips_stored_deliveries_and_old_ones(fake_github):
    serve_deliveries(fake_github)
    WebhookDelivery.objects.create(delivery_id="0b989ba4-242f-11e5-81e1-c7b6966d2516", event="issues", payload={})
    output = run("redeliver_github_hooks", "octocat/Hello-World", "--hook-id", "42", "--since", "2019-06-01")
    assert "0 of 1 deliveries" in output
    WebhookDelivery.objects.all().delete()
    output = run("redeliver_github_hooks", "octocat/Hello-World", "--hook-id", "42", "--since", "2019-07-01")
    assert "0 of 0 deliveries" in output
    assert fake_github.calls("POST", HOOK_DELIVERIES + r"/\d+/attempts") == []


def test_redeliver_failed_deliveries_even_if_stored_and_dry_run(fake_github):
    items = fake_github.fixture("repos.list-webhook-deliveries.200.json")
    for item in items:
        item.update(status="Invalid HTTP Response: 503", status_code=503)
    fake_github.route("GET", HOOK_DELIVERIES, Reply(200, items))
    WebhookDelivery.objects.create(delivery_id=items[0]["guid"], event="issues", payload={})
    output = run(
        "redeliver_github_hooks", "octocat/Hello-World", "--hook-id", "42", "--since", "2019-06-01", "--dry-run"
    )
    assert "failed (503)" in output and "would be redelivered" in output
    assert fake_github.calls("POST", HOOK_DELIVERIES + r"/\d+/attempts") == []
