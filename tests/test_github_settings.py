"""The GitHub App and sign-in settings (SPEC §13) are read from the environment and refuse nonsense."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.github.fake_github_app import new_private_key_pem
from tests.test_settings import PRODUCTION_ENV, run_manage
from tracker.environment import github_app_private_key

PEM = new_private_key_pem()


def test_the_key_is_read_inline_with_escaped_newlines_or_from_a_file(tmp_path):
    assert github_app_private_key(key=PEM.replace("\n", "\\n"), path="") == PEM.strip()
    key_file = tmp_path / "app.pem"
    key_file.write_text(PEM)
    assert github_app_private_key(key="", path=str(key_file)) == PEM.strip()
    assert github_app_private_key(key="", path="") == ""


@pytest.mark.parametrize(
    ("key", "path", "message"),
    [
        (PEM, "/etc/app.pem", "not both"),
        ("", "/nonexistent/app.pem", "cannot be read"),
        ("ghp_not-a-key", "", "not a PEM private key"),
    ],
)
def test_a_bad_key_stops_start_up(key, path, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        github_app_private_key(key=key, path=path)


def test_an_app_id_without_a_key_stops_start_up():
    result = run_manage({**PRODUCTION_ENV, "GITHUB_APP_ID": "4242"}, "check")
    assert result.returncode != 0 and "GITHUB_APP_ID and a private key" in result.stderr


def test_sign_in_with_github_is_on_with_both_oauth_values_and_asks_for_orgs_when_limited():
    result = run_manage(
        {
            **PRODUCTION_ENV,
            "GITHUB_OAUTH_CLIENT_ID": "Iv1.abc",
            "GITHUB_OAUTH_CLIENT_SECRET": "secret",
            "GITHUB_URL": "https://ghe.example.com/",
            "GITHUB_ALLOWED_ORGS": "acme, globex",
        },
        "shell",
        "-c",
        "from django.conf import settings as s; p = s.SOCIALACCOUNT_PROVIDERS['github'];"
        "print(s.GITHUB_SIGN_IN_ENABLED, p['GITHUB_URL'], p['SCOPE'], s.GITHUB_ALLOWED_ORGS, len(p['APPS']))",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "True https://ghe.example.com ['read:user', 'user:email', 'read:org'] ['acme', 'globex'] 1"
    )
