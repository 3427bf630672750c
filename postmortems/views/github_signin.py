"""Sign in with GitHub (SPEC §13): django-allauth's GitHub provider, and nothing else of allauth.

Only two routes are mounted (`/accounts/github/login/` and its callback; see accounts_urls).
The adapters are a thin edge: who a GitHub login is, and whether it may sign in, is
`services.users`' business; every refusal goes back to the sign-in page with a message
instead of an allauth page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialAccount, SocialLogin
from allauth.socialaccount.providers.github.views import GitHubOAuth2Adapter
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from .. import services
from ..github.client import GitHubError, sign_in_api_url, user_is_org_member
from ..services.users import GitHubIdentity, SignInRefused

SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _back_to_sign_in(request: HttpRequest, message: str) -> HttpResponse:
    messages.error(request, message)
    return HttpResponseRedirect(reverse("login"))


def _refuse(request: HttpRequest, message: str) -> ImmediateHttpResponse:
    return ImmediateHttpResponse(_back_to_sign_in(request, message))


def _check_organisations(token: str, login: str) -> None:
    """GITHUB_ALLOWED_ORGS, asked of GitHub on every sign-in: membership can end at any time."""
    allowed = settings.GITHUB_ALLOWED_ORGS
    if not allowed or any(user_is_org_member(token, org) for org in allowed):
        return
    raise SignInRefused(f"“{login}” is not a member of {', '.join(allowed)} on GitHub, so cannot sign in here.")


def _linked_elsewhere(user_pk: int, uid: str) -> bool:
    """The account is already tied to another GitHub account (a login GitHub has since given to someone else)."""
    return SocialAccount.objects.filter(user_id=user_pk, provider="github").exclude(uid=uid).exists()


class GitHubSignInAdapter(DefaultSocialAccountAdapter):
    """Links a GitHub sign-in to our user before allauth logs them in; allauth's sign-up never runs."""

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        data = sociallogin.account.extra_data
        identity = GitHubIdentity(login=str(data.get("login") or ""), name=str(data.get("name") or ""))
        if not identity.login:
            raise _refuse(request, "GitHub did not say who you are; please try again.")
        try:
            _check_organisations(sociallogin.token.token if sociallogin.token else "", identity.login)
            if sociallogin.is_existing:
                user = sociallogin.user
                if not user.is_active:
                    raise SignInRefused("This account is deactivated. Ask a lead if you need it back.")
            else:
                user = services.github_sign_in_user(identity=identity, signup=settings.GITHUB_SIGNUP)
                if _linked_elsewhere(user.pk, sociallogin.account.uid):
                    raise SignInRefused(
                        f"The account with GitHub login “{identity.login}” is linked to another GitHub account."
                    )
                sociallogin.connect(request, user)
        except SignInRefused as exc:
            raise _refuse(request, str(exc)) from exc
        except GitHubError as exc:
            raise _refuse(request, f"GitHub could not be asked about your organisations ({exc}); try again.") from exc
        services.postmortems_assign_to_author(user=user)

    def get_provider(self, request: HttpRequest, provider: str, client_id: str | None = None) -> Any:
        instance = super().get_provider(request, provider, client_id=client_id)
        if instance.id == "github":
            instance.oauth2_adapter_class = GitHubAdapter  # the authorize redirect follows GITHUB_URL too
        return instance

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False  # accounts are made in pre_social_login (GITHUB_SIGNUP), never by allauth's forms

    def on_authentication_error(self, request: HttpRequest, provider: Any, error: Any = None, **kwargs: Any) -> None:
        raise _refuse(request, "Signing in with GitHub did not complete. Please try again.")


class NoSignupAccountAdapter(DefaultAccountAdapter):
    """allauth's account side: no sign-up, and sessions kept by Django's own backend."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def login(self, request: HttpRequest, user: Any) -> None:
        # allauth would pick the first backend (axes', which cannot load a user back): name Django's.
        user.backend = SESSION_BACKEND
        super().login(request, user)

    def respond_user_inactive(self, request: HttpRequest, user: Any) -> HttpResponse:
        return _back_to_sign_in(request, "This account is deactivated. Ask a lead if you need it back.")


class GitHubAdapter(GitHubOAuth2Adapter):
    """allauth's GitHub adapter with its addresses read from GITHUB_URL when used, not at import."""

    @property
    def web_url(self) -> str:  # type: ignore[override]
        return settings.GITHUB_URL.rstrip("/")

    @property
    def api_url(self) -> str:  # type: ignore[override]
        return sign_in_api_url()

    @property
    def access_token_url(self) -> str:  # type: ignore[override]
        return f"{self.web_url}/login/oauth/access_token"

    @property
    def authorize_url(self) -> str:  # type: ignore[override]
        return f"{self.web_url}/login/oauth/authorize"

    @property
    def profile_url(self) -> str:  # type: ignore[override]
        return f"{self.api_url}/user"

    @property
    def emails_url(self) -> str:  # type: ignore[override]
        return f"{self.api_url}/user/emails"


def _when_configured(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.GITHUB_SIGN_IN_ENABLED:
            raise Http404("Sign in with GitHub is not configured.")
        return view(request, *args, **kwargs)

    return wrapper


github_login = _when_configured(OAuth2LoginView.adapter_view(GitHubAdapter))
github_callback = _when_configured(OAuth2CallbackView.adapter_view(GitHubAdapter))
