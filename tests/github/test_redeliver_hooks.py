"""`redeliver_github_hooks` for organisation hooks (`--org`) and the GitHub App's hook (`--app`), SPEC §13."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from postmortems.models import WebhookDelivery
from tests.github.fake_github import Reply

pytestmark = pytest.mark.django_db

GUID = "0b989ba4-242f-11e5-81e1-c7b6966d2516"  # the one delivery of the REST examples


def run(*args: str) -> str:
    out = StringIO()
    call_command("redeliver_github_hooks", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_an_organisation_hook_s_missed_deliveries_are_redelivered(fake_github):
    fake_github.route(
        "GET",
        r"/orgs/acme/hooks/42/deliveries",
        Reply(200, fake_github.fixture("orgs.list-webhook-deliveries.200.json")),
    )
    fake_github.route("POST", r"/orgs/acme/hooks/42/deliveries/\d+/attempts", Reply(202, {}))
    output = run("--org", "acme", "--hook-id", "42", "--since", "2019-06-01")
    (post,) = fake_github.calls("POST", r"/orgs/acme/hooks/42/deliveries/\d+/attempts")
    assert post.path.endswith("/deliveries/123456789/attempts") and post.headers["authorization"] == "token test-token"
    assert f"{GUID} issues/opened: never stored" in output and "organisation acme: 1 of 1" in output


def test_an_organisation_hook_as_the_app_uses_the_organisation_s_installation(fake_github, github_app):
    github_app.install(77, "acme", "acme/api")
    fake_github.route(
        "GET",
        r"/orgs/acme/hooks/42/deliveries",
        Reply(200, fake_github.fixture("orgs.list-webhook-deliveries.200.json")),
    )
    run("--org", "acme", "--hook-id", "42", "--since", "2019-06-01", "--dry-run")
    (listing,) = fake_github.calls("GET", r"/orgs/acme/hooks/42/deliveries")
    assert listing.headers["authorization"].startswith("token ghs_77_")
    assert len(fake_github.calls("GET", r"/orgs/acme/installation")) == 1


def test_the_app_s_own_hook_is_read_and_redelivered_as_the_app(fake_github, github_app):
    fake_github.route(
        "GET", r"/app/hook/deliveries", Reply(200, fake_github.fixture("apps.list-webhook-deliveries.200.json"))
    )
    fake_github.route("POST", r"/app/hook/deliveries/\d+/attempts", Reply(202, {}))
    output = run("--app", "--since", "2019-06-01")
    (post,) = fake_github.calls("POST", r"/app/hook/deliveries/\d+/attempts")
    assert post.path == "/app/hook/deliveries/123456789/attempts"
    assert post.headers["authorization"].startswith("Bearer ")  # the App's JWT, checked by the fake
    assert github_app.refused_jwts == []
    assert "the GitHub App's hook: 1 of 1 deliveries: redelivery requested" in output


def test_the_app_s_hook_skips_what_we_stored(fake_github, github_app):
    fake_github.route(
        "GET", r"/app/hook/deliveries", Reply(200, fake_github.fixture("apps.list-webhook-deliveries.200.json"))
    )
    WebhookDelivery.objects.create(delivery_id=GUID, event="issues", payload={})
    assert "0 of 1 deliveries" in run("--app", "--since", "2019-06-01")
    assert fake_github.calls("POST", r"/app/hook/deliveries/\d+/attempts") == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["acme/api", "--app"], "Name one hook"),
        (["--org", "acme", "--app"], "Name one hook"),
        ([], "Name one hook"),
        (["--org", "acme"], "--hook-id is required"),
        (["--app"], "needs the GitHub App"),
    ],
)
def test_the_hook_must_be_named_once_and_completely(fake_github, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args, "--since", "2019-06-01")
