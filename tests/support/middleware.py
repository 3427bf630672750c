"""A middleware for tests only: remembers the paths of the requests that reached it."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class RecordPaths:
    """Placed in settings.MIDDLEWARE by a test, it shows which requests got that far down the chain."""

    seen: list[str] = []

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        RecordPaths.seen.append(request.path)
        return self.get_response(request)
