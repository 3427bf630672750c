from django.apps import AppConfig
from django.db.models.signals import post_migrate

# What the `leads` group may do in /admin/: see everything, and edit the settings
# that belong to leads. Records themselves change only through the app's workflow.
LEAD_ADMIN_CHANGES = ("repository", "failurecategory", "checklisttemplate", "team", "webhookdelivery")


def restore_reference_data(sender, using="default", **kwargs) -> None:
    """Reference rows come from a data migration; a flush (as transactional tests do) removes
    them and then signals post_migrate, so they are put back here. Idempotent."""
    from django.db import connections

    from .reference_data import ensure_reference_data

    if "postmortems_failurecategory" in connections[using].introspection.table_names():
        ensure_reference_data()
        grant_lead_admin_permissions(sender, using=using)


def grant_lead_admin_permissions(sender, using="default", **kwargs) -> None:
    """Permissions exist only after migrate has run, so the group gets them here."""
    from django.contrib.auth.models import Group, Permission

    leads = Group.objects.using(using).filter(name="leads").first()
    if leads is None:
        return
    perms = Permission.objects.using(using).filter(content_type__app_label="postmortems")
    wanted = [
        p
        for p in perms
        if p.codename.startswith("view_") or any(p.codename in (f"change_{m}", f"add_{m}") for m in LEAD_ADMIN_CHANGES)
    ]
    leads.permissions.add(*wanted)


class PostmortemsConfig(AppConfig):
    name = "postmortems"
    verbose_name = "Postmortems"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(restore_reference_data, sender=self)
