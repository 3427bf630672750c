"""Top-level routes. Each area owns its own urls module."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("postmortems.urls")),
]

# A database outage anywhere in the stack answers 503, not 500 (see tracker.middleware).
handler500 = "tracker.middleware.server_error"
