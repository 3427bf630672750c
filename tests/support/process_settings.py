"""Production settings for app processes started by tests and benchmarks.

Identical to tracker.settings (DEBUG off, secrets required), except that static files
are served from the finders without a manifest, so no collectstatic step is needed.
"""

from tracker.settings import *  # noqa: F403
from tracker.settings import STORAGES

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
