"""Gunicorn settings for the web process. Gunicorn reads this file from the working directory,
so `gunicorn tracker.wsgi:application` in the image, docker compose and the benchmarks share it;
command-line flags still win."""

import gc
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Threads: a webhook request mostly waits on PostgreSQL, so a few per process keep the CPUs busy.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None


def post_worker_init(worker):
    # Django and its apps leave a few hundred thousand long-lived objects behind; without this
    # every full collection walks them all and stalls requests for tens of milliseconds.
    gc.freeze()
