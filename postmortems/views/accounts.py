"""Sign-in and password pages: Django's own views, with password reset switched by the mail set-up.

Without a way to send mail (settings.PASSWORD_RESET_ENABLED is false) the reset pages say that
reset is off rather than pretend to send a link. Reset requests are rate-limited per client address
and per e-mail address, and links point at SITE_URL, never at the Host the request named.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from ..throttling import PasswordResetAddressThrottle, PasswordResetEmailThrottle


def password_reset_off(request: HttpRequest) -> HttpResponse:
    """404 with a page that says why, for every reset page while no mail backend is configured."""
    return render(request, "registration/password_reset_off.html", status=404)


class _OffWithoutMail:
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.PASSWORD_RESET_ENABLED:
            return password_reset_off(request)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class SignInView(auth_views.LoginView):
    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "password_reset_enabled": settings.PASSWORD_RESET_ENABLED,
            "github_sign_in": settings.GITHUB_SIGN_IN_ENABLED,
        }


class PasswordResetView(_OffWithoutMail, auth_views.PasswordResetView):
    email_template_name = "registration/password_reset_email.txt"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        for throttle in (PasswordResetAddressThrottle(), PasswordResetEmailThrottle()):
            if not throttle.allow_request(request, self):
                minutes = max(1, round((throttle.wait() or 60) / 60))
                response = render(
                    request, "registration/password_reset_throttled.html", {"minutes": minutes}, status=429
                )
                response["Retry-After"] = str(minutes * 60)
                return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        site = urlsplit(settings.SITE_URL)
        form.save(
            domain_override=site.netloc,
            use_https=site.scheme == "https",
            token_generator=self.token_generator,
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            html_email_template_name=self.html_email_template_name,
            extra_email_context=self.extra_email_context,
            request=self.request,
        )
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDoneView(_OffWithoutMail, auth_views.PasswordResetDoneView):
    pass


class PasswordResetConfirmView(_OffWithoutMail, auth_views.PasswordResetConfirmView):
    pass


class PasswordResetCompleteView(_OffWithoutMail, auth_views.PasswordResetCompleteView):
    pass
