"""Sign in with GitHub in a real browser, against the fake GitHub: the author of a hotfix PR who had
no account signs in, gets one, and finds the record of their PR waiting for them (SPEC §13)."""

import pytest

from postmortems import services
from postmortems.models import Postmortem
from tests.factories import MergedPullRequestFactory, RepositoryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_author_signs_in_with_github_and_finds_their_record(
    postgres_required, browser, live_server, fake_github, github_oauth, settings, screenshot
):
    settings.GITHUB_SIGNUP = True
    settings.GITHUB_TOKEN = ""
    pr = MergedPullRequestFactory(
        repository=RepositoryFactory(full_name="acme/forecast"),
        number=12,
        title="Hotfix: restore the p50 column",
        author_login="Codertocat",
        is_hotfix=True,
        labels=["hotfix"],
    )
    record, _ = services.postmortem_open_for_hotfix(merged_pr=pr)
    assert record.owner is None

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.click("text=Sign in with GitHub")
    page.wait_for_url(f"{live_server.url}/")  # through the fake GitHub's authorize page and back
    assert fake_github.calls("GET", r"/login/oauth/authorize")
    page.wait_for_selector(f"text=#{record.pk} Hotfix: restore the p50 column")
    screenshot(page, "github-sign-in-inbox")
    context.close()
    assert Postmortem.objects.get(pk=record.pk).owner.github_login == "Codertocat"
