"""What every page module shares: the access-checked fetch and safe redirects."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme

from ..models import Postmortem
from ..selectors import visible_postmortems
from ..workflow import can_manage_settings


def cache_groups(user) -> None:
    """Load the user's groups once, so each `is_lead` check on the page costs no query."""
    if user.is_authenticated:
        prefetch_related_objects([user], "groups")


def visible_postmortem(request: HttpRequest, pk: int) -> Postmortem:
    """The record, or 404 when this user may not see it (no hint that it exists)."""
    return get_object_or_404(visible_postmortems(request.user), pk=pk)


def lead_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in, and allowed to manage settings (leads and staff); 403 otherwise."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not can_manage_settings(request.user):
            raise PermissionDenied("Only leads manage settings.")
        return view(request, *args, **kwargs)

    return wrapper


def redirect_back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    """Go to the `next` field when it points at this site, else to `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return HttpResponseRedirect(target)
    return redirect(fallback)
