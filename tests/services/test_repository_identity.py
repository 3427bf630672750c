"""Repository identity is GitHub's repository id (SPEC §13): renames, transfers and recreations,
in any order and delivered again, never fail a delivery and never mix two repositories' histories."""

from __future__ import annotations

import copy
import itertools

import pytest

from postmortems import services
from postmortems.choices import DeliveryStatus
from postmortems.github.events import RepositoryRef
from postmortems.models import HotfixPullRequest, Postmortem, Repository, RepositoryName, WebhookDelivery
from postmortems.selectors import repository_named
from postmortems.services.repositories import ASIDE_MARK
from tests.factories import PostmortemFactory, RepositoryFactory
from tests.github.conftest import hotfix_payload, load_payload

pytestmark = pytest.mark.django_db

OLD, NEW = "acme/api", "acme/api-v2"


def _point_at(payload: dict, *, github_id: int, full_name: str, updated_at: str) -> dict:
    payload = copy.deepcopy(payload)
    owner, name = full_name.split("/")
    payload["repository"].update(id=github_id, full_name=full_name, name=name, updated_at=updated_at)
    payload["repository"]["owner"]["login"] = owner
    return payload


def hotfix_in(*, number: int, github_id: int, full_name: str, updated_at: str) -> dict:
    return _point_at(hotfix_payload(number=number), github_id=github_id, full_name=full_name, updated_at=updated_at)


def renamed_event(*, github_id: int, full_name: str, updated_at: str) -> dict:
    return _point_at(
        load_payload("repository.renamed.json"), github_id=github_id, full_name=full_name, updated_at=updated_at
    )


def processed(deliver, payload: dict, event: str = "pull_request") -> WebhookDelivery:
    response = deliver(payload, event=event)
    assert response.status_code == 202, response.content
    delivery = WebhookDelivery.objects.get(delivery_id=response.json()["delivery"])
    assert (delivery.status, delivery.last_error) == (DeliveryStatus.PROCESSED, "")
    return delivery


def record_of(number: int) -> Postmortem:
    return HotfixPullRequest.objects.select_related("postmortem__repository").get(merged_pr__number=number).postmortem


def test_a_renamed_repository_s_deliveries_still_open_their_records(deliver):
    # The bug this fixes: a known id under its new name failed on the unique full_name.
    processed(deliver, hotfix_in(number=1, github_id=7, full_name=OLD, updated_at="2026-01-01T00:00:00Z"))
    processed(deliver, hotfix_in(number=2, github_id=7, full_name=NEW, updated_at="2026-02-01T00:00:00Z"))
    repository = Repository.objects.get()
    assert (repository.github_id, repository.full_name) == (7, NEW)
    assert list(repository.former_names.values_list("full_name", flat=True)) == [OLD]
    assert {record_of(1).repository, record_of(2).repository} == {repository}


def test_the_renamed_event_renames_the_repository_and_keeps_the_old_name(deliver):
    payload = load_payload("repository.renamed.json")
    repository = RepositoryFactory(full_name="Octocoders/Hello-Old", github_id=payload["repository"]["id"])
    record = PostmortemFactory(repository=repository)
    processed(deliver, payload, event="repository")
    repository.refresh_from_db()
    assert repository.full_name == "Octocoders/Hello-World"
    assert repository_named("Octocoders/Hello-Old") == repository == repository_named("Octocoders/Hello-World")
    assert Postmortem.objects.get(pk=record.pk).repository == repository


def test_the_transferred_event_moves_the_repository_to_its_new_owner(deliver):
    payload = load_payload("repository.transferred.json")
    repository = RepositoryFactory(full_name="octocat/Hello-World", github_id=payload["repository"]["id"])
    processed(deliver, payload, event="repository")
    repository.refresh_from_db()
    assert repository.full_name == "Octocoders/Hello-World"
    assert repository_named("octocat/Hello-World") == repository


def test_a_repository_recreated_under_a_taken_name_keeps_its_history_apart(deliver):
    processed(deliver, hotfix_in(number=1, github_id=7, full_name=OLD, updated_at="2026-01-01T00:00:00Z"))
    # Deleted on GitHub and created again: a new id, the same name, and PR numbers starting over.
    processed(deliver, hotfix_in(number=1, github_id=8, full_name=OLD, updated_at="2026-03-01T00:00:00Z"))
    old, new = Repository.objects.get(github_id=7), Repository.objects.get(github_id=8)
    assert new.full_name == OLD and new.active
    assert old.full_name.startswith(OLD + ASIDE_MARK) and not old.active
    assert list(old.former_names.values_list("full_name", flat=True)) == [OLD]
    assert sorted(Postmortem.objects.values_list("repository__github_id", flat=True)) == [7, 8]
    assert repository_named(OLD) == new


def test_a_late_redelivery_of_an_old_payload_does_not_rename_back(deliver):
    processed(deliver, hotfix_in(number=2, github_id=7, full_name=NEW, updated_at="2026-02-01T00:00:00Z"))
    processed(deliver, hotfix_in(number=1, github_id=7, full_name=OLD, updated_at="2026-01-01T00:00:00Z"))
    repository = Repository.objects.get()
    assert repository.full_name == NEW
    assert record_of(1).repository == repository == record_of(2).repository


def test_deleted_repositories_become_inactive_and_keep_their_records(deliver):
    payload = load_payload("repository.renamed.json")
    payload["action"] = "deleted"
    repository = RepositoryFactory(full_name="Octocoders/Hello-World", github_id=payload["repository"]["id"])
    PostmortemFactory(repository=repository)
    processed(deliver, payload, event="repository")
    repository.refresh_from_db()
    assert repository.active is False and Postmortem.objects.filter(repository=repository).count() == 1


# One repository renamed, another created under its old name, each delivery sent twice:
# every order of them ends in the same place, and no delivery fails.
STORY = [
    ("pull_request", lambda: hotfix_in(number=1, github_id=7, full_name=OLD, updated_at="2026-01-01T00:00:00Z")),
    ("repository", lambda: renamed_event(github_id=7, full_name=NEW, updated_at="2026-02-01T00:00:00Z")),
    ("pull_request", lambda: hotfix_in(number=2, github_id=7, full_name=NEW, updated_at="2026-03-01T00:00:00Z")),
    ("pull_request", lambda: hotfix_in(number=3, github_id=8, full_name=OLD, updated_at="2026-04-01T00:00:00Z")),
]


@pytest.mark.parametrize("order", list(itertools.permutations(range(len(STORY)))))
def test_rename_and_recreate_in_any_order_with_redeliveries(deliver, order):
    for index in [*order, *reversed(order)]:  # then each again, as a redelivery with a new GUID would be
        event, payload = STORY[index]
        processed(deliver, payload(), event=event)
    renamed, recreated = Repository.objects.get(github_id=7), Repository.objects.get(github_id=8)
    assert (renamed.full_name, recreated.full_name) == (NEW, OLD)
    assert renamed.active and recreated.active
    assert (record_of(1).repository, record_of(2).repository, record_of(3).repository) == (renamed, renamed, recreated)
    assert Postmortem.objects.count() == 3
    assert repository_named(NEW) == renamed and repository_named(OLD) == recreated
    assert not RepositoryName.objects.filter(full_name__contains=ASIDE_MARK).exists()


def test_a_repository_known_by_name_only_gets_its_id_from_the_first_delivery():
    repository = RepositoryFactory(full_name=OLD, github_id=None)
    ref = RepositoryRef(github_id=7, full_name=OLD, default_branch="main", updated_at=None, installation_id=None)
    assert services.repository_resolve(ref=ref) == repository
    repository.refresh_from_db()
    assert repository.github_id == 7


def test_without_an_id_a_former_name_still_finds_the_repository():
    repository = RepositoryFactory(full_name=NEW, github_id=7)
    RepositoryName.objects.create(repository=repository, full_name=OLD)
    assert services.repository_register(full_name=OLD) == repository
    assert Repository.objects.count() == 1
