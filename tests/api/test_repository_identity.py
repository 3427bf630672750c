"""A renamed or transferred repository is still found by its former owner/name (SPEC §13), and the
repository API shows its App installation, whether it is active, and its former names."""

from __future__ import annotations

import pytest

from postmortems.choices import InstallationState
from postmortems.models import GitHubInstallation, RepositoryName
from tests.factories import MergedPullRequestFactory, PostmortemFactory, RepositoryFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def renamed():
    """acme/api, renamed to acme/api-v2 and then moved to globex/api; another repository took acme/other."""
    repository = RepositoryFactory(full_name="globex/api", github_id=7)
    RepositoryName.objects.create(repository=repository, full_name="acme/api")
    RepositoryName.objects.create(repository=repository, full_name="acme/api-v2")
    return repository


def test_record_and_merged_pr_filters_accept_former_names(lead, renamed):
    record = PostmortemFactory(repository=renamed)
    PostmortemFactory(repository=RepositoryFactory(full_name="acme/other"))
    merged = MergedPullRequestFactory(repository=renamed)
    api = client_for(lead)
    for name in ("globex/api", "acme/api", "acme/api-v2"):
        records = api.get(f"/api/v1/postmortems/?repository={name}").json()["results"]
        assert [row["id"] for row in records] == [record.pk], name
        prs = api.get(f"/api/v1/merged-prs/?repository={name}").json()["results"]
        assert [row["id"] for row in prs] == [merged.pk], name
    assert api.get("/api/v1/postmortems/?repository=acme/nothing").json()["results"] == []


def test_a_record_can_be_filed_under_a_former_name(engineer, renamed):
    renamed.team.members.add(engineer)  # engineers file records in their own teams' repositories
    response = client_for(engineer).post(
        "/api/v1/postmortems/", {"title": "Outage", "repository": "acme/api"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["repository"] == "globex/api"


def test_the_report_and_the_records_page_accept_former_names(client, lead, renamed):
    api = client_for(lead)
    assert api.get("/api/v1/reports/monthly/?month=2026-03&repository=acme/api").status_code == 200
    client.force_login(lead)
    record = PostmortemFactory(repository=renamed, title="Under its old name")
    page = client.get("/postmortems/?repository=acme/api").content.decode()
    assert record.title in page


def test_the_repository_api_shows_installation_activity_and_former_names(lead, renamed):
    installation = GitHubInstallation.objects.create(
        installation_id=99, state=InstallationState.SUSPENDED, state_message="The GitHub App was suspended."
    )
    renamed.installation, renamed.active = installation, False
    renamed.save()
    body = client_for(lead).get(f"/api/v1/repositories/{renamed.pk}/").json()
    assert {key: body[key] for key in ("installation_id", "installation_state", "installation_message", "active")} == {
        "installation_id": 99,
        "installation_state": "suspended",
        "installation_message": "The GitHub App was suspended.",
        "active": False,
    }
    assert sorted(body["former_names"]) == ["acme/api", "acme/api-v2"]
    plain = client_for(lead).get(f"/api/v1/repositories/{RepositoryFactory().pk}/").json()
    assert (plain["installation_id"], plain["installation_state"], plain["active"]) == (None, None, True)
