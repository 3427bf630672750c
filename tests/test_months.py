"""One definition of a report month (postmortems/months.py), and the doors that use it agree on it."""

from datetime import UTC, date, datetime

import pytest

from postmortems.months import (
    InvalidMonth,
    current_month,
    last_complete_month,
    month_bounds,
    parse_month,
    report_month,
    shift_month,
)
from tests.api.conftest import client_for
from tests.factories import PostmortemFactory

NEW_YORK = "America/New_York"
# 03:30 UTC on 1 April 2026 is still 31 March (23:30) in New York.
LAST_HOUR_OF_MARCH_IN_NEW_YORK = datetime(2026, 4, 1, 3, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "first_day"),
    [
        ("2026-03", date(2026, 3, 1)),
        ("  2026-03 ", date(2026, 3, 1)),
        ("1970-01", date(1970, 1, 1)),
        ("9999-12", date(9999, 12, 1)),
        ("2026-12", date(2026, 12, 1)),
    ],
)
def test_parse_month_accepts_yyyy_mm_from_1970_to_9999(text, first_day):
    assert parse_month(text) == first_day


@pytest.mark.parametrize(
    "text",
    ["", "2026-3", "26-03", "2026-00", "2026-13", "2026-03-01", "march", "2026/03", "٢٠٢٦-٠٣", "2026-0３", "\x00"],
)
def test_parse_month_refuses_anything_but_yyyy_mm_in_ascii_digits(text):
    with pytest.raises(InvalidMonth, match="YYYY-MM"):
        parse_month(text)


@pytest.mark.parametrize("text", ["1969-12", "0001-01", "0000-01"])
def test_parse_month_refuses_years_before_1970(text):
    with pytest.raises(InvalidMonth, match="before 1970-01"):
        parse_month(text)


def test_month_bounds_are_midnights_in_time_zone(settings):
    settings.TIME_ZONE = NEW_YORK
    start, end = month_bounds(date(2026, 3, 1))
    # EST at the start of March, EDT at its end (daylight saving began on 8 March).
    assert (start.astimezone(UTC), end.astimezone(UTC)) == (
        datetime(2026, 3, 1, 5, tzinfo=UTC),
        datetime(2026, 4, 1, 4, tzinfo=UTC),
    )


def test_month_bounds_of_december_run_into_january_and_9999_12_has_no_end(settings):
    settings.TIME_ZONE = "UTC"
    assert month_bounds(date(2025, 12, 1)) == (datetime(2025, 12, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))
    assert month_bounds(date(9999, 12, 1)) == (datetime(9999, 12, 1, tzinfo=UTC), None)


@pytest.mark.parametrize(
    ("month", "delta", "expected"),
    [
        (date(2026, 1, 1), -1, date(2025, 12, 1)),
        (date(2025, 12, 1), 1, date(2026, 1, 1)),
        (date(2026, 3, 1), -14, date(2025, 1, 1)),
        (date(2026, 3, 1), 0, date(2026, 3, 1)),
        (date(2026, 3, 1), 22, date(2028, 1, 1)),
    ],
)
def test_shift_month_crosses_years(month, delta, expected):
    assert shift_month(month, delta) == expected


def test_current_and_last_complete_month_follow_time_zone(settings):
    settings.TIME_ZONE = NEW_YORK
    assert current_month(LAST_HOUR_OF_MARCH_IN_NEW_YORK) == date(2026, 3, 1)
    assert last_complete_month(LAST_HOUR_OF_MARCH_IN_NEW_YORK) == date(2026, 2, 1)
    settings.TIME_ZONE = "UTC"
    assert current_month(LAST_HOUR_OF_MARCH_IN_NEW_YORK) == date(2026, 4, 1)
    assert last_complete_month(LAST_HOUR_OF_MARCH_IN_NEW_YORK) == date(2026, 3, 1)


def test_report_month_defaults_to_the_last_complete_month_and_refuses_the_future(settings):
    settings.TIME_ZONE = NEW_YORK
    now = LAST_HOUR_OF_MARCH_IN_NEW_YORK
    # Still March in New York: the last complete month is February (SPEC §12).
    assert report_month(None, now=now) == report_month("", now=now) == report_month("  ", now=now) == date(2026, 2, 1)
    assert report_month("2026-03", now=now) == date(2026, 3, 1)
    assert report_month("2025-04", now=now) == date(2025, 4, 1)
    with pytest.raises(InvalidMonth, match="in the future"):
        report_month("2026-04", now=now)  # already April in UTC, not yet in New York
    settings.TIME_ZONE = "UTC"
    assert report_month("2026-04", now=now) == date(2026, 4, 1)


def test_report_month_applies_the_same_format_and_range_as_lists():
    for text in ("2026-13", "1969-12", "٢٠٢٦-٠٣"):
        with pytest.raises(InvalidMonth):
            report_month(text)


# The doors: the API list filters, the web records list and the report answer alike.


@pytest.mark.django_db
@pytest.mark.parametrize("month", ["1969-12", "0001-01", "2026-13", "٢٠٢٦-٠٣", "%", "20%d-%s", "\x00"])
def test_every_api_door_refuses_the_same_months(lead, month):
    client = client_for(lead)
    for path in ("/api/v1/postmortems/", "/api/v1/merged-prs/"):
        response = client.get(path, {"month": month})
        assert response.status_code == 400 and "month" in response.json(), (path, response.content)
    report = client.get("/api/v1/reports/monthly/", {"month": month})
    assert report.status_code == 400 and report.json()["field"] == "month"


@pytest.mark.django_db
def test_web_list_shows_nothing_for_a_month_before_1970(client, lead):
    PostmortemFactory(title="Kept out of an impossible month", anchor_at=datetime(1970, 1, 1, 12, tzinfo=UTC))
    client.force_login(lead)
    assert "Kept out of an impossible month" in client.get("/postmortems/", {"month": "1970-01"}).content.decode()
    page = client.get("/postmortems/", {"month": "1969-12"})
    assert page.status_code == 200 and "0 records" in page.content.decode()


@pytest.mark.django_db
def test_lists_accept_a_month_not_yet_begun_but_the_report_refuses_it(lead, time_machine, settings):
    settings.TIME_ZONE = "UTC"
    time_machine.move_to(datetime(2026, 3, 15, 12, tzinfo=UTC))
    client = client_for(lead)
    listed = client.get("/api/v1/postmortems/", {"month": "2026-04"})
    assert listed.status_code == 200 and listed.json()["results"] == []
    assert client.get("/api/v1/postmortems/", {"month": "9999-12"}).status_code == 200
    report = client.get("/api/v1/reports/monthly/", {"month": "2026-04"})
    assert report.status_code == 400 and "in the future" in report.json()["detail"]
    assert client.get("/api/v1/reports/monthly/", {"month": "2026-03"}).status_code == 200
