"""Checks on input from outside that no single form, serializer or field owns (SPEC §8).

- `safe_link`: whether a URL we were handed (a PR's `html_url`) may be a link;
- `too_deep`: JSON nested deeper than anything we read, refused before it is stored;
- `nul_field`: where a NUL character hides in submitted data (PostgreSQL text refuses it).

A leaf: Django settings at most, no models.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

# GitHub's payloads nest about 6 levels. Past ~1000 the database (SQLite's JSON), the
# admin's pretty-printer and Python's json give up, long after anything legitimate.
MAX_JSON_DEPTH = 200
# Django's and DRF's own wording, so a refused NUL reads the same at every door.
NUL_MESSAGE = "Null characters are not allowed."
# Every byte but `[` and `{`: deleting them leaves the openings to count, in one C-speed pass.
_NOT_AN_OPENING = bytes(b for b in range(256) if b not in b"[{")


def safe_link(url: object) -> str:
    """`url` when it may be an `href`: https, or under GITHUB_URL; otherwise "".

    Shown as text instead: `javascript:`, `data:` and the like never become links.
    """
    if not isinstance(url, str) or not url.isprintable() or " " in url:
        return ""
    base = settings.GITHUB_URL.rstrip("/") + "/"
    if url.startswith(base) or url[:8].lower() == "https://":
        return url if urlsplit(url).hostname else ""
    return ""


def too_deep(body: bytes, payload: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether `payload`, parsed from `body`, nests more than `limit` arrays and objects.

    Nesting never exceeds the number of `[` and `{` in the body, so a real payload is
    settled by one count (about 17 µs for 28 KB). Past that bound the parsed value is walked
    a level at a time, iteratively: depth cannot exhaust the stack.
    """
    if len(body.translate(None, _NOT_AN_OPENING)) <= limit:
        return False
    level, depth = [payload], 0
    while level:
        depth += 1
        if depth > limit:
            return True
        level = [child for value in level for child in _children(value) if isinstance(child, dict | list)]
    return False


def _children(value: Any) -> Any:
    if isinstance(value, dict):
        return value.values()
    return value if isinstance(value, list) else ()


def nul_field(data: Any) -> str | None:
    """The path (`team`, `items.2`, `0.note`) of a text holding U+0000 in parsed JSON, or None."""
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return path or "non_field_errors"
            continue
        items: Iterable[tuple[Any, Any]]
        if isinstance(value, Mapping):
            items = value.items()
        elif isinstance(value, list):
            items = enumerate(value)
        else:
            continue
        # Keys are not checked: no field is named with a NUL, and unknown keys are ignored.
        stack.extend((f"{path}.{key}" if path else str(key), child) for key, child in items)
    return None
