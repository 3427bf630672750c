"""What the admin's model pages share: nothing deleted, and records shown but never changed here."""

from django.core.exceptions import PermissionDenied


class NoDeleteMixin:
    """Records are dismissed or retired, never deleted through the app."""

    def has_delete_permission(self, request, obj=None):
        return False


class RecordMixin(NoDeleteMixin):
    """Records and what GitHub told us are shown, never added or changed here: they change only
    through the services, where the rules of SPEC §3 and §8 are checked (one rule for every door)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history saves a POSTed old version whatever the change permission says:
        # reverting a record would bypass every rule of its workflow.
        if request.method == "POST":
            raise PermissionDenied("Records change only through the app, not by reverting them here.")
        return super().history_form_view(request, object_id, version_id, extra_context)
