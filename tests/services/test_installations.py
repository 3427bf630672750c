"""`installation` and `installation_repositories` deliveries (SPEC §13): repositories registered with
their installation, removed ones inactive with their history kept, suspension and removal recorded."""

from __future__ import annotations

import pytest

from postmortems.choices import DeliveryStatus, InstallationState
from postmortems.models import GitHubInstallation, Postmortem, Repository, WebhookDelivery
from tests.factories import PostmortemFactory, RepositoryFactory
from tests.github.conftest import load_payload

pytestmark = pytest.mark.django_db


def processed(deliver, payload: dict, event: str) -> None:
    response = deliver(payload, event=event)
    assert response.status_code == 202, response.content
    delivery = WebhookDelivery.objects.get(delivery_id=response.json()["delivery"])
    assert (delivery.status, delivery.last_error) == (DeliveryStatus.PROCESSED, "")


def test_a_new_installation_registers_its_repositories(deliver):
    processed(deliver, load_payload("installation.created.json"), "installation")
    installation = GitHubInstallation.objects.get()
    assert (installation.installation_id, installation.account_login, installation.state) == (
        957387,
        "Codertocat",
        InstallationState.ACTIVE,
    )
    repository = Repository.objects.get()
    assert (repository.full_name, repository.github_id, repository.installation_id, repository.active) == (
        "Codertocat/Hello-World",
        186853002,
        957387,
        True,
    )


def test_repositories_added_later_are_registered_and_removed_ones_kept_inactive(deliver):
    removed = RepositoryFactory(full_name="octocat/Hello-World", github_id=1296269)
    PostmortemFactory(repository=removed)
    processed(deliver, load_payload("installation_repositories.added.json"), "installation_repositories")
    processed(deliver, load_payload("installation_repositories.removed.json"), "installation_repositories")
    added = Repository.objects.get(full_name="Codertocat/Space")
    assert (added.github_id, added.installation_id, added.active) == (186853007, 957387, True)
    removed.refresh_from_db()
    assert removed.active is False
    assert Postmortem.objects.filter(repository=removed).count() == 1  # history kept


def test_a_repository_added_back_is_active_again(deliver):
    payload = load_payload("installation_repositories.added.json")
    RepositoryFactory(full_name="Codertocat/Space", github_id=186853007, active=False)
    processed(deliver, payload, "installation_repositories")
    assert Repository.objects.get().active is True


def test_a_deleted_installation_is_revoked_and_its_repositories_inactive(deliver):
    installation = GitHubInstallation.objects.create(installation_id=2)
    RepositoryFactory(full_name="octocat/Hello-World", github_id=1296269)
    RepositoryFactory(full_name="octocat/Other", installation=installation)  # not listed, still its own
    processed(deliver, load_payload("installation.deleted.json"), "installation")
    installation = GitHubInstallation.objects.get(installation_id=2)
    assert installation.state == InstallationState.REVOKED and "uninstalled" in installation.state_message
    assert set(Repository.objects.values_list("full_name", "active")) == {
        ("octocat/Hello-World", False),
        ("octocat/Other", False),
    }


def test_suspend_and_unsuspend(deliver):
    suspend = load_payload("installation.created.json") | {"action": "suspend"}
    processed(deliver, suspend, "installation")
    assert GitHubInstallation.objects.get().state == InstallationState.SUSPENDED
    processed(deliver, suspend | {"action": "unsuspend"}, "installation")
    installation = GitHubInstallation.objects.get()
    assert (installation.state, installation.state_message) == (InstallationState.ACTIVE, "")


def test_a_pull_request_delivery_records_the_installation_it_came_through(deliver):
    response = deliver(load_payload("pull_request.converted_to_draft.with-installation.json"))
    assert response.status_code == 202
    # An opened/draft PR records nothing else, but the repository now knows its installation.
    assert Repository.objects.get().installation_id == 1
