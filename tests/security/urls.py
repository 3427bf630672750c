"""Routes that fail on purpose, mounted only by the error-page tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.urls import include, path


def _raise(exc):
    def view(request):
        raise exc

    return view


urlpatterns = [
    path("boom/", _raise(RuntimeError("unexpected bug"))),
    path("db-down/", _raise(OperationalError("could not connect to server: Connection refused"))),
    path("db-gone/", _raise(InterfaceError("connection already closed"))),
    path("api/db-down/", _raise(OperationalError("could not connect to server"))),
    path("forbidden/", _raise(PermissionDenied())),
    path("bad/", _raise(SuspiciousOperation("tampered"))),
    path("", include("tracker.urls")),
]
handler500 = "tracker.middleware.server_error"
