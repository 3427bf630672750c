"""Checks on input from outside that no single form, serializer or field owns (SPEC §8).

- `safe_link`: whether a URL we were handed (a PR's `html_url`) may be a link.

A leaf: Django settings at most, no models.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def safe_link(url: object) -> str:
    """`url` when it may be an `href`: https, or under GITHUB_WEB_URL; otherwise "".

    Shown as text instead: `javascript:`, `data:` and the like never become links.
    """
    if not isinstance(url, str) or not url.isprintable() or " " in url:
        return ""
    base = settings.GITHUB_WEB_URL.rstrip("/") + "/"
    if url.startswith(base) or url[:8].lower() == "https://":
        return url if urlsplit(url).hostname else ""
    return ""
