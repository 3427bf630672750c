"""Slack messages (SPEC §11): queued once, sent by a task with bounded retries, never touching a record.

Each message is first claimed as a `SlackMessage` row, unique per kind, channel, item and
period (a week, a month), so a rerun of the beat job or a repeated call queues nothing
new. Slack cannot be searched for what it already got, the way GitHub can: the row is
marked `sending` (committed) before the request, so an attempt whose outcome never came
back (a timeout, a worker killed mid-send) is known; such a message is tried again once
at most, so it is duplicated at most once. A failure is recorded on the row, where the
team settings page shows it to leads.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import queue
from ..choices import SlackMessageKind, SlackMessageStatus
from ..models import SlackMessage, Team
from ..slack import client as slack_client
from ..slack.messages import Message, check_message
from ..slack.webhook_url import mask

logger = logging.getLogger(__name__)

SEND_TASK = "postmortems.slack_send"
# A message still `sending` after this long lost its worker; one still `pending`, its task.
STALE_AFTER = timedelta(minutes=10)
UNCERTAIN_GIVE_UP = "Slack may or may not have posted it (no answer twice); not sent again to avoid duplicates."


@dataclass(frozen=True)
class SlackOutcome:
    """What the task should do next: nothing, or try again after `retry_after` seconds."""

    retry_after: float | None = None


def webhook_for(team: Team | None) -> tuple[str, str]:
    """The channel key and URL a team's messages go to: its own webhook, else the default one."""
    if team is not None and team.slack_webhook_url:
        return f"team:{team.pk}", team.slack_webhook_url
    return "default", settings.SLACK_WEBHOOK_URL


def slack_message_queue(
    *, kind: str, team: Team | None, item: str, period: str, message: Message
) -> SlackMessage | None:
    """Claim the message (once per kind, channel, item, period) and send it after commit.

    None when no webhook is configured for the team (nor a default). An existing claim is
    queued again only while it is still waiting to be sent.
    """
    channel, url = webhook_for(team)
    if not url:
        return None
    key = {"kind": kind, "channel": channel, "item": item, "period": period}
    try:
        with transaction.atomic():
            row, created = SlackMessage.objects.get_or_create(
                **key, defaults={"team": team, "payload": message.as_payload()}
            )
    except IntegrityError:  # claimed by a concurrent run a moment ago
        return SlackMessage.objects.get(**key)
    if created or row.status == SlackMessageStatus.PENDING:
        queue.enqueue(SEND_TASK, row.pk)
    return row


def _claim(message_pk: int, now: datetime) -> SlackMessage | None:
    """Mark the message `sending` (committed before the request) unless it is settled or in flight."""
    with transaction.atomic():
        row = SlackMessage.objects.select_for_update(of=("self",)).select_related("team").filter(pk=message_pk).first()
        if row is None or row.status in (SlackMessageStatus.SENT, SlackMessageStatus.FAILED):
            return None
        if row.status == SlackMessageStatus.SENDING:
            if row.attempted_at and now - row.attempted_at < STALE_AFTER:
                return None  # another worker is sending it right now
            if row.uncertain:
                _settle(row, SlackMessageStatus.FAILED, UNCERTAIN_GIVE_UP)
                return None
            row.uncertain = True  # its worker died mid-send: Slack may have it; one more try only
        if row.attempts >= settings.SLACK_MAX_ATTEMPTS:
            _settle(row, SlackMessageStatus.FAILED, row.last_error or "No tries left.")
            return None
        row.status, row.attempts, row.attempted_at = SlackMessageStatus.SENDING, row.attempts + 1, now
        row.save(update_fields=["status", "attempts", "attempted_at", "uncertain"])
    return row


def _settle(row: SlackMessage, status: str, error: str = "", *, uncertain: bool | None = None) -> None:
    row.status, row.last_error = status, error[:2000]
    if uncertain is not None:
        row.uncertain = uncertain
    if status == SlackMessageStatus.SENT:
        row.sent_at = timezone.now()
    row.save(update_fields=["status", "last_error", "uncertain", "sent_at"])


def slack_message_send(*, message_pk: int, final_attempt: bool = False) -> SlackOutcome:
    """Send one claimed message; records delivery or the error on its row. Never raises for Slack trouble."""
    row = _claim(message_pk, timezone.now())
    if row is None:
        return SlackOutcome()
    _, url = webhook_for(row.team)
    payload = row.payload or {}
    try:
        slack_client.send(
            url, text=payload.get("text", ""), blocks=payload.get("blocks", []), timeout=settings.SLACK_TIMEOUT
        )
    except slack_client.SlackError as exc:
        return _failed(row, exc, final_attempt)
    _settle(row, SlackMessageStatus.SENT)
    return SlackOutcome()


def _failed(row: SlackMessage, exc: slack_client.SlackError, final_attempt: bool) -> SlackOutcome:
    logger.warning("Slack message %s (%s to %s) failed: %s", row.pk, row.kind, row.channel, exc)
    out_of_tries = final_attempt or row.attempts >= settings.SLACK_MAX_ATTEMPTS
    if exc.uncertain and row.uncertain:
        _settle(row, SlackMessageStatus.FAILED, f"{exc} {UNCERTAIN_GIVE_UP}")
        return SlackOutcome()
    if exc.permanent or out_of_tries:
        _settle(row, SlackMessageStatus.FAILED, str(exc))
        return SlackOutcome()
    _settle(row, SlackMessageStatus.PENDING, str(exc), uncertain=row.uncertain or exc.uncertain)
    return SlackOutcome(retry_after=exc.retry_after or 0.0)


def slack_test_send(*, team: Team) -> SlackMessage:
    """Post a test message to the team's channel now (a lead's button); the row says how it went."""
    channel, url = webhook_for(team)
    row = SlackMessage.objects.create(
        kind=SlackMessageKind.TEST,
        team=team,
        channel=channel,
        item=f"test:{timezone.now().isoformat()}",
        payload=check_message(team.name, settings.SITE_URL).as_payload(),
    )
    if not url:
        _settle(row, SlackMessageStatus.FAILED, "No Slack webhook is configured for this team, nor a default one.")
        return row
    slack_message_send(message_pk=row.pk, final_attempt=True)
    row.refresh_from_db()
    logger.info("Slack test message for team %s to %s: %s", team.slug, mask(url), row.status)
    return row


def slack_messages_requeue(*, now: datetime | None = None) -> int:
    """Queue again the messages whose task never ran or whose worker died; returns how many."""
    cutoff = (now or timezone.now()) - STALE_AFTER
    stale = SlackMessage.objects.filter(
        status__in=(SlackMessageStatus.PENDING, SlackMessageStatus.SENDING), created_at__lt=cutoff
    ).exclude(attempted_at__gte=cutoff)
    pks = list(stale.values_list("pk", flat=True)[:200])
    for pk in pks:
        queue.publish(SEND_TASK, pk)
    return len(pks)
