"""What every API view shares: authentication order, the schema class and rule errors as HTTP."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.response import Response

from ..workflow import NotAllowed, WorkflowError
from .parsers import UntrustedJSONParser
from .schema import ApiAutoSchema


class ApiViewMixin:
    """Token first, so an anonymous caller gets 401 with `WWW-Authenticate: Token`, not a bare 403."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    # JSON in, JSON out: one request format to document, validate and fuzz.
    parser_classes = [UntrustedJSONParser]
    schema = ApiAutoSchema()

    def handle_exception(self, exc):
        # The services speak the rules' language; translate it to HTTP in one place.
        if isinstance(exc, WorkflowError):
            return Response(exc.reasons, status=status.HTTP_400_BAD_REQUEST)
        if isinstance(exc, NotAllowed):
            exc = exceptions.PermissionDenied(str(exc) or "You may not do this.")
        return super().handle_exception(exc)


@csrf_exempt  # it changes nothing, and a POST to a wrong path should read "not found", not "form expired"
def api_not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """Unknown paths under /api/v1/ answer JSON like every other API error, not an HTML page."""
    return JsonResponse({"detail": "Not found."}, status=404)
