"""The whole story in a real browser: draft from the inbox, refused submit, review, approval."""

import pytest

from postmortems import services
from postmortems.choices import PostmortemStatus
from postmortems.models import FailureCategory, Postmortem
from tests.factories import EngineerFactory, LeadFactory, MergedPullRequestFactory, RepositoryFactory, TeamFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

EVIL_TITLE = "Hotfix <script>window.__pwned = 1</script> forecast columns"


@pytest.fixture
def story(postgres_required, live_server):
    engineer = EngineerFactory(username="eli", first_name="Eli", last_name="Okafor", github_login="eli-gh")
    lead = LeadFactory(username="lena", first_name="Lena", last_name="Lead")
    team = TeamFactory(slug="forecasting", name="Forecasting")
    team.members.add(engineer)
    repository = RepositoryFactory(full_name="acme/forecast", team=team)
    pr = MergedPullRequestFactory(
        repository=repository, number=7, title=EVIL_TITLE, author_login="eli-gh", is_hotfix=True, labels=["hotfix"]
    )
    postmortem, created = services.postmortem_open_for_hotfix(merged_pr=pr)
    assert created
    return {"engineer": engineer, "lead": lead, "pm": postmortem}


def _fill_the_draft(page, story):
    pm = story["pm"]
    category = FailureCategory.objects.get(slug="untested-downstream-dependency")
    page.select_option("#id_pm-severity", "SEV2")
    page.fill("#id_pm-detected_at", "2026-03-10T07:00")
    page.fill("#id_pm-resolved_at", "2026-03-10T12:00")
    page.select_option("#id_pm-detection_method", "manual_check")
    page.select_option("#id_pm-caught_in", "staging")
    page.select_option("#id_pm-trigger", "schema")
    page.fill("#id_pm-summary", "The replenishment job read a **renamed** column and ordered nothing.")
    page.fill("#id_pm-impact", "Stores received no replenishment orders for one day.")
    page.fill("#id_pm-root_cause", "Forecast renamed `p50`; downstream jobs were never run end-to-end in staging.")
    page.select_option("#id_pm-category", str(category.pk))
    page.fill("#id_actions-0-description", "Run every downstream job in staging in CI before release")
    page.select_option("#id_actions-0-kind", "automation")
    page.select_option("#id_actions-0-owner", str(story["engineer"].pk))
    page.fill("#id_actions-0-due_date", "2026-12-15")
    for item in pm.checklist_version.items.all():
        page.select_option(f"#id_item-{item.pk}-status", "followed")
    page.fill("#id_missing-new_items", "Compare output row counts with the previous run")


def test_engineer_files_lead_reviews_and_approves(sign_in, live_server, story, screenshot):
    pm = story["pm"]
    eli = sign_in("eli")
    screenshot(eli, "01-inbox")
    eli.click(f"a[href='/postmortems/{pm.pk}/']")
    eli.wait_for_url(f"{live_server.url}/postmortems/{pm.pk}/")
    # GitHub's PR title is shown as text, never run.
    assert EVIL_TITLE in eli.locator(".pr-title").first.inner_text()
    assert eli.evaluate("window.__pwned") is None
    screenshot(eli, "02-record-draft")

    eli.click("text=Submit for review")
    assert eli.locator(".errorbox").first.is_visible()
    assert "Explain the root cause in at least 40 characters." in eli.content()
    assert "Add at least one prevention action with an owner and a due date." in eli.content()
    screenshot(eli, "03-submit-refused")

    _fill_the_draft(eli, story)
    screenshot(eli, "04-edit-form")
    eli.click("button[name=save_submit]")
    eli.wait_for_url(f"{live_server.url}/postmortems/{pm.pk}/")
    assert "Submitted for review." in eli.content()
    assert Postmortem.objects.get(pk=pm.pk).status == PostmortemStatus.IN_REVIEW

    lena = sign_in("lena")
    assert f"#{pm.pk}" in lena.locator("#h-review + ul").inner_text()
    lena.goto(f"{live_server.url}/postmortems/{pm.pk}/")
    lena.click("summary:has-text('Request changes')")
    lena.fill("#id_comment", "Eyeballing caught it: add a monitoring check that replaces the eyeball.")
    lena.click("text=Send back to the owner")
    assert "Sent back to the owner" in lena.content()
    screenshot(lena, "05-changes-requested")

    eli.goto(f"{live_server.url}/postmortems/{pm.pk}/edit/")
    assert "Save and submit for review" in eli.content()
    eli.fill("#id_actions-1-description", "Alert when replenishment orders drop by half")
    eli.select_option("#id_actions-1-kind", "monitoring")
    eli.select_option("#id_actions-1-owner", str(story["engineer"].pk))
    eli.fill("#id_actions-1-due_date", "2026-12-20")
    eli.click("button[name=save_submit]")
    eli.wait_for_url(f"{live_server.url}/postmortems/{pm.pk}/")
    assert "Submitted for review." in eli.content()

    lena.goto(f"{live_server.url}/postmortems/{pm.pk}/")
    lena.click("button:has-text('Approve')")
    assert "This record is read-only" in lena.content()
    screenshot(lena, "06-approved")

    eli.goto(f"{live_server.url}/postmortems/{pm.pk}/")
    assert eli.locator(f"a[href='/postmortems/{pm.pk}/edit/']").count() == 0
    assert eli.locator("text=Submit for review").count() == 0
    eli.goto(f"{live_server.url}/postmortems/{pm.pk}/edit/")
    assert "403" in eli.title() or "Forbidden" in eli.content() or eli.locator("form.edit-form").count() == 0
    record = Postmortem.objects.get(pk=pm.pk)
    assert record.status == PostmortemStatus.APPROVED
    assert record.actions.count() == 2

    for name, path in [("07-list", "/postmortems/?status=approved"), ("08-settings", "/settings/categories/")]:
        lena.goto(f"{live_server.url}{path}")
        screenshot(lena, name)
    lena.set_viewport_size({"width": 390, "height": 844})
    lena.goto(f"{live_server.url}/postmortems/{pm.pk}/")
    screenshot(lena, "09-record-phone")
    # Nothing was blocked by the Content-Security-Policy, and no script failed.
    assert sign_in.problems == []
