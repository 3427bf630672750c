"""Routes of the REST API, mounted at /api/v1/: the resources (namespace `api`) and the monthly report."""

from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter

from . import views
from .base import api_not_found
from .views.reports import MonthlyReportAPIView

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

# The resources, reversed as `api:<name>`; the catch-all comes last so any other path under
# /api/v1/ answers a JSON 404 rather than the site's HTML page.
resources = ([*router.urls, re_path(r"^.*$", api_not_found, name="not-found")], "api")

urlpatterns = [
    # Before the catch-all, and outside the namespace: its name has always been `api-report-monthly`.
    path("reports/monthly/", MonthlyReportAPIView.as_view(), name="api-report-monthly"),
    path("", include(resources)),
]
