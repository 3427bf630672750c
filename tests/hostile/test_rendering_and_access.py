"""Untrusted text (from GitHub or users) is rendered as text or sanitised Markdown in pages,
emails and CSV; bad input gets a clear 4xx; other teams' records never leak."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from postmortems import services
from postmortems.models import Postmortem, WebhookDelivery
from postmortems.services import delivery_process
from tests.factories import (
    CompletePostmortemFactory,
    EngineerFactory,
    FailureCategoryFactory,
    LeadFactory,
    RepositoryFactory,
    TeamFactory,
)
from tests.github.conftest import hotfix_payload

pytestmark = pytest.mark.django_db

XSS_TITLE = 'hotfix: <script>alert("title")</script>'
XSS_BRANCH = 'hotfix/<img src=x onerror=alert("branch")>'
XSS_LABEL = '<svg onload=alert("label")>'
XSS_MARKDOWN = (
    "Root cause with enough words to pass the length rule.\n\n"
    '<script>alert("md")</script>\n\n<img src=x onerror=alert("md-img")>\n\n'
    "[a link](javascript:alert('md-link')) and **bold** text"
)


def _hostile_hotfix() -> Postmortem:
    payload = hotfix_payload(title=XSS_TITLE)
    payload["pull_request"]["head"]["ref"] = XSS_BRANCH
    payload["pull_request"]["labels"] = [{"name": "hotfix"}, {"name": XSS_LABEL}]
    delivery = WebhookDelivery.objects.create(
        delivery_id="xss-1", event="pull_request", action="closed", payload=payload
    )
    delivery_process(delivery.pk)
    postmortem = Postmortem.objects.get()
    Postmortem.objects.filter(pk=postmortem.pk).update(root_cause=XSS_MARKDOWN, impact=XSS_MARKDOWN)
    return postmortem


def _assert_inert(html: str) -> None:
    assert "<script>alert" not in html
    assert not re.search(r"<[a-z]+[^>]*\son[a-z]+=", html, re.I), "an element with an event-handler attribute"
    assert not re.search(r"""href=["']?javascript:""", html, re.I)


def test_github_and_user_text_is_escaped_or_sanitised_in_pages(client):
    postmortem = _hostile_hotfix()
    client.force_login(LeadFactory(username="xss-lead"))
    detail = client.get(f"/postmortems/{postmortem.pk}/").content.decode()
    _assert_inert(detail)
    assert "&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;" in detail  # shown, as text
    assert "<strong>bold</strong>" in detail  # Markdown still renders
    listing = client.get("/postmortems/").content.decode()
    _assert_inert(listing)
    assert "&lt;script&gt;" in listing
    _assert_inert(client.get(f"/postmortems/{postmortem.pk}/edit/").content.decode())


def test_reminder_emails_carry_text_not_markup():
    postmortem = _hostile_hotfix()
    owner = EngineerFactory(username="xss-owner", email="owner@example.com")
    wednesday = timezone.make_aware(timezone.datetime(2026, 3, 18, 10, 0))  # a working day
    Postmortem.objects.filter(pk=postmortem.pk).update(owner=owner, due_at=wednesday - timedelta(days=2))
    mail.outbox.clear()
    services.overdue_reminders_send(now=wednesday)
    assert mail.outbox, "no reminder was sent: the test would prove nothing"
    for message in mail.outbox:
        # Plain text mail shows the title literally; no HTML part that could run it.
        assert message.content_subtype == "plain"
        assert not [part for part in getattr(message, "alternatives", []) if "<script>alert" in str(part[0])]


def test_csv_cells_cannot_start_a_formula(client):
    category = FailureCategoryFactory(name='=HYPERLINK("http://evil.example","x")', slug="formula")
    for name in ("+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)"):
        FailureCategoryFactory(name=name, slug=f"formula-{abs(hash(name)) % 1000}")
    CompletePostmortemFactory(category=category)
    client.force_login(LeadFactory(username="csv-lead"))
    response = client.get("/reports/monthly/2026-03/?format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    cells = [cell for row in csv.reader(io.StringIO(response.content.decode())) for cell in row]
    assert '\'=HYPERLINK("http://evil.example","x")' in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "@")]
    assert not [cell for cell in cells if cell.startswith("-") and not _is_number(cell)]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.fixture
def two_teams():
    ours, theirs = TeamFactory(slug="ours"), TeamFactory(slug="theirs")
    me = EngineerFactory(username="team-engineer")
    ours.members.add(me)
    mine = CompletePostmortemFactory(owner=me, repository=RepositoryFactory(full_name="acme/ours", team=ours))
    secret = CompletePostmortemFactory(
        title="Their confidential outage",
        owner=EngineerFactory(username="their-engineer"),
        repository=RepositoryFactory(full_name="acme/theirs", team=theirs),
    )
    return me, mine, secret


def test_other_teams_records_are_404_in_pages_and_api(client, two_teams):
    me, _, secret = two_teams
    client.force_login(me)
    for path in (
        f"/postmortems/{secret.pk}/",
        f"/postmortems/{secret.pk}/edit/",
        f"/api/v1/postmortems/{secret.pk}/",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "confidential" not in response.content.decode()
    for path in (f"/postmortems/{secret.pk}/submit/", f"/api/v1/postmortems/{secret.pk}/submit/"):
        response = client.post(path, content_type="application/json", data={})
        assert response.status_code in (403, 404), path
        assert "confidential" not in response.content.decode()
    for path in ("/postmortems/", "/api/v1/postmortems/", "/api/v1/postmortems/?team=theirs", "/"):
        assert "confidential" not in client.get(path).content.decode(), path
    secret.refresh_from_db()
    assert secret.status == "draft"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "x" * 100_000, "no more than"),
        ("detected_at", "2026-02-30T25:61:00Z", "date"),
        ("severity", "SEV9", "valid choice"),
        ("detection_method", "crystal_ball", "valid choice"),
        ("trigger", ["code"], ""),
    ],
)
def test_bad_api_input_is_a_clear_400(client, two_teams, field, value, message):
    me, mine, _ = two_teams
    client.force_login(me)
    before = Postmortem.objects.values().get(pk=mine.pk)
    response = client.patch(f"/api/v1/postmortems/{mine.pk}/", data={field: value}, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert field in str(body) and message.lower() in str(body).lower()
    assert Postmortem.objects.values().get(pk=mine.pk) == before


def test_bad_filters_and_ids_are_4xx_not_500(client, two_teams):
    me, _, _ = two_teams
    client.force_login(me)
    for path in (
        "/api/v1/postmortems/?month=2026-13",
        "/api/v1/postmortems/?status=exploded",
        "/api/v1/postmortems/?overdue=perhaps",
        "/api/v1/postmortems/999999999999999999999/",
        "/postmortems/999999999999999999999/",
        "/reports/monthly/2026-13/",
        "/reports/monthly/../../etc/passwd/",
    ):
        response = client.get(path)
        assert 400 <= response.status_code < 500, (path, response.status_code)


def test_oversized_and_invalid_form_input_is_refused_with_a_message(client, two_teams):
    me, mine, _ = two_teams
    client.force_login(me)
    before = Postmortem.objects.values().get(pk=mine.pk)
    response = client.post(
        f"/postmortems/{mine.pk}/edit/",
        {
            "pm-title": "t" * 100_000,
            "pm-severity": "SEV9",
            "pm-detected_at": "not a date",
            "pm-trigger": "telepathy",
            "actions-TOTAL_FORMS": "0",
            "actions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code in (200, 400)
    page = response.content.decode()
    assert "Nothing was saved" in page
    assert "Ensure this value has at most 300 characters" in page and "Select a valid choice" in page
    assert "Enter a valid date" in page
    assert Postmortem.objects.values().get(pk=mine.pk) == before
