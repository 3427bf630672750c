"""Settings of the bare floor: nothing installed, nothing in front of the view.

The database connection is kept open between requests as the product keeps its own
(CONN_MAX_AGE), so the floor is not slowed by connecting per request. No health check: Django's
costs a `SELECT 1` round trip per request, which the webhook does not pay either (it writes
through its own psycopg cursor), so with it the floor would be slower than it need be.
"""

import os

SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench.webhook.floor_project.urls"
USE_TZ = True
GITHUB_WEBHOOK_SECRET = os.environ["GITHUB_WEBHOOK_SECRET"]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ["FLOOR_DATABASE_NAME"],
        "USER": os.environ.get("FLOOR_DATABASE_USER", "postgres"),
        "HOST": os.environ.get("FLOOR_DATABASE_HOST", "127.0.0.1"),
        "PORT": os.environ.get("FLOOR_DATABASE_PORT", "5432"),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": False,
        "OPTIONS": {"connect_timeout": 5},
    }
}
