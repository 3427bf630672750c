"""views/reports.py and views/plotly_assets.py: the report page, its month navigation, and plotly.js served locally."""

import json
import re

import pytest
from django.urls import reverse

from postmortems.views.plotly_assets import plotly_asset_urls

from .conftest import page_headline


def test_page_shows_the_same_numbers_with_change_from_last_month(data, signed_in):
    response = signed_in.get("/reports/monthly/2026-03/")
    assert response.status_code == 200
    html = response.content.decode()
    headline = page_headline(html)
    assert headline["Deployments"] == "5"
    assert headline["Hotfixes"] == "3"
    assert headline["Hotfix rate"] == "60%"
    assert headline["Postmortems opened"] == "4"
    assert headline["Postmortems approved"] == "2"
    assert headline["Overdue"] == "2"
    assert headline["SLA met"] == "33%"
    assert headline["MTTR median (h)"] == "4.75"
    assert headline["MTTR p90 (h)"] == "5.85"
    assert headline["Time to approval, median (h)"] == "96.0"
    # February had one deployment: +4.
    assert re.search(
        r'data-metric="Deployments">.*?<td class="num">1</td>\s*<td class="num change[^"]*">\+4</td>', html, re.S
    )
    # Chart data blocks are JSON (not inline code) and carry the trend.
    blocks = dict(re.findall(r'<script id="(chart-[a-z-]+-data)" type="application/json">(.*?)</script>', html, re.S))
    charts = ("hotfixes", "categories", "checklist", "detection", "actions", "mitigations", "caught-in", "upkeep")
    charts = (*charts, "staging")
    assert set(blocks) == {f"chart-{n}-data" for n in (*charts, "teams")}
    assert "<script>" not in html and " style=" not in html
    hotfix_figure = json.loads(blocks["chart-hotfixes-data"])
    assert [t["name"] for t in hotfix_figure["data"]] == ["Deployments", "Hotfixes", "Hotfix rate (%)"]
    assert '<a href="/reports/monthly/2026-02/" rel="prev">' in html
    assert '<a href="/reports/monthly/2026-04/" rel="next">' in html


def test_page_opens_on_the_last_complete_month_and_links_the_current_one(data, signed_in, time_machine):
    time_machine.move_to("2026-03-20 12:00Z")
    html = signed_in.get("/reports/monthly/", {"team": "alpha"}).content.decode()
    assert "Monthly reliability report — 2026-02 — team alpha" in html
    assert 'id="in-progress"' not in html
    assert '<a href="/reports/monthly/2026-03/?team=alpha" id="current-month-link">' in html


def test_page_of_the_current_month_is_marked_in_progress_without_next_link(data, signed_in, time_machine):
    time_machine.move_to("2026-03-20 12:00Z")
    html = signed_in.get("/reports/monthly/2026-03/", {"team": "alpha"}).content.decode()
    assert "Monthly reliability report — 2026-03 — team alpha" in html
    assert '<span class="badge badge-in-progress" id="in-progress">in progress</span>' in html
    assert 'href="/reports/monthly/2026-02/?team=alpha" rel="prev"' in html
    assert 'rel="next"' not in html and 'id="current-month-link"' not in html
    assert "?team=alpha&amp;format=csv" in html


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        ("2026-04-01 03:59Z", "2026-02"),  # Mar 31 23:59 EDT: March is not over in New York
        ("2026-04-01 04:00Z", "2026-03"),  # Apr 1 00:00 EDT: March has just ended
        ("2026-04-01 04:01Z", "2026-03"),
    ],
)
def test_default_month_turns_at_midnight_of_the_first_in_time_zone(data, signed_in, time_machine, instant, expected):
    time_machine.move_to(instant)
    html = signed_in.get("/reports/monthly/").content.decode()
    assert f"Monthly reliability report — {expected}" in html
    body = signed_in.get("/api/v1/reports/monthly/").json()
    assert body["month"] == expected


def test_page_bad_month_and_unknown_team_answer_400(data, signed_in):
    assert signed_in.get("/reports/monthly/2026-00/").status_code == 400
    response = signed_in.get("/reports/monthly/2026-03/", {"team": "ghosts"})
    assert response.status_code == 400
    assert "Unknown team" in response.content.decode()


@pytest.mark.parametrize("params", [{"team": "a\x00b"}, {"repository": "acme/\x00"}, {"month": "2026-03\x00"}])
def test_page_answers_400_for_a_nul_character_not_a_server_error(data, signed_in, params):
    assert signed_in.get("/reports/monthly/", params).status_code == 400


def test_page_needs_sign_in(db, client):
    response = client.get("/reports/monthly/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_plotly_js_is_served_by_the_app_with_long_cache(data, signed_in):
    html = signed_in.get("/reports/monthly/2026-03/").content.decode()
    urls = re.findall(r'<script src="(/reports/assets/plotly-[0-9a-f]+\.js)"', html)
    assert len(urls) == 1 and "cdn" not in html.lower()
    response = signed_in.get(urls[0])
    assert response.status_code == 200
    assert "max-age=31536000" in response["Cache-Control"]
    assert b"plotly" in response.content[:2000].lower()


def test_plotly_stylesheet_is_served_and_stale_digests_are_not_found(db, client):
    urls = plotly_asset_urls()
    css = client.get(urls["plotly_css_url"])
    assert css.status_code == 200 and css["Content-Type"].startswith("text/css")
    assert b".js-plotly-plot .plotly" in css.content
    assert len(urls["plotly_maplibre_id"]) == 64
    assert client.get("/reports/assets/plotly-0000000000000000.js").status_code == 404
    assert client.get("/reports/assets/plotly-0000000000000000.css").status_code == 404
