"""Our own errors for every GitHub call, so callers decide what to retry without knowing PyGithub.

- `GitHubRateLimited(retry_after)`: primary or secondary rate limit, or 429;
- `GitHubTransientError(retry_after)`: 5xx, timeouts, connection errors;
- `GitHubPermanentError(status)`: 401, 404, 422 and other refusals — retrying will not help;
  `GitHubInstallationLost` when the GitHub App's installation is suspended or gone.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import requests
from github import GithubException

T = TypeVar("T")

DEFAULT_RATE_LIMIT_WAIT = 60.0


class GitHubError(Exception):
    """Base of every error the client raises."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class GitHubTransientError(GitHubError):
    """Worth trying again later (5xx, network trouble); `retry_after` is a hint or None."""


class GitHubRateLimited(GitHubTransientError):
    """GitHub asked us to slow down; `retry_after` seconds until it is worth trying again."""


class GitHubPermanentError(GitHubError):
    """GitHub refused the request for good (bad token, no such PR, invalid input)."""


class GitHubInstallationLost(GitHubPermanentError):
    """The App's installation for this repository is suspended, uninstalled or refused: not retried."""


def _header_float(headers: dict, name: str) -> float | None:
    try:
        return float(headers[name])
    except (KeyError, TypeError, ValueError):
        return None


def translate(exc: GithubException, *, now: float | None = None) -> GitHubError:
    """Map a PyGithub exception onto our three kinds of error."""
    headers = {str(k).lower(): v for k, v in (exc.headers or {}).items()}
    message = str((exc.data or {}).get("message") if isinstance(exc.data, dict) else exc.data or exc)
    status = exc.status
    retry_after = _header_float(headers, "retry-after")
    rate_limited = (
        status == 429
        or (status == 403 and headers.get("x-ratelimit-remaining") == "0")
        or (status == 403 and "rate limit" in message.lower())
    )
    if rate_limited:
        # GitHub sends X-RateLimit-Reset on every answer; it says when to come back only once the limit is spent
        # (a 502 with requests left is worth trying again in seconds, not at the end of the hour).
        reset = _header_float(headers, "x-ratelimit-reset")
        if retry_after is None and reset is not None:
            retry_after = max(0.0, reset - (now if now is not None else time.time()))
        return GitHubRateLimited(
            f"GitHub rate limit ({status}): {message}",
            status=status,
            retry_after=DEFAULT_RATE_LIMIT_WAIT if retry_after is None else retry_after,
        )
    if status >= 500:
        return GitHubTransientError(f"GitHub error {status}: {message}", status=status, retry_after=retry_after)
    return GitHubPermanentError(f"GitHub refused the request ({status}): {message}", status=status)


def github_call(fn: Callable[[], T]) -> T:
    """Run one PyGithub call, raising only our errors."""
    try:
        return fn()
    except GithubException as exc:
        raise translate(exc) from exc
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise GitHubTransientError(f"Could not reach GitHub: {exc}") from exc
