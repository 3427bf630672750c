"""The report page in Debian's Chromium: charts render, nothing leaves 127.0.0.1, a screenshot is kept."""

import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings as django_settings

from tests.conftest import unavailable
from tests.reports import dataset

SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
CHROMIUM = "/usr/bin/chromium"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_report_page_renders_plotly_charts_locally(live_server, client, engineer, settings):
    if not shutil.which(CHROMIUM):
        unavailable(f"Chromium is missing at {CHROMIUM}: install Debian's chromium package")
    from playwright.sync_api import sync_playwright

    settings.TIME_ZONE = dataset.TZ_NAME
    dataset.build()
    client.force_login(engineer)
    session_cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    base = live_server.url
    requests: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": session_cookie, "url": base}])
            page = context.new_page()
            page.on("request", lambda request: requests.append(request.url))
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            response = page.goto(f"{base}/reports/monthly/2026-03/", wait_until="networkidle")
            assert response.status == 200
            page.wait_for_selector("#chart-mitigations.chart-ready svg.main-svg", timeout=20000)
            charts = ("hotfixes", "categories", "checklist", "detection", "actions", "mitigations")
            for chart in (*charts, "caught-in", "upkeep", "teams"):
                page.wait_for_selector(f"#chart-{chart}.chart-ready svg.main-svg", timeout=20000)
                assert page.locator(f"#chart-{chart} svg.main-svg").count() >= 1, chart
            assert page.locator("#headline tr[data-metric='Deployments'] td").first.inner_text() == "5"
            # The findings come first, each a sentence with its numbers, visible without scrolling.
            findings = page.locator("#findings li.finding")
            assert findings.count() == 3
            assert findings.first.locator(".finding-title").inner_text().startswith("Data or schema change recurred: 2")
            assert findings.nth(2).bounding_box()["y"] < 900
            assert page.locator("#dora-help").inner_text().count("Accelerate State of DevOps Report 2023") == 1
            SCREENSHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "monthly-report.png"), full_page=True)
        finally:
            browser.close()
    assert errors == []
    assert requests, "the page made no requests"
    outside = [url for url in requests if urlparse(url).hostname not in LOCAL_HOSTS and not url.startswith("data:")]
    assert outside == []
    assert sum(url.endswith(".js") and "/reports/assets/plotly-" in url for url in requests) == 1
