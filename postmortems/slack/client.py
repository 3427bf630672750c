"""Posting to a Slack incoming webhook through slack_sdk's WebhookClient.

One attempt per call, no sleeping here: the caller (a Celery task) owns retries and
their bound. Every failure becomes a `SlackError` saying whether trying again can help:

- permanent: 4xx other than 429 (`invalid_payload`, `no_service`, `channel_not_found`,
  `action_prohibited`, ...) — the URL or the message is wrong; retrying will not help;
- transient: 429 (with Slack's `Retry-After`), 5xx, network trouble;
- `uncertain`: the request may have reached Slack (a timeout or a dropped connection
  after sending), so Slack may have posted it; a retry can duplicate the message.

The URL is a secret: it never appears in an error or a log line, only its last four
characters (`webhook_url.mask`).
"""

from __future__ import annotations

import logging
from urllib.error import URLError

from slack_sdk.webhook import WebhookClient

from .webhook_url import mask

DEFAULT_RETRY_AFTER = 30.0

# slack_sdk logs the full URL at DEBUG level; its client gets a logger that never goes below WARNING.
_sdk_logger = logging.getLogger("postmortems.slack.sdk")
_sdk_logger.setLevel(logging.WARNING)


class SlackError(Exception):
    """Slack did not take the message; `permanent` says retrying cannot help."""

    def __init__(
        self, message: str, *, permanent: bool, retry_after: float | None = None, uncertain: bool = False
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after
        self.uncertain = uncertain


def _retry_after(headers) -> float:
    for name in ("Retry-After", "retry-after"):
        try:
            return max(0.0, float(headers[name]))
        except (KeyError, TypeError, ValueError):
            continue
    return DEFAULT_RETRY_AFTER


def send(url: str, *, text: str, blocks: list[dict], timeout: float = 10.0) -> None:
    """Post one message (`text` is the notification fallback); raises SlackError unless Slack said ok."""
    where = mask(url)
    if not url:
        raise SlackError("No Slack webhook is configured.", permanent=True)
    client = WebhookClient(url, timeout=int(max(1, timeout)), logger=_sdk_logger, retry_handlers=[])
    try:
        response = client.send(text=text, blocks=blocks)
    except TimeoutError as exc:
        raise SlackError(f"Slack ({where}) did not answer in time.", permanent=False, uncertain=True) from exc
    except URLError as exc:
        # Refused or unresolvable: the request never reached Slack, so nothing was posted.
        reason = exc.reason if isinstance(exc.reason, str) else type(exc.reason).__name__
        raise SlackError(f"Could not reach Slack ({where}): {reason}", permanent=False) from exc
    except (ConnectionError, OSError) as exc:
        raise SlackError(
            f"The connection to Slack ({where}) broke: {type(exc).__name__}", permanent=False, uncertain=True
        ) from exc
    status, body = response.status_code, (response.body or "").strip()[:200]
    if 200 <= status < 300:
        return
    if status == 429:
        raise SlackError(
            f"Slack ({where}) is rate limiting (429).", permanent=False, retry_after=_retry_after(response.headers)
        )
    if status >= 500:
        raise SlackError(f"Slack ({where}) failed ({status}): {body or 'no detail'}", permanent=False)
    raise SlackError(f"Slack ({where}) refused the message ({status}): {body or 'no detail'}", permanent=True)
