"""Playwright driving Debian's Chromium against the live test server (never a downloaded browser)."""

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.github.conftest import fake_github, github_oauth  # noqa: F401 - fixtures for the GitHub sign-in test

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"


# Module scope: Playwright's sync API allows one running instance per thread, and the
# report and security browser tests start their own after this module is done.
@pytest.fixture(scope="module")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        message = f"Chromium is missing at {CHROMIUM}: install Debian's chromium package"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run next
    # to one unless told it is fine. Only while the browser is up, so no other test (or the
    # processes they start) inherits the flag.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def screenshot():
    """Save a full-page screenshot under tests/screenshots/ (git-ignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def _console(message, problems: list[str]) -> None:
    # Failed loads are reported with their URL by _response; CSP refusals and script errors land here.
    if message.type == "error" and "Failed to load resource" not in message.text:
        problems.append(message.text)


def _response(response, problems: list[str]) -> None:
    if response.status == 404 or response.status >= 500:
        problems.append(f"{response.status} {response.url}")


@pytest.fixture
def sign_in(browser, live_server):
    """Open a fresh browser context signed in through the real login form; closed after the test."""
    contexts = []
    problems: list[str] = []

    def open_as(username: str, password: str = "pw-for-tests-123"):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        # A strict Content-Security-Policy must not block anything of ours (inline script/style, CDN).
        page.on("console", lambda msg: _console(msg, problems))
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.on("response", lambda response: _response(response, problems))
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        return page

    open_as.problems = problems
    yield open_as
    for context in contexts:
        context.close()
