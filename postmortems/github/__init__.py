"""Talking to GitHub, and nothing else: a leaf below the services.

`webhooks.py` verifies, stores and enqueues deliveries (`publisher.py` hands them to
Celery by task name), `events.py` reads payloads into typed events, `rules.py` says
whether a PR is a hotfix, and `client.py` is the only importer of PyGithub. What a
delivery means for our records lives in `services.deliveries`; this package imports
models, choices and `queue.py` only, never services or tasks.
"""
