"""Refuse U+0000 in query strings and form fields before any view, or the database, sees it.

PostgreSQL text cannot hold a NUL character. Django's form fields refuse it, but a view
that reads `request.GET` itself (the report's `?team=`) handed it to a query and answered
500. One check here covers every page, form and query parameter, today's and tomorrow's;
the API's JSON bodies are checked by its parser (`postmortems.api.parsers`).
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.template import loader

from postmortems.untrusted import NUL_MESSAGE

# Machine clients get JSON, as in tracker.middleware; people get the 400 page.
_JSON_PREFIXES = ("/api/", "/webhooks/")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def nul_parameter(data: QueryDict) -> str | None:
    """The first parameter whose name or a value holds U+0000, or None."""
    for name, values in data.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            return name
    return None


class RefuseNulCharactersMiddleware:
    """400 naming the parameter or form field that holds a NUL character."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        machine = request.path.startswith(_JSON_PREFIXES)
        field = nul_parameter(request.GET)
        # Form bodies of pages only: the API reads JSON (its parser checks it, and a form body
        # must still get 415 there, which reading request.POST here would prevent).
        if field is None and not machine and request.method == "POST" and request.content_type in _FORM_TYPES:
            field = nul_parameter(request.POST)
        if field is None:
            return self.get_response(request)
        if machine:
            # Both error shapes the API uses: DRF's {field: [messages]} and the report's {"detail", "field"}.
            return JsonResponse({"detail": f"{field}: {NUL_MESSAGE}", "field": field, field: [NUL_MESSAGE]}, status=400)
        reason = f"The field “{field}” holds a null character (U+0000), which cannot be stored."
        return HttpResponse(loader.render_to_string("400.html", {"reason": reason}), status=400)
