"""The backfill's GitHub requests against SPEC §7's budget, the rate limit on its progress bar, and a
rate-limit reset that pauses it, against the local GitHub serving a year of history (`fake_history`)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command

from postmortems.models import Evidence, MergedPullRequest, Repository
from tests.github.backfill_cost import allowed_check_commits, cost, record_known_hotfixes
from tests.github.fake_github import RateLimit, Reply
from tests.github.fake_history import History, kind_of

pytestmark = pytest.mark.django_db

FULL_NAME = "acme/shop"
START, END = datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC)
ENVIRONMENTS = {"production": "production", "staging": "staging"}


def serve(fake_github, *, merged: int) -> History:
    history = History.build(FULL_NAME, merged=merged, start=START, end=END)
    history.serve(fake_github)
    return history


def backfill() -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(
        "import_github_history", FULL_NAME, "--since", "2025-01-01", "--until", "2025-12-31", stdout=out, stderr=err
    )
    return out.getvalue(), err.getvalue()


def checked_commits(fake_github) -> set[str]:
    return {
        re.search(r"/commits/([0-9a-f]{40})/", r.path).group(1)
        for r in fake_github.requests
        if kind_of(r) == "check runs" and r.status == 200
    }


def test_a_year_of_history_costs_no_more_than_its_budget(fake_github):
    history = serve(fake_github, merged=200)
    repository = Repository.objects.create(full_name=FULL_NAME, default_branch="main", environment_stages=ENVIRONMENTS)
    assert record_known_hotfixes(history, repository) == 10  # each hotfix's postmortem names its introducing PR
    fake_github.requests.clear()

    out, _ = backfill()

    assert f"{len(history.merged_in_window())} merged PRs recorded, 10 hotfixes" in out
    assert MergedPullRequest.objects.count() == len(history.merged_in_window())
    spent = cost(history, fake_github.requests, environments=sorted(ENVIRONMENTS))
    assert spent.within, spent
    assert spent.by_kind["single PR"] == 0  # labels come with the list
    # Check runs of exactly the hotfixes' and the introducing PRs' commits: all of them, none other.
    assert checked_commits(fake_github) == allowed_check_commits(history)
    assert len(allowed_check_commits(history)) == 2 * 20  # head and merge commit of 10 hotfixes and 10 introducing
    # Preview deployments are never listed, nor their statuses read.
    assert not any("environment=preview" in r.path for r in fake_github.requests)
    assert Evidence.objects.filter(kind="deployment").exclude(stage__in=("staging", "production")).count() == 0


def test_the_progress_bar_shows_the_requests_left_from_githubs_answers(fake_github):
    serve(fake_github, merged=120)
    _, err = backfill()
    # The last answer's X-RateLimit-Remaining: every request spent one, none asked for the limit itself.
    assert f"{5000 - len(fake_github.requests):,} of 5,000 GitHub requests left" in err
    assert not any(kind_of(r) == "rate limit" for r in fake_github.requests)


def test_a_rate_limit_reset_pauses_the_backfill_which_then_carries_on(fake_github):
    history = serve(fake_github, merged=100)
    # The budget runs out part-way; GitHub resets it two seconds later (an hour, in real life).
    fake_github.rate_limit = RateLimit(limit=25, cooldown=2)

    out, err = backfill()

    refusals = fake_github.rate_limit.refusals
    assert refusals and "GitHub rate limit reached; waiting" in err
    # It paused: after a refusal the next request it made came after the reset GitHub named.
    for refused_at, reset_at in refusals:
        following = [r for r in fake_github.requests if r.at > refused_at]
        assert following and following[0].at >= reset_at
    # And it carried on: every PR recorded, every hotfix's check runs read.
    assert f"{len(history.merged_in_window())} merged PRs recorded, 5 hotfixes" in out
    assert MergedPullRequest.objects.count() == len(history.merged_in_window())
    assert checked_commits(fake_github) == {sha for p in history.hotfixes() for sha in (p.head_sha, p.merge_sha)}


def test_a_secondary_rate_limit_pauses_it_for_the_retry_after_github_names(fake_github):
    history = serve(fake_github, merged=100)
    refused: list = []

    def secondary_limit_once(request):
        if kind_of(request) == "PR list pages" and not refused:
            refused.append(request)
            return Reply(429, {"message": "You have exceeded a secondary rate limit."}, {"Retry-After": "1"})
        return None

    fake_github.interceptors.append(secondary_limit_once)
    _, err = backfill()
    assert "GitHub rate limit reached; waiting 1 s" in err
    # The same page asked again, no sooner than GitHub said.
    asked_again = next(r for r in fake_github.requests if kind_of(r) == "PR list pages" and r.at > refused[0].at)
    assert asked_again.path == refused[0].path and asked_again.at >= refused[0].at + 1
    assert MergedPullRequest.objects.count() == len(history.merged_in_window())
