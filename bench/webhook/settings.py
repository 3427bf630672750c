"""Benchmark settings: the product settings plus a URLconf that adds the floor view."""

from tracker.settings import *  # noqa: F403

ROOT_URLCONF = "bench.webhook.urls"
