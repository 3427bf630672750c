"""Which incoming-webhook URLs we post to. Plain Python: settings check the default with it at start-up."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
SLACK_HOST = "hooks.slack.com"


def webhook_url_problem(url: str, allowed_hosts: Iterable[str]) -> str | None:
    """Why `url` is not an acceptable incoming-webhook URL, or None when it is.

    Slack's own host over https, under /services/. Other hosts only when a setting lists
    them (tests post to a local endpoint, which may be plain http on a loopback address).
    The message never repeats the URL: it is a secret.
    """
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        has_credentials = bool(parts.username or parts.password)
    except ValueError:
        return "Not a URL."
    allowed = {h.strip().lower() for h in allowed_hosts if h.strip()}
    if not host or host not in allowed:
        return f"Use a Slack incoming-webhook URL (https://{SLACK_HOST}/services/...)."
    if has_credentials:
        return "The URL must not carry a user name or password."
    if parts.scheme != "https" and not (parts.scheme == "http" and host in LOOPBACK_HOSTS):
        return "The URL must start with https://."
    if host == SLACK_HOST and not parts.path.startswith("/services/"):
        return f"A Slack incoming-webhook URL looks like https://{SLACK_HOST}/services/T…/B…/…"
    return None


def mask(url: str) -> str:
    """How a webhook URL may appear anywhere (pages, API, logs): its last four characters."""
    return f"…{url[-4:]}" if url else ""
