"""Sign in with GitHub (SPEC §13), end to end through Django's test client against the fake GitHub:
the authorize redirect, the callback, the token exchange, `/api/v3/user`, the org membership check,
linking by `github_login`, GITHUB_SIGNUP, and the records of an author's PRs handed to them."""

from __future__ import annotations

import pytest
import requests
from allauth.socialaccount.models import SocialAccount

from postmortems.models import ENGINEERS_GROUP, Postmortem, User
from tests.factories import EngineerFactory, LeadFactory
from tests.github.conftest import hotfix_payload
from tests.github.fake_github_oauth import authorize_redirect

pytestmark = pytest.mark.django_db


def sign_in(client, fake_github) -> requests.Response:
    """A browser's trip: our login route, GitHub's authorize page, back to our callback."""
    start = client.get("/accounts/github/login/")
    assert start.status_code == 302
    assert start["Location"].startswith(f"{fake_github.base_url}/login/oauth/authorize?")
    at_github = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert at_github.status_code == 302
    path, query = authorize_redirect(at_github.headers["Location"])
    assert path == "/accounts/github/login/callback/"
    return client.get(f"{path}?{query}")


def signed_in_user(client) -> User | None:
    response = client.get("/")
    return response.wsgi_request.user if response.status_code == 200 else None


def messages_after(client) -> str:
    return client.get("/accounts/login/").content.decode()


def test_the_sign_in_page_offers_github_only_when_configured(client, settings, github_oauth):
    page = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/github/login/"' in page and "Sign in with GitHub" in page
    settings.GITHUB_SIGN_IN_ENABLED = False
    assert "Sign in with GitHub" not in client.get("/accounts/login/").content.decode()
    assert client.get("/accounts/github/login/").status_code == 404


def test_allauth_s_own_account_pages_are_not_served(client, github_oauth):
    for path in ("/accounts/signup/", "/accounts/3rdparty/", "/accounts/social/signup/", "/accounts/password/reset/"):
        assert client.get(path).status_code == 404, path


def test_the_first_sign_in_links_the_user_with_that_login_in_any_case(client, fake_github, github_oauth):
    user = EngineerFactory(username="coder", github_login="codertocat")
    response = sign_in(client, fake_github)
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_user(client) == user
    assert SocialAccount.objects.get().user == user
    # The authorize step, the token exchange and the user came from GITHUB_URL and its /api/v3.
    assert fake_github.calls("POST", r"/login/oauth/access_token") and fake_github.calls("GET", r"/api/v3/user")
    client.logout()
    sign_in(client, fake_github)  # later sign-ins go by the link
    assert signed_in_user(client) == user and SocialAccount.objects.count() == 1


def test_without_signup_an_unknown_login_is_refused_with_a_reason(client, fake_github, github_oauth):
    response = sign_in(client, fake_github)
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert "No account here has the GitHub login" in messages_after(client)
    assert signed_in_user(client) is None and not User.objects.exists()


def test_with_signup_the_author_gets_an_account_and_the_records_of_their_prs(
    client, deliver, fake_github, github_oauth, settings
):
    settings.GITHUB_SIGNUP = True
    settings.GITHUB_TOKEN = ""  # no write-back noise; the record is what matters here
    assert deliver(hotfix_payload()).status_code == 202  # PR by "Codertocat", who has no account yet
    record = Postmortem.objects.get()
    assert record.owner is None
    lead = LeadFactory()
    client.force_login(lead)
    inbox = client.get("/").content.decode()
    assert "Unassigned" in inbox and record.title in inbox
    client.logout()

    sign_in(client, fake_github)
    user = signed_in_user(client)
    assert (user.username, user.github_login, user.has_usable_password()) == ("Codertocat", "Codertocat", False)
    assert list(user.groups.values_list("name", flat=True)) == [ENGINEERS_GROUP]
    record.refresh_from_db()
    assert record.owner == user
    assert record.history.first().history_change_reason == "assigned to the PR author on GitHub sign-in"
    assert record.title in client.get("/").content.decode()


def test_records_owned_by_someone_are_never_taken(client, deliver, fake_github, github_oauth, settings):
    settings.GITHUB_TOKEN = ""
    EngineerFactory(github_login="Codertocat")
    assert deliver(hotfix_payload()).status_code == 202
    owner = Postmortem.objects.get().owner
    assert owner is not None
    other = EngineerFactory(github_login="codertocat-two")
    github_oauth.login = "codertocat-two"
    sign_in(client, fake_github)
    assert signed_in_user(client) == other and Postmortem.objects.get().owner == owner


@pytest.mark.parametrize(
    ("memberships", "allowed"), [({"acme": "active"}, True), ({"acme": "pending"}, False), ({}, False)]
)
def test_allowed_orgs_limit_sign_in(client, fake_github, github_oauth, settings, memberships, allowed):
    settings.GITHUB_ALLOWED_ORGS = ["globex", "acme"]
    github_oauth.memberships = memberships
    user = EngineerFactory(github_login="Codertocat")
    sign_in(client, fake_github)
    assert (signed_in_user(client) == user) is allowed
    if not allowed:
        assert "is not a member of globex, acme" in messages_after(client)
    assert fake_github.calls("GET", r"/api/v3/user/memberships/orgs/acme")


def test_org_membership_is_checked_on_every_sign_in(client, fake_github, github_oauth, settings):
    settings.GITHUB_ALLOWED_ORGS = ["acme"]
    github_oauth.memberships = {"acme": "active"}
    user = EngineerFactory(github_login="Codertocat")
    sign_in(client, fake_github)
    assert signed_in_user(client) == user
    client.logout()
    github_oauth.memberships = {}  # left the organisation: the link alone no longer lets them in
    sign_in(client, fake_github)
    assert signed_in_user(client) is None


def test_a_deactivated_account_cannot_sign_in_with_github(client, fake_github, github_oauth):
    EngineerFactory(github_login="Codertocat", is_active=False)
    sign_in(client, fake_github)
    assert signed_in_user(client) is None
    assert "deactivated" in messages_after(client)


def test_an_account_linked_to_another_github_account_is_not_taken_over(client, fake_github, github_oauth):
    user = EngineerFactory(github_login="Codertocat")
    SocialAccount.objects.create(user=user, provider="github", uid="999", extra_data={"login": "Codertocat"})
    sign_in(client, fake_github)  # same login, another GitHub account (id 21031067): a reused login
    assert signed_in_user(client) is None
    assert "linked to another GitHub account" in messages_after(client)


def test_password_sign_in_still_works_beside_it(client, github_oauth):
    user = EngineerFactory(username="pat")
    user.set_password("a-long-enough-password-1")
    user.save()
    response = client.post("/accounts/login/", {"username": "pat", "password": "a-long-enough-password-1"})
    assert response.status_code == 302 and signed_in_user(client) == user
