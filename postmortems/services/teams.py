"""Writes to a team's settings (leads only): its Slack incoming webhook (SPEC §11)."""

from __future__ import annotations

from django.conf import settings

from ..models import Team, User
from ..slack.webhook_url import webhook_url_problem
from ..workflow import WorkflowError, can_manage_settings
from ._common import require


def team_set_slack_webhook(*, team: Team, actor: User | None, url: str) -> Team:
    """Set the team's Slack webhook URL ("" removes it: the default webhook is used again).

    Only Slack's own host over https, unless SLACK_WEBHOOK_ALLOWED_HOSTS lists another;
    the reason given never repeats the URL.
    """
    if actor is not None:
        require(can_manage_settings(actor), "Only leads change a team's Slack webhook.")
    url = (url or "").strip()
    if url and (problem := webhook_url_problem(url, settings.SLACK_WEBHOOK_ALLOWED_HOSTS)):
        raise WorkflowError({"slack_webhook_url": [problem]})
    team.slack_webhook_url = url
    team.save(update_fields=["slack_webhook_url"])
    return team
