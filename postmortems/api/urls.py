"""Routes of the REST API, mounted at /api/v1/ (namespace `api`)."""

from django.urls import re_path
from rest_framework.routers import DefaultRouter

from . import views
from .base import api_not_found

app_name = "api"

router = DefaultRouter()
router.register("postmortems", views.PostmortemViewSet, basename="postmortem")
router.register("actions", views.ActionViewSet, basename="action")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("checklist-templates", views.ChecklistTemplateViewSet, basename="checklist-template")
router.register("repositories", views.RepositoryViewSet, basename="repository")
router.register("teams", views.TeamViewSet, basename="team")
router.register("merged-prs", views.MergedPullRequestViewSet, basename="merged-pr")
router.register("evidence", views.EvidenceViewSet, basename="evidence")
router.register("webhook-deliveries", views.WebhookDeliveryViewSet, basename="webhook-delivery")

urlpatterns = [*router.urls, re_path(r"^.*$", api_not_found, name="not-found")]
