"""reports/benchmarks.py: the DORA bands at their boundaries, and where the report shows them."""

from datetime import date

import pytest

from postmortems.reports import Scope, build_monthly_report
from postmortems.reports.benchmarks import DORA, DORA_2023, DoraTable, hotfix_rate_band, mttr_band


@pytest.mark.parametrize(
    ("rate", "band"),
    [
        (0.0, "elite"),
        (0.05, "elite"),
        (0.0501, "high"),
        (0.10, "high"),
        (0.1001, "medium"),
        (0.15, "medium"),
        (0.1501, "low"),
        (1.0, "low"),
        (None, None),
    ],
)
def test_change_failure_rate_bands(rate, band):
    assert hotfix_rate_band(rate) == band


@pytest.mark.parametrize(
    ("hours", "band"),
    [
        (0.0, "elite"),
        (0.99, "elite"),
        (1.0, "high"),
        (23.99, "high"),
        (24.0, "medium"),
        (167.99, "medium"),
        (168.0, "low"),
        (1000.0, "low"),
        (None, None),
    ],
)
def test_time_to_restore_bands(hours, band):
    assert mttr_band(hours) == band


def test_the_table_in_force_is_the_2023_report_and_a_new_year_is_one_table():
    assert DORA is DORA_2023 and "State of DevOps Report 2023" in DORA.source
    stricter = DoraTable("A later report", ((0.02, "elite"),), ((0.5, "elite"),))
    assert hotfix_rate_band(0.04, stricter) == "low" and mttr_band(0.4, stricter) == "elite"


def test_report_places_march_in_the_bands(data):
    bands = build_monthly_report(date(2026, 3, 1), Scope()).as_json()["dora_bands"]
    # Hotfix rate 60% → low; MTTR median 4.75 h → high.
    assert bands == {"hotfix_rate": "low", "mttr": "high", "source": DORA.source}


def test_page_help_text_cites_the_report(data, signed_in):
    html = signed_in.get("/reports/monthly/2026-03/").content.decode()
    assert "Accelerate State of DevOps Report 2023" in html
