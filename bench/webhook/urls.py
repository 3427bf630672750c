"""The product's routes plus `/bench/floor/`, which only exists under the benchmark settings."""

from django.urls import path

from bench.webhook.floor import floor_view
from tracker.urls import urlpatterns as product_urlpatterns

urlpatterns = [path("bench/floor/", floor_view), *product_urlpatterns]
