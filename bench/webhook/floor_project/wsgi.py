"""`gunicorn bench.webhook.floor_project.wsgi:application`, from the repository root so gunicorn
reads the product's own gunicorn.conf.py."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.webhook.floor_project.settings")

application = get_wsgi_application()
