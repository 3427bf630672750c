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

# A gthread worker accepts every connection it can. Keep-alive clients that connect at once (a
# proxy's connection pool, a burst of deliveries) would mostly land on whichever worker wakes
# first and share its one core while the others idle (30 of 32 on one process, measured with
# `ss`). So each worker takes at most its share of the connections expected at once; one beyond
# that waits in the listen backlog until a connection closes (idle ones after `keepalive` s).
max_clients = int(os.environ.get("GUNICORN_MAX_CLIENTS", "32"))
# Never fewer than threads + 1: gthread keeps (worker_connections - threads) idle connections alive.
worker_connections = max(threads + 1, -(-max_clients // workers))


def post_worker_init(worker):
    # Django and its apps leave a few hundred thousand long-lived objects behind; without this
    # every full collection walks them all and stalls requests for tens of milliseconds.
    gc.freeze()
