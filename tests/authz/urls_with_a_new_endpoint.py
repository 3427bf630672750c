"""The real URLconf plus one endpoint nobody wrote a rule for (see test_matrix)."""

from django.http import HttpResponse
from django.urls import path

from tracker.urls import urlpatterns as served

urlpatterns = [path("api/v1/brand-new/", lambda request: HttpResponse("unguarded"), name="brand-new"), *served]
