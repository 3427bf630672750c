"""A URL handed to us (a PR's `html_url`) is a link only when it is https or under
GITHUB_URL (SPEC §8); otherwise pages show the text and the API answers null."""

from __future__ import annotations

import re

import pytest

from postmortems.models import MergedPullRequest, Postmortem, WebhookDelivery
from postmortems.services import delivery_process
from postmortems.untrusted import safe_link
from tests.api.conftest import client_for
from tests.factories import LeadFactory
from tests.github.conftest import hotfix_payload

pytestmark = pytest.mark.django_db

HOSTILE_URLS = [
    "javascript:alert(document.domain)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "http://github.com/acme/x/pull/1",
    "//evil.example/acme/x/pull/1",
    "https:///no-host",
    "https://github.com/acme/x/pull/1\njavascript:alert(1)",
    "https://github.com/a b",
    "",
]


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_only_https_is_a_link(url):
    assert safe_link(url) == ""


@pytest.mark.parametrize("url", ["https://github.com/acme/x/pull/1", "HTTPS://ghe.example.com/acme/x/pull/2"])
def test_https_links_stay_links(url):
    assert safe_link(url) == url


def test_links_under_the_configured_github_base_are_links(settings):
    settings.GITHUB_URL = "http://ghe.internal/"
    assert safe_link("http://ghe.internal/acme/x/pull/3") == "http://ghe.internal/acme/x/pull/3"
    assert safe_link("http://ghe.internal.evil.example/acme/x/pull/3") == ""
    assert safe_link("http://ghe.internalx/acme") == ""


def _record_with_pr_url(url: str) -> Postmortem:
    delivery = WebhookDelivery.objects.create(
        delivery_id=f"link-{len(url)}", event="pull_request", action="closed", payload=hotfix_payload(html_url=url)
    )
    delivery_process(delivery.pk)
    return Postmortem.objects.get()


def test_a_javascript_pr_url_is_text_on_the_record_page_and_null_in_the_api(client):
    postmortem = _record_with_pr_url("javascript:alert(document.domain)")
    pr = MergedPullRequest.objects.get()
    introduced = MergedPullRequest.objects.create(
        repository=pr.repository, number=1, title="cause", merged_at=pr.merged_at, base_branch="main", html_url="data:x"
    )
    Postmortem.objects.filter(pk=postmortem.pk).update(introduced_by=introduced)
    lead = LeadFactory(username="link-lead")
    client.force_login(lead)
    html = client.get(f"/postmortems/{postmortem.pk}/").content.decode()
    assert "javascript:" not in html and "data:x" not in html
    assert f"{pr.repository.full_name}#{pr.number}" in html  # still shown, as text
    assert not re.search(rf"<a [^>]*>{re.escape(pr.repository.full_name)}#", html)

    api = client_for(lead)
    record = api.get(f"/api/v1/postmortems/{postmortem.pk}/").json()
    assert record["hotfix_prs"][0]["url"] is None
    assert record["introduced_by"]["url"] is None
    listed = {item["number"]: item["url"] for item in api.get("/api/v1/merged-prs/").json()["results"]}
    assert listed == {pr.number: None, 1: None}


def test_an_https_pr_url_is_a_link_on_the_page_and_in_the_api(client):
    url = "https://github.com/Codertocat/Hello-World/pull/2"
    postmortem = _record_with_pr_url(url)
    lead = LeadFactory(username="link-lead")
    client.force_login(lead)
    assert (
        f'<a href="{url}" rel="noopener noreferrer">' in client.get(f"/postmortems/{postmortem.pk}/").content.decode()
    )
    assert client_for(lead).get(f"/api/v1/postmortems/{postmortem.pk}/").json()["hotfix_prs"][0]["url"] == url
