"""Settings of the bare floor: nothing installed, nothing in front of the view.

The database connection is kept as the product keeps its own (CONN_MAX_AGE, health checks),
so the floor is not slowed by connecting per request.
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
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {"connect_timeout": 5},
    }
}
