"""A local Slack incoming webhook that the app is allowed to post to."""

import pytest

from tests.slack.fake_slack import FakeSlack


@pytest.fixture
def fake_slack(settings):
    server = FakeSlack().start()
    settings.SLACK_WEBHOOK_ALLOWED_HOSTS = ["hooks.slack.com", "127.0.0.1"]
    settings.SLACK_TIMEOUT = 2
    settings.SITE_URL = "https://pm.example.com"
    yield server
    server.stop()
