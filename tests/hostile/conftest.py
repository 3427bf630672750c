"""The GitHub tests' fixtures, shared: signed deliveries, a local GitHub, tasks run in-process."""

from tests.github.conftest import celery_eager, deliver, fake_github  # noqa: F401 - pytest finds fixtures by name
