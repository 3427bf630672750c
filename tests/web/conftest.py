"""Records and clients shared by the web page tests."""

from datetime import timedelta

import pytest
from django.utils import timezone

from postmortems.models import MergedPullRequest
from tests.factories import (
    MergedPullRequestFactory,
    PostmortemFactory,
    RepositoryFactory,
    TeamFactory,
)
from tests.github.conftest import fake_github  # noqa: F401 - fixture
from tests.slack.conftest import fake_slack  # noqa: F401 - fixture


@pytest.fixture
def team(engineer):
    team = TeamFactory(slug="forecasting", name="Forecasting")
    team.members.add(engineer)
    return team


@pytest.fixture
def repository(team):
    return RepositoryFactory(full_name="acme/forecast", team=team)


@pytest.fixture
def hotfix_pr(repository) -> MergedPullRequest:
    return MergedPullRequestFactory(
        repository=repository,
        number=42,
        title="Hotfix <script>alert('pr')</script> forecast columns",
        author_login="owner-engineer-gh",
        labels=["hotfix", "<b>urgent</b>"],
        head_branch="hotfix/<img src=x>",
        is_hotfix=True,
    )


@pytest.fixture
def draft(engineer, repository, hotfix_pr):
    """An auto-opened draft as the webhook makes it (via the service)."""
    from postmortems import services

    postmortem, _ = services.postmortem_open_for_hotfix(merged_pr=hotfix_pr)
    assert postmortem.owner == engineer
    return postmortem


@pytest.fixture
def overdue_draft(engineer, repository):
    return PostmortemFactory(
        title="Overdue write-up", owner=engineer, repository=repository, due_at=timezone.now() - timedelta(days=3)
    )


def signed_in(client, user):
    client.force_login(user)
    return client
