"""Routes under /accounts/: Django's sign-in and password views, the reset ones guarded by the mail set-up,
and the two routes of Sign in with GitHub (allauth's GitHub provider; none of allauth's account pages)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from .views import accounts, github_signin

urlpatterns = [
    path("login/", accounts.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password_reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path("password_reset/done/", accounts.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", accounts.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("reset/done/", accounts.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    # The names are allauth's: its provider reverses "<provider>_login" and "<provider>_callback".
    path("github/login/", github_signin.github_login, name="github_login"),
    path("github/login/callback/", github_signin.github_callback, name="github_callback"),
]
