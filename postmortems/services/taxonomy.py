"""Writes to the failure taxonomy."""

from __future__ import annotations

from django.utils.text import slugify

from ..choices import UNCATEGORISED_SLUG
from ..models import FailureCategory, User
from ..workflow import WorkflowError, can_manage_settings
from ._common import require, saved_by


def category_create(*, actor: User, name: str, description: str = "", slug: str = "") -> FailureCategory:
    """Add a failure category (leads only)."""
    require(can_manage_settings(actor), "Only leads edit failure categories.")
    name = (name or "").strip()
    slug = slugify(slug or name)
    if not name or not slug:
        raise WorkflowError({"name": ["Give the category a name."]})
    if FailureCategory.objects.filter(name__iexact=name).exists():
        raise WorkflowError({"name": ["A category with this name exists."]})
    if FailureCategory.objects.filter(slug=slug).exists():
        raise WorkflowError({"slug": ["A category with this slug exists."]})
    if slug == UNCATEGORISED_SLUG:
        raise WorkflowError({"slug": [f"“{UNCATEGORISED_SLUG}” stands for records without a category; pick another."]})
    category = FailureCategory(name=name[:120], slug=slug[:120], description=description)
    saved_by(category, actor)
    category.save()
    return category


def category_update(
    *, category: FailureCategory, actor: User, name: str | None = None, description: str | None = None
) -> FailureCategory:
    """Rename or re-describe a category; its slug (used in URLs and the API) stays."""
    require(can_manage_settings(actor), "Only leads edit failure categories.")
    if name is not None:
        name = name.strip()
        if not name:
            raise WorkflowError({"name": ["Give the category a name."]})
        if FailureCategory.objects.filter(name__iexact=name).exclude(pk=category.pk).exists():
            raise WorkflowError({"name": ["A category with this name exists."]})
        category.name = name[:120]
    if description is not None:
        category.description = description
    saved_by(category, actor)
    category.save()
    return category


def category_set_active(*, category: FailureCategory, actor: User, active: bool) -> FailureCategory:
    """Retire a category (it stays on old records, is not offered for new ones) or bring it back."""
    require(can_manage_settings(actor), "Only leads edit failure categories.")
    category.is_active = active
    saved_by(category, actor)
    category.save(update_fields=["is_active"])
    return category
