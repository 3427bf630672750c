"""List and detail endpoints cost a fixed number of queries, however many rows they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from postmortems import services
from postmortems.models import MissingChecklistItem, Postmortem, WebhookDelivery
from tests.factories import (
    EngineerFactory,
    FailureCategoryFactory,
    MergedPullRequestFactory,
    PreventionActionFactory,
    RepositoryFactory,
    TeamFactory,
    ready_to_submit,
)

from .conftest import client_for

pytestmark = pytest.mark.django_db

# Generous enough for auth, visibility and one query per prefetched relation; fixed in any case.
MAX_QUERIES = {"/api/v1/postmortems/": 22, "/api/v1/actions/": 8}


def _rich_records(count: int, owner, team) -> None:
    """Records with every nested part filled: PRs, actions, assessment, missing items, categories."""
    repo = RepositoryFactory(team=team)
    for _ in range(count):
        pm = ready_to_submit(owner=owner, repository=repo)
        services.postmortem_link_hotfix_pr(
            postmortem=pm, merged_pr=MergedPullRequestFactory(repository=repo, is_hotfix=True), actor=owner
        )
        pm.introduced_by = MergedPullRequestFactory(repository=repo)
        pm.save()
        pm.contributing_categories.add(FailureCategoryFactory())
        MissingChecklistItem.objects.create(postmortem=pm, text="Compare row counts")
        WebhookDelivery.objects.create(
            delivery_id=f"d-{pm.pk}", event="pull_request", payload={}, received_at=timezone.now()
        )


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries)


LISTS = [
    "/api/v1/postmortems/",
    "/api/v1/postmortems/?status=draft&overdue=false&month=2026-03&ordering=-due_at",
    "/api/v1/actions/",
    "/api/v1/merged-prs/",
    "/api/v1/repositories/",
    "/api/v1/checklist-templates/",
    "/api/v1/teams/",
    "/api/v1/categories/",
]
CASES = [(url, who) for url in LISTS for who in ("engineer", "lead")] + [("/api/v1/webhook-deliveries/", "lead")]


@pytest.mark.parametrize(("url", "who"), CASES)
def test_list_queries_do_not_grow_with_rows(url, who, lead, django_assert_max_num_queries):
    owner = EngineerFactory(username="owner")
    team = TeamFactory()
    team.members.add(owner)
    caller = client_for(lead if who == "lead" else owner)
    _rich_records(2, owner, team)
    few = _count(caller, url)
    _rich_records(6, owner, team)
    many = _count(caller, url)
    assert many == few
    with django_assert_max_num_queries(MAX_QUERIES.get(url.split("?")[0], 22)):
        caller.get(url)


def test_detail_queries_do_not_grow_with_nested_rows(lead, django_assert_max_num_queries):
    owner = EngineerFactory(username="owner")
    team = TeamFactory()
    team.members.add(owner)  # an engineer links only PRs of their own teams
    _rich_records(2, owner, team)
    small, big = Postmortem.objects.order_by("pk")
    for n in range(4):
        services.postmortem_link_hotfix_pr(
            postmortem=big, merged_pr=MergedPullRequestFactory(repository=big.repository), actor=owner
        )
        PreventionActionFactory(postmortem=big)
        MissingChecklistItem.objects.create(postmortem=big, text=f"Step {n}")
        big.contributing_categories.add(FailureCategoryFactory())
    caller = client_for(lead)
    assert _count(caller, f"/api/v1/postmortems/{small.pk}/") == _count(caller, f"/api/v1/postmortems/{big.pk}/")
    with django_assert_max_num_queries(22):
        caller.get(f"/api/v1/postmortems/{big.pk}/")
