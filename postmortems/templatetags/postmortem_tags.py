"""Template helpers: safe Markdown, badges coloured from `choices.COLOURS`, small formatting."""

from __future__ import annotations

from datetime import datetime

import markdown as markdown_lib
import nh3
from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from ..choices import COLOURS
from ..untrusted import safe_link

register = template.Library()

# What user Markdown may produce; anything else (scripts, styles, event handlers) is dropped.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}


def render_markdown(text: str | None) -> SafeString:
    """Markdown to HTML, then sanitised: the only way user text becomes markup."""
    if not text:
        return mark_safe("")
    html = markdown_lib.markdown(text, extensions=["fenced_code", "tables", "sane_lists"])
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 just above


@register.filter(name="markdown")
def markdown_filter(text: str | None) -> SafeString:
    return render_markdown(text)


@register.filter(name="safe_link")
def safe_link_filter(url: str | None) -> str:
    """The URL when it may be a link (https or GitHub's base), else "": show the text without a link."""
    return safe_link(url)


def badge_class(value: str) -> str:
    """The CSS class of a choice value; values outside the colour map get the neutral badge."""
    return f"badge-{value}" if value in COLOURS else "badge-neutral"


@register.simple_tag
def badge(value: str, label: str = "") -> SafeString:
    """A coloured pill for a status, severity, gap kind or detection method."""
    if not value:
        return format_html('<span class="badge badge-neutral">{}</span>', label or "—")
    return format_html('<span class="badge {}">{}</span>', badge_class(value), label or value)


@register.filter
def days_overdue(due_at: datetime | None) -> int:
    """Whole days since `due_at` (0 when not yet due)."""
    if not due_at:
        return 0
    delta = timezone.now() - due_at
    return max(delta.days, 0)


@register.filter
def yes_no_unknown(value: bool | None) -> str:
    return {True: "yes", False: "no"}.get(value, "—")
