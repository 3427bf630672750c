"""Reading and judging settings from the environment, for `tracker/settings.py` (its only user).

Every reader raises ImproperlyConfigured on a malformed value, so a typo stops start-up with a
message naming the variable instead of running with something nobody asked for.
"""

from __future__ import annotations

import ipaddress
import re

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()

# Django's own bar for a production key (check security.W009): long, varied, not the template's.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5
_INSECURE_KEY_PREFIX = "django-insecure-"

# Mail backends that keep the message on this machine (stdout, memory, a file): with DEBUG off
# they would put password-reset links wherever the logs go.
MAIL_BACKENDS_THAT_LEAK = frozenset(
    f"django.core.mail.backends.{name}.EmailBackend" for name in ("console", "locmem", "filebased")
)
SMTP_MAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
NO_MAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"

_RATE = re.compile(r"^\d+/(s|sec|second|m|min|minute|h|hour|d|day)$")


def env_rate(name: str, default: str) -> str:
    """A throttle rate such as `60/minute` (the form Django REST framework reads)."""
    raw = env.str(name, default=default).strip()
    if not _RATE.match(raw):
        raise ImproperlyConfigured(f"{name} must look like 60/minute (per second, minute, hour or day), not {raw!r}.")
    return raw


def env_networks(name: str) -> list[str]:
    """Comma-separated addresses or CIDR networks, each checked now rather than on the first request."""
    entries = [entry.strip() for entry in env.list(name, default=[]) if entry.strip()]
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name}: {entry!r} is not an IP address or network (e.g. 10.0.0.0/8).") from exc
    return entries


def weak_secret_key(key: str) -> bool:
    return (
        len(key) < SECRET_KEY_MIN_LENGTH
        or len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
        or key.startswith(_INSECURE_KEY_PREFIX)
    )


def insecure_production_settings(
    *, allowed_hosts: list[str], secret_key: str, secret_key_fallbacks: list[str]
) -> list[str]:
    """Why these settings must not serve production (empty when they may). The keys are never quoted."""
    problems = []
    if "*" in allowed_hosts:
        problems.append("ALLOWED_HOSTS contains '*', so any Host header is accepted; list your host names")
    if weak_secret_key(secret_key):
        problems.append(
            f"SECRET_KEY is too weak (it needs at least {SECRET_KEY_MIN_LENGTH} characters, "
            f"{SECRET_KEY_MIN_UNIQUE_CHARACTERS} of them different); generate one with "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    if any(weak_secret_key(key) for key in secret_key_fallbacks):
        problems.append("a key in SECRET_KEY_FALLBACKS is too weak: old keys still sign valid sessions")
    return problems


def mail_backend(*, configured: str, host: str, debug: bool) -> str:
    """The mail backend to use: the one named, else SMTP when a host is set, else the console in
    development and no mail at all in production. Refuses a backend that would leak links with DEBUG off."""
    backend = configured or (SMTP_MAIL_BACKEND if host else "")
    if not backend:
        return "django.core.mail.backends.console.EmailBackend" if debug else NO_MAIL_BACKEND
    if not debug and backend in MAIL_BACKENDS_THAT_LEAK:
        raise ImproperlyConfigured(
            f"EMAIL_BACKEND {backend} keeps mail on this machine, so with DEBUG off password-reset links "
            "would end up in logs or files. Set EMAIL_HOST (and EMAIL_HOST_USER/EMAIL_HOST_PASSWORD) for SMTP, "
            "or leave both unset to run without mail (password reset is then off)."
        )
    return backend


def github_app_private_key(*, key: str, path: str) -> str:
    """The GitHub App's PEM private key: inline (`\\n` escapes allowed, for one-line .env files) or from a file."""
    if key and path:
        raise ImproperlyConfigured("Set GITHUB_APP_PRIVATE_KEY or GITHUB_APP_PRIVATE_KEY_FILE, not both.")
    if path:
        try:
            with open(path, encoding="utf-8") as handle:
                key = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise ImproperlyConfigured(f"GITHUB_APP_PRIVATE_KEY_FILE {path!r} cannot be read: {exc}.") from exc
    key = key.replace("\\n", "\n").strip()
    if key and not (key.startswith("-----BEGIN") and "PRIVATE KEY-----" in key):
        raise ImproperlyConfigured(
            "The GitHub App private key is not a PEM private key (-----BEGIN RSA PRIVATE KEY----- ...)."
        )
    return key
