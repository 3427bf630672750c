"""GitHub App authentication (SPEC §13) against the local fake GitHub: a real RSA key, the JWT checked
by the server, installation tokens shared and refreshed before they expire, one installation per
organisation, and an installation GitHub refuses shown on the repository and not asked again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from postmortems import services
from postmortems.choices import InstallationState, WritebackState
from postmortems.github.client import GitHubInstallationLost, client_for
from postmortems.models import GitHubInstallation, HotfixPullRequest, Repository
from tests.factories import LeadFactory, RepositoryFactory
from tests.github.conftest import hotfix_payload, load_payload
from tests.github.fake_github_app import new_private_key_pem

pytestmark = pytest.mark.django_db

COMMENTS = r"/repos/Codertocat/Hello-World/issues/2/comments"


def open_hotfix(deliver) -> HotfixPullRequest:
    assert deliver(hotfix_payload()).status_code == 202
    return HotfixPullRequest.objects.select_related("postmortem").get()


def comment_on(repository: Repository) -> None:
    client_for(repository).create_comment(repository.full_name, 2, "hello")


def test_write_back_as_the_app_uses_the_installation_its_delivery_named(deliver, fake_github, github_app):
    github_app.install(1, "Codertocat", "Codertocat/Hello-World")
    hotfix = open_hotfix(deliver)
    assert (hotfix.comment_state, hotfix.commit_status_state) == (WritebackState.DONE, WritebackState.DONE)
    (comment,) = fake_github.calls("POST", COMMENTS)
    assert comment.headers["authorization"].startswith("token ghs_1_")
    # One token for the comment and the status; no look-up, the delivery said which installation.
    assert len(github_app.token_requests(1)) == 1
    assert fake_github.calls("GET", r"/repos/[^/]+/[^/]+/installation") == []
    assert github_app.refused_jwts == []
    assert Repository.objects.get().installation_id == 1


def test_a_jwt_signed_with_another_key_is_refused(fake_github, github_app, settings):
    settings.GITHUB_APP_PRIVATE_KEY = new_private_key_pem()
    github_app.install(1, "Codertocat", "Codertocat/Hello-World")
    repository = RepositoryFactory(
        full_name="Codertocat/Hello-World", installation=GitHubInstallation.objects.create(installation_id=1)
    )
    with pytest.raises(GitHubInstallationLost, match="401"):
        comment_on(repository)
    assert github_app.refused_jwts and fake_github.calls("POST", COMMENTS) == []


@pytest.mark.parametrize("shared_by", ["redis", "database"])
def test_tokens_are_shared_by_every_client_until_five_minutes_before_expiry(github_app, settings, shared_by):
    if shared_by == "database":
        settings.REDIS_URL = ""  # no shared cache: the installation's row holds the token
    github_app.install(1, "Codertocat", "Codertocat/Hello-World")
    repository = RepositoryFactory(
        full_name="Codertocat/Hello-World", installation=GitHubInstallation.objects.create(installation_id=1)
    )
    with time_machine.travel(datetime(2026, 5, 1, 12, 0, tzinfo=UTC), tick=True) as traveller:
        comment_on(repository)
        comment_on(Repository.objects.get(pk=repository.pk))  # another client, as another worker would make
        assert len(github_app.token_requests(1)) == 1
        traveller.shift(timedelta(minutes=54))  # six minutes left: still used
        comment_on(repository)
        assert len(github_app.token_requests(1)) == 1
        traveller.shift(timedelta(minutes=2))  # four minutes left: a new one first
        comment_on(repository)
        assert len(github_app.token_requests(1)) == 2
    stored = GitHubInstallation.objects.get(installation_id=1).token
    assert stored.startswith("ghs_1_") if shared_by == "database" else stored == ""


def test_two_organisations_each_through_their_own_installation(fake_github, github_app):
    # Repositories recorded while the token was in use: switching to the App needs no data changes.
    github_app.install(11, "acme", "acme/api")
    github_app.install(22, "globex", "globex/web")
    acme, globex = RepositoryFactory(full_name="acme/api"), RepositoryFactory(full_name="globex/web")
    comment_on(acme)
    comment_on(globex)
    comment_on(Repository.objects.get(pk=acme.pk))
    tokens = [r.headers["authorization"] for r in fake_github.calls("POST", r"/repos/[^/]+/[^/]+/issues/2/comments")]
    assert [t.split("_")[1] for t in tokens] == ["11", "22", "11"]
    assert {r.full_name: r.installation_id for r in Repository.objects.all()} == {"acme/api": 11, "globex/web": 22}
    # Each installation was looked up once, then remembered on its repository.
    assert len(fake_github.calls("GET", r"/repos/acme/api/installation")) == 1
    assert len(fake_github.calls("GET", r"/repos/globex/web/installation")) == 1


@pytest.mark.parametrize(
    ("github_state", "shown"), [("deleted", InstallationState.REVOKED), ("suspended", InstallationState.SUSPENDED)]
)
def test_a_refused_installation_is_shown_and_not_asked_again(deliver, client, github_app, github_state, shown):
    github_app.install(1, "Codertocat", "Codertocat/Hello-World").state = github_state
    hotfix = open_hotfix(deliver)
    # Permanent: failed at once, no Celery retry, and the status did not ask for a token again.
    assert (hotfix.comment_state, hotfix.commit_status_state) == (WritebackState.FAILED, WritebackState.FAILED)
    assert "App installation 1" in hotfix.writeback_error and hotfix.writeback_attempts == 1
    assert len(github_app.token_requests(1)) == 1
    services.hotfix_writeback(hotfix_pk=hotfix.pk)  # the next write-back within the hour
    assert len(github_app.token_requests(1)) == 1

    client.force_login(LeadFactory())
    repository = client.get(f"/api/v1/repositories/{hotfix.postmortem.repository_id}/").json()
    assert (repository["installation_id"], repository["installation_state"]) == (1, shown)
    assert "GitHub refused a token" in repository["installation_message"]
    page = client.get("/settings/repositories/").content.decode()
    assert "installation 1" in page and "GitHub refused a token" in page


def test_an_hour_later_one_more_try_and_an_unsuspend_event_brings_it_back(deliver, github_app):
    installation = github_app.install(1, "Codertocat", "Codertocat/Hello-World")
    installation.state = "suspended"
    with time_machine.travel(datetime(2026, 5, 1, 12, 0, tzinfo=UTC), tick=True) as traveller:
        hotfix = open_hotfix(deliver)
        traveller.shift(timedelta(minutes=61))
        services.hotfix_writeback(hotfix_pk=hotfix.pk)
        assert len(github_app.token_requests(1)) == 2  # one more try after the hour, refused again
    installation.state = "active"
    unsuspend = load_payload("installation.created.json") | {"action": "unsuspend"}
    unsuspend["installation"] = {**unsuspend["installation"], "id": 1}
    assert deliver(unsuspend, event="installation").status_code == 202
    assert GitHubInstallation.objects.get(installation_id=1).state == InstallationState.ACTIVE
    services.hotfix_writeback(hotfix_pk=hotfix.pk)
    hotfix.refresh_from_db()
    assert (hotfix.comment_state, hotfix.commit_status_state) == (WritebackState.DONE, WritebackState.DONE)


def test_with_neither_token_nor_app_nothing_is_written_back(deliver, fake_github, settings):
    settings.GITHUB_TOKEN = ""
    hotfix = open_hotfix(deliver)
    assert (hotfix.comment_state, hotfix.commit_status_state) == (WritebackState.DISABLED, WritebackState.DISABLED)
    assert fake_github.calls("POST", COMMENTS) == []
