"""plotly.js and its stylesheet, served by the app from the installed `plotly` package (no CDN).

plotly.js puts its own stylesheet into the page with a <style> element, which a strict
Content-Security-Policy refuses; we serve the same rules (taken from the installed bundle)
as a stylesheet of our own instead. The URLs carry a digest of the bundle, so the files
are cached forever and change name when plotly is upgraded.
"""

from __future__ import annotations

import re
from functools import lru_cache
from hashlib import sha256

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET
from plotly.offline import get_plotlyjs

_PLOTLY_RULE = re.compile(r'"(X(?: [^"]*)?)":"([^"]*)"')
_PLOTLY_ROOT = ".js-plotly-plot .plotly"
_MAPLIBRE_STYLE_ID = re.compile(
    r'if\(!document\.getElementById\("([0-9a-f]{64})"\)\)\{var \w+=document\.createElement\("style"\)'
)


@lru_cache(maxsize=1)
def _plotly_assets() -> tuple[bytes, bytes, str, str]:
    source = get_plotlyjs()
    css = "\n".join(
        f"{re.sub(r'(^|,)X(?=$| )', lambda m: m.group(1) + _PLOTLY_ROOT, selector)}{{{body}}}"
        for selector, body in _PLOTLY_RULE.findall(source)
    )
    maplibre = _MAPLIBRE_STYLE_ID.search(source)
    js = source.encode()
    return js, css.encode(), sha256(js).hexdigest()[:16], maplibre.group(1) if maplibre else ""


def plotly_asset_urls() -> dict[str, str]:
    """URLs of plotly.js and its stylesheet, and the id that tells plotly its map CSS is not wanted.

    plotly.js skips its own <style> injection when an element `#plotly.js-style-global.no-inline-styles`
    exists (our stylesheet <link> carries that id and class), and skips the maplibre CSS when an
    element with the bundle's maplibre id exists (we have no map charts).
    """
    digest = _plotly_assets()[2]
    return {
        "plotly_js_url": reverse("report-plotly-js", args=[digest]),
        "plotly_css_url": reverse("report-plotly-css", args=[digest]),
        "plotly_maplibre_id": _plotly_assets()[3],
    }


def _asset(body: bytes, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@require_GET
def plotly_js(request: HttpRequest, digest: str) -> HttpResponse:
    """plotly.js from the installed `plotly` package; the digest in the URL makes it cacheable forever."""
    js, _, current, _ = _plotly_assets()
    if digest != current:
        raise Http404("Unknown plotly.js version.")
    return _asset(js, "text/javascript; charset=utf-8")


@require_GET
def plotly_css(request: HttpRequest, digest: str) -> HttpResponse:
    """The stylesheet plotly.js would inject, as a file (see above)."""
    _, css, current, _ = _plotly_assets()
    if digest != current:
        raise Http404("Unknown plotly.js version.")
    return _asset(css, "text/css; charset=utf-8")
