"""The badge stylesheet, generated from the one colour map so it can never drift from it."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from ..choices import COLOURS


def colours_stylesheet() -> str:
    rules = [f".badge-{value} {{ background: {colour}; color: #fff; }}" for value, colour in COLOURS.items()]
    return "/* Generated from postmortems.choices.COLOURS. */\n" + "\n".join(rules) + "\n"


@require_GET
@cache_control(max_age=3600, public=True)
def colours_css(request: HttpRequest) -> HttpResponse:
    return HttpResponse(colours_stylesheet(), content_type="text/css; charset=utf-8")
