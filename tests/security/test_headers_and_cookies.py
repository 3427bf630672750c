"""Security headers on every page, and secure cookies when DEBUG is off (checked in a production process)."""

import json

import pytest

from tests.test_settings import PRODUCTION_ENV, run_manage

EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    # Only an empty style attribute (Plotly sets one); any other inline style stays refused.
    "style-src-attr": "'unsafe-hashes' 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
}


def parse_csp(header: str) -> dict[str, str]:
    """Directive -> sources; the order of directives in the header carries no meaning."""
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/", "/no-such-page/"])
def test_pages_carry_the_security_headers(client, path):
    response = client.get(path)
    assert parse_csp(response["Content-Security-Policy"]) == EXPECTED_CSP
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


# Runs inside a process started with the production environment: fetch the login page
# over HTTPS with Django's test client and report what a browser would receive.
_PROBE = """
import json
from django.conf import settings
from django.test import Client
r = Client().get("/accounts/login/", secure=True, HTTP_HOST="postmortems.example.com")
plain = Client().get("/accounts/login/", HTTP_HOST="postmortems.example.com")
print(json.dumps({
    "status": r.status_code,
    "headers": dict(r.headers),
    "csrf_cookie": r.cookies["csrftoken"].output(),
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "session_httponly": settings.SESSION_COOKIE_HTTPONLY,
    "plain_status": plain.status_code,
    "plain_location": plain.headers.get("Location"),
}))
"""


def _probe(**overrides):
    # Production settings; static files from the finders, as no collectstatic ran here.
    env = {**PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "tests.support.process_settings", **overrides}
    result = run_manage(env, "shell", "-c", _PROBE)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_sets_secure_cookies_hsts_and_redirects_to_https():
    seen = _probe()
    assert seen["status"] == 200
    assert "Secure" in seen["csrf_cookie"]
    assert seen["session_secure"] is True and seen["session_httponly"] is True
    assert seen["headers"]["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert parse_csp(seen["headers"]["Content-Security-Policy"]) == EXPECTED_CSP
    assert seen["headers"]["X-Content-Type-Options"] == "nosniff"
    assert seen["plain_status"] == 301
    assert seen["plain_location"].startswith("https://postmortems.example.com/")


def test_hsts_is_configurable():
    seen = _probe(SECURE_HSTS_SECONDS="3600", SECURE_HSTS_INCLUDE_SUBDOMAINS="false", SECURE_HSTS_PRELOAD="false")
    assert seen["headers"]["Strict-Transport-Security"] == "max-age=3600"
    seen = _probe(SECURE_HSTS_SECONDS="0", SECURE_HSTS_INCLUDE_SUBDOMAINS="false", SECURE_HSTS_PRELOAD="false")
    assert "Strict-Transport-Security" not in seen["headers"]


def test_csp_can_run_report_only_while_a_change_is_tried():
    seen = _probe(CSP_REPORT_ONLY="true")
    assert "Content-Security-Policy" not in seen["headers"]
    assert parse_csp(seen["headers"]["Content-Security-Policy-Report-Only"]) == EXPECTED_CSP
