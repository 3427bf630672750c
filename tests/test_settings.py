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
