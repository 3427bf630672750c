"""The GitHub App (SPEC §13): its JWT-signed client, installation tokens shared by every process,
the installation acting for a repository, the App's own webhook; and the sign-in's membership check.

PyGithub's `AppAuth`/`GithubIntegration` make the tokens; `app_tokens` shares them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import requests
from django.conf import settings
from github import Auth, Github, GithubException, GithubIntegration
from github.HookDelivery import HookDeliverySummary
from github.PaginatedList import PaginatedList

from ..choices import InstallationState
from ..models import Repository
from . import app_tokens
from .api_types import HookDeliveryInfo, delivery_info
from .errors import GitHubInstallationLost, GitHubPermanentError, GitHubTransientError, github_call, translate

T = TypeVar("T")


# --- Which credentials: the token or the GitHub App (SPEC §13) -----------------------------


def app_configured() -> bool:
    """The GitHub App is configured (GITHUB_APP_ID and its key); it then wins over GITHUB_TOKEN."""
    return bool(settings.GITHUB_APP_ID and settings.GITHUB_APP_PRIVATE_KEY)


def github_configured() -> bool:
    """Whether we can call GitHub at all, with the token or as the App."""
    return bool(settings.GITHUB_TOKEN) or app_configured()


def app_integration(*, timeout: int = 30) -> GithubIntegration:
    """PyGithub's client for the App's own routes (`/app/...`), signed with a short-lived JWT."""
    return GithubIntegration(
        auth=Auth.AppAuth(str(settings.GITHUB_APP_ID), settings.GITHUB_APP_PRIVATE_KEY),
        base_url=settings.GITHUB_API_URL.rstrip("/"),
        timeout=timeout,
        retry=None,
        seconds_between_requests=None,
        seconds_between_writes=None,
        lazy=True,
        per_page=100,
    )


def installation_token(installation_id: int) -> str:
    """A token of the installation with over five minutes left: the shared one, or a new one.

    GitHub refusing to make one (403 suspended, 404 uninstalled, 401) is recorded on the
    installation, shown on its repositories, and raises GitHubInstallationLost without
    asking GitHub again for a while (`app_tokens.RECHECK_AFTER`).
    """
    cached = app_tokens.cached_token(installation_id)
    if cached is not None:
        return cached.token
    refused = app_tokens.installation_refusal(installation_id)
    if refused is not None:
        raise GitHubInstallationLost(
            refused.state_message or f"The GitHub App installation {installation_id} is {refused.state}."
        )
    try:
        authorization = github_call(lambda: app_integration().get_access_token(installation_id))
    except GitHubPermanentError as exc:
        state = InstallationState.SUSPENDED if exc.status == 403 else InstallationState.REVOKED
        message = f"GitHub refused a token for the App installation {installation_id}: {exc}"
        app_tokens.record_installation_state(installation_id, state=state, message=message)
        raise GitHubInstallationLost(message, status=exc.status) from exc
    app_tokens.record_installation_state(installation_id, state=InstallationState.ACTIVE, message="")
    token = app_tokens.InstallationToken(authorization.token, authorization.expires_at)
    app_tokens.store_token(installation_id, token)
    return token.token


class InstallationTokenAuth(Auth.Auth):
    """Authenticates each request with the installation's shared token, found (once) when first needed."""

    def __init__(self, find_installation: Callable[[], int]) -> None:
        self._find_installation = find_installation
        self._installation_id: int | None = None

    @property
    def token_type(self) -> str:
        return "token"

    @property
    def token(self) -> str:
        if self._installation_id is None:
            self._installation_id = self._find_installation()
        return installation_token(self._installation_id)


def installation_of(find: Callable[[GithubIntegration], object], what: str) -> int:
    try:
        return github_call(lambda: find(app_integration())).id
    except GitHubPermanentError as exc:
        raise GitHubPermanentError(f"The GitHub App is not installed on {what}: {exc}", status=exc.status) from exc


def repository_installation(repository: Repository) -> int:
    """The installation acting for the repository: the one its deliveries named, else asked of GitHub (and kept)."""
    if repository.installation_id is not None:
        return repository.installation_id
    owner, name = repository.full_name.split("/", 1)
    installation_id = installation_of(lambda app: app.get_repo_installation(owner, name), repository.full_name)
    if repository.pk is not None:
        app_tokens.link_repository_installation(repository.pk, installation_id)
    repository.installation_id = installation_id
    return installation_id


def app_hook_deliveries() -> list[HookDeliveryInfo]:
    """Every delivery GitHub still lists for the App's own webhook (authenticated as the App)."""

    def call() -> list[HookDeliveryInfo]:
        requester = app_integration().requester
        items = PaginatedList(HookDeliverySummary, requester, "/app/hook/deliveries", None)
        return [delivery_info(item) for item in items]

    return github_call(call)


def app_redeliver(delivery_id: int) -> None:
    """Ask GitHub to send one of the App's webhook deliveries again."""
    url = f"/app/hook/deliveries/{int(delivery_id)}/attempts"
    github_call(lambda: app_integration().requester.requestJsonAndCheck("POST", url))


# --- Sign in with GitHub: questions asked with the person's own OAuth token ---------------


def sign_in_api_url() -> str:
    """The API that goes with GITHUB_URL, as allauth's GitHub provider reads it: api.github.com for
    github.com, else GITHUB_URL/api/v3 (GitHub Enterprise, and the fake GitHub of the tests)."""
    web = settings.GITHUB_URL.rstrip("/")
    return "https://api.github.com" if web == "https://github.com" else f"{web}/api/v3"


def user_is_org_member(user_token: str, org: str) -> bool:
    """Whether the person holding `user_token` is an active member of `org` (a pending invitation is not)."""
    github = Github(auth=Auth.Token(user_token), base_url=sign_in_api_url(), timeout=15, retry=None, lazy=True)
    try:
        membership = github.get_user().get_organization_membership(org)
    except GithubException as exc:
        if exc.status in (403, 404):  # not a member, or the org hides it from this token
            return False
        raise translate(exc) from exc
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise GitHubTransientError(f"Could not reach GitHub: {exc}") from exc
    return membership.state == "active"
