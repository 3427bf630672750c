"""Service tests reuse the GitHub helpers: signed deliveries through the real view, a local GitHub,
and Celery tasks run in-process (autouse), whatever REDIS_URL says."""

from tests.github.conftest import celery_eager, deliver, fake_github  # noqa: F401 - fixtures
from tests.slack.conftest import fake_slack  # noqa: F401 - fixture
