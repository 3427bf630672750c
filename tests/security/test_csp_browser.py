"""The Content-Security-Policy is enforced and the pages satisfy it: no violation in a real Chromium."""

import os

import pytest

from tests.factories import CompletePostmortemFactory, PreventionActionFactory, UserFactory

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "pw-for-tests-123"  # tests/factories.py


@pytest.fixture
def browser_page():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing")
        pytest.skip("Debian's chromium is missing")
    # Playwright's sync API runs an event loop in this thread; the live server's ORM calls are fine.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        violations: list[str] = []
        page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
        # Also catch violations the console might word differently.
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e =>"
            " console.error('Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
        )
        page.violations = violations
        yield page
        browser.close()


def test_pages_load_without_csp_violations(live_server, browser_page):
    page = browser_page
    admin = UserFactory(username="csp-admin", is_staff=True, is_superuser=True)
    record = CompletePostmortemFactory(owner=admin, title="A <script>alert(1)</script> title")
    PreventionActionFactory(postmortem=record, owner=admin)

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "csp-admin")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")

    paths = [
        "/",
        "/postmortems/",
        f"/postmortems/{record.pk}/",
        f"/postmortems/{record.pk}/edit/",
        "/postmortems/new/",
        "/settings/",
        "/account/token/",
        "/admin/",
        "/admin/postmortems/postmortem/",
        # Records are read-only in the admin (no add form): their page, and an add form
        # with the same kind of widgets (filter_horizontal).
        f"/admin/postmortems/postmortem/{record.pk}/change/",
        "/admin/postmortems/team/add/",
        "/admin/postmortems/repository/add/",
        "/no-such-page/",
        "/api/docs/",
    ]
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert response.status == (404 if path == "/no-such-page/" else 200), path
        assert response.headers.get("content-security-policy"), path
        assert page.violations == [], f"{path}: {page.violations}"

    # The CSP really is enforced: an inline script injected into a page is refused and reported.
    page.goto(f"{live_server.url}/admin/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.pwned = 1';"
        " document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.pwned") is None
    assert any("Content Security Policy" in text for text in page.violations)

    # Only an empty style attribute is allowed inline; a real one is refused.
    refused_before = len(page.violations)
    colour = page.evaluate(
        "() => { const d = document.createElement('div'); d.setAttribute('style', 'color: rgb(255, 0, 0)');"
        " document.body.appendChild(d); return getComputedStyle(d).color; }"
    )
    page.wait_for_timeout(200)
    assert colour != "rgb(255, 0, 0)"
    assert len(page.violations) > refused_before


# Pages that once broke the policy: the report (plotly's stylesheet is now served as a
# file, its <style> injection switched off) and the API (JSON only, no browsable pages).
KNOWN_VIOLATIONS = ["/reports/monthly/2026-03/", "/api/v1/postmortems/"]


@pytest.mark.parametrize("path", KNOWN_VIOLATIONS)
def test_known_pages_with_csp_violations(live_server, browser_page, path):
    page = browser_page
    UserFactory(username="csp-lead", is_staff=True)
    CompletePostmortemFactory()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "csp-lead")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    response = page.goto(f"{live_server.url}{path}")
    page.wait_for_load_state("networkidle")
    assert response.status == 200
    assert page.violations == []
