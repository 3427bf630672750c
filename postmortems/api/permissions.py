"""API permissions: thin adapters over `postmortems.workflow`, never a second copy of the rules."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from .. import workflow


class IsLead(BasePermission):
    """Leads (and staff) only, for every method: webhook deliveries."""

    message = "Only leads can see this."

    def has_permission(self, request, view) -> bool:
        return workflow.can_manage_settings(request.user)


class ReadAnyWriteLead(BasePermission):
    """Everyone signed in reads; only leads change settings (categories, checklists, repositories)."""

    message = "Only leads change settings."

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or workflow.can_manage_settings(request.user)
