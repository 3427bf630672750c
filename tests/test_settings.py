"""Settings come from the environment and refuse to run production without secrets."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-key-with-plenty-of-entropy-0123456789",
    "GITHUB_WEBHOOK_SECRET": "webhook-secret",
    "ALLOWED_HOSTS": "postmortems.example.com",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
    "DATABASE_URL": "sqlite:////tmp/check-deploy.sqlite3",
}


# What pytest's environment sets for the suite; a production process would not have it.
_TEST_DEFAULTS = {"DEBUG", "SECRET_KEY", "GITHUB_WEBHOOK_SECRET", "SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def run_manage(env_overrides: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in _TEST_DEFAULTS}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_without_secrets_refuses_to_start():
    result = run_manage({"DEBUG": "false"}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "GITHUB_WEBHOOK_SECRET" in result.stderr


def test_production_without_webhook_secret_refuses_to_start():
    env = dict(PRODUCTION_ENV)
    del env["GITHUB_WEBHOOK_SECRET"]
    result = run_manage(env, "check")
    assert result.returncode != 0
    assert "GITHUB_WEBHOOK_SECRET" in result.stderr


def test_malformed_values_fail_loudly():
    result = run_manage({**PRODUCTION_ENV, "DEBUG": "maybe"}, "check")
    assert result.returncode != 0 and "DEBUG must be true or false" in result.stderr
    result = run_manage({**PRODUCTION_ENV, "TIME_ZONE": "Mars/Olympus"}, "check")
    assert result.returncode != 0 and "TIME_ZONE" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage(PRODUCTION_ENV, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_development_defaults_start_without_secrets():
    result = run_manage({"DEBUG": "true"}, "check")
    assert result.returncode == 0, result.stderr


def _settings_in(env: dict[str, str], *names: str) -> list[str]:
    code = f"from django.conf import settings\nfor name in {names!r}:\n    print(repr(getattr(settings, name)))"
    result = run_manage(env, "shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_production_refuses_a_match_all_allowed_hosts():
    result = run_manage({**PRODUCTION_ENV, "ALLOWED_HOSTS": "postmortems.example.com,*"}, "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "ALLOWED_HOSTS contains '*'" in result.stderr


def test_production_refuses_a_weak_secret_key_without_quoting_it():
    for weak in ("short-but-secret-key", "ab" * 40, "django-insecure-" + "k3y-generated-by-startproject" * 2):
        result = run_manage({**PRODUCTION_ENV, "SECRET_KEY": weak}, "check")
        assert result.returncode != 0, weak
        assert "SECRET_KEY is too weak" in result.stderr and weak not in result.stderr
    result = run_manage({**PRODUCTION_ENV, "SECRET_KEY_FALLBACKS": "old-short-key"}, "check")
    assert result.returncode != 0 and "SECRET_KEY_FALLBACKS is too weak" in result.stderr


def test_an_explicit_override_starts_with_unsafe_hosts_and_key():
    env = {**PRODUCTION_ENV, "ALLOWED_HOSTS": "*", "SECRET_KEY": "short-but-secret-key"}
    assert run_manage({**env, "ALLOW_INSECURE_SETTINGS": "true"}, "check").returncode == 0
    assert run_manage({**env, "ALLOW_INSECURE_SETTINGS": "false"}, "check").returncode != 0


def test_production_refuses_mail_backends_that_keep_mail_on_the_machine():
    for backend in ("console", "locmem", "filebased"):
        env = {**PRODUCTION_ENV, "EMAIL_BACKEND": f"django.core.mail.backends.{backend}.EmailBackend"}
        result = run_manage(env, "check")
        assert result.returncode != 0, backend
        assert "password-reset links" in result.stderr
    # Development may print mail: that is where a developer reads it.
    env = {"DEBUG": "true", "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    assert run_manage(env, "check").returncode == 0


def test_production_without_mail_sends_none_and_turns_password_reset_off():
    backend, reset = _settings_in(PRODUCTION_ENV, "EMAIL_BACKEND", "PASSWORD_RESET_ENABLED")
    assert backend == repr("django.core.mail.backends.dummy.EmailBackend") and reset == "False"


def test_production_with_an_smtp_host_sends_mail_and_offers_password_reset():
    env = {**PRODUCTION_ENV, "EMAIL_HOST": "smtp.example.com", "EMAIL_HOST_USER": "mailer"}
    backend, host, reset = _settings_in(env, "EMAIL_BACKEND", "EMAIL_HOST", "PASSWORD_RESET_ENABLED")
    assert backend == repr("django.core.mail.backends.smtp.EmailBackend")
    assert host == repr("smtp.example.com") and reset == "True"


def test_development_prints_mail_to_the_console():
    (backend,) = _settings_in({"DEBUG": "true"}, "EMAIL_BACKEND")
    assert backend == repr("django.core.mail.backends.console.EmailBackend")


def test_malformed_proxy_list_and_rates_fail_loudly():
    result = run_manage({**PRODUCTION_ENV, "TRUSTED_PROXIES": "10.0.0.1,proxy.internal"}, "check")
    assert result.returncode != 0 and "TRUSTED_PROXIES: 'proxy.internal'" in result.stderr
    result = run_manage({**PRODUCTION_ENV, "API_THROTTLE_ANON": "sixty per minute"}, "check")
    assert result.returncode != 0 and "API_THROTTLE_ANON must look like 60/minute" in result.stderr


def test_throttle_counts_use_redis_when_configured_and_memory_otherwise():
    (shared,) = _settings_in({**PRODUCTION_ENV, "REDIS_URL": "redis://127.0.0.1:6379/9"}, "CACHES")
    assert "tracker.cache.SharedRedisCache" in shared and "redis://127.0.0.1:6379/9" in shared
    (local,) = _settings_in({**PRODUCTION_ENV, "REDIS_URL": ""}, "CACHES")
    assert "LocMemCache" in local
