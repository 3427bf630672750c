"""Top-level routes. Each area owns its own urls module."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from postmortems.api.token_views import token_page
from postmortems.github.webhooks import github_webhook
from postmortems.health import healthz


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers ask for /favicon.ico on pages that name none (the admin's). Resolved per request:
    the hashed file name exists only once collectstatic has run, and changes with each deploy."""
    return HttpResponseRedirect(static("favicon.svg"))


urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("postmortems.accounts_urls")),
    path("webhooks/github/", github_webhook, name="github-webhook"),
    path("api/v1/", include("postmortems.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
    path("account/token/", token_page, name="account_token"),
    path("", include("postmortems.urls")),
]

# A database outage anywhere in the stack answers 503, not 500 (see tracker.middleware).
handler500 = "tracker.middleware.server_error"
