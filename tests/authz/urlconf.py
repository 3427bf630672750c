"""The URLconf walked as it is served: every pattern, with the key the matrix knows it by."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver

# Admin views of one model: `admin:<app>_<model>_<kind>`, plus the unnamed `<id>/` redirect.
ADMIN_MODEL_VIEW = re.compile(r"^admin:(?P<app>[a-z]+)_(?P<model>[a-z]+)_(?P<kind>[a-z_]+)$")
ADMIN_MODEL_REDIRECT = re.compile(r"^admin/(?P<app>[a-z]+)/(?P<model>[a-z]+)/<path:object_id>/$")
MODEL_VIEW_KINDS = ("changelist", "add", "change", "delete", "history", "simple_history")


@dataclass(frozen=True)
class Endpoint:
    route: str  # the full pattern, prefixes included
    key: str  # its name (namespaced), or the route when it has none


def endpoints() -> list[Endpoint]:
    """Every pattern of the root URLconf. Format-suffix twins share their endpoint's name."""
    found: list[Endpoint] = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                found.append(Endpoint(route, namespace + pattern.name if pattern.name else route))

    walk(get_resolver().url_patterns, "", "")
    return found


def registered_admin_models() -> dict[str, admin.ModelAdmin]:
    """`app.model` -> its ModelAdmin, for every model the admin serves."""
    return {f"{m._meta.app_label}.{m._meta.model_name}": ma for m, ma in admin.site._registry.items()}


def admin_model_view(endpoint: Endpoint) -> tuple[str, str] | None:
    """(`app.model`, kind) when the endpoint is one of a registered model's admin views."""
    redirect = ADMIN_MODEL_REDIRECT.match(endpoint.route)
    if redirect:
        return f"{redirect['app']}.{redirect['model']}", "redirect"
    named = ADMIN_MODEL_VIEW.match(endpoint.key)
    if not named:
        return None
    label = f"{named['app']}.{named['model']}"
    # The user admin lives under the app of the custom user model; match on the registry.
    return (label, named["kind"]) if label in registered_admin_models() else None
