"""Tests that need a service or a program skip on a laptop without it, and fail in CI: never a silent pass."""

import pytest

from tests import conftest
from tests.reports import test_report_browser


def test_unavailable_fails_in_ci_and_skips_elsewhere(monkeypatch):
    monkeypatch.setattr(conftest, "IN_CI", True)
    with pytest.raises(pytest.fail.Exception, match="gone"):
        conftest.unavailable("gone")
    monkeypatch.setattr(conftest, "IN_CI", False)
    with pytest.raises(pytest.skip.Exception, match="gone"):
        conftest.unavailable("gone")


def test_report_browser_test_fails_in_ci_without_chromium(monkeypatch):
    monkeypatch.setattr(conftest, "IN_CI", True)
    monkeypatch.setattr(test_report_browser, "CHROMIUM", "/nonexistent/chromium")
    # The guard runs before any fixture is used, so none is needed here.
    with pytest.raises(pytest.fail.Exception, match="Chromium is missing"):
        test_report_browser.test_report_page_renders_plotly_charts_locally(None, None, None, None)
