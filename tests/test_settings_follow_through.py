"""Follow-through settings (SPEC §11): the default Slack webhook is checked at start-up, and the
beat schedule runs the digest on Monday 09:00 in TIME_ZONE and the reminders on working days."""

from django.conf import settings

from tests.test_settings import run_manage


def test_a_default_webhook_that_is_not_slacks_stops_start_up_without_echoing_it():
    result = run_manage({"DEBUG": "true", "SLACK_WEBHOOK_URL": "https://evil.example/services/sEcReTpath"}, "check")
    assert result.returncode != 0
    assert "SLACK_WEBHOOK_URL is not usable" in result.stderr
    assert "sEcReTpath" not in result.stderr


def test_a_slack_default_webhook_is_accepted():
    url = "https://hooks.slack.com/services/T0/B0/abcdef"
    assert run_manage({"DEBUG": "true", "SLACK_WEBHOOK_URL": url}, "check").returncode == 0


def test_the_weekly_digest_and_reminders_are_scheduled():
    digest = settings.CELERY_BEAT_SCHEDULE["slack-weekly-digest"]
    assert digest["task"] == "postmortems.slack_weekly_digest"
    assert (digest["schedule"].hour, digest["schedule"].minute, digest["schedule"].day_of_week) == ({9}, {0}, {1})
    reminders = settings.CELERY_BEAT_SCHEDULE["action-reminders"]
    assert reminders["task"] == "postmortems.send_action_reminders"
    assert reminders["schedule"].day_of_week == {1, 2, 3, 4, 5}
    assert settings.CELERY_TIMEZONE == settings.TIME_ZONE
