"""The inbox and the records list: content, filters in the URL, and query counts that do not grow."""

import importlib
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from postmortems import services
from postmortems.choices import ActionKind
from postmortems.models import FailureCategory
from tests.factories import (
    BASE_TIME,
    CompletePostmortemFactory,
    PostmortemFactory,
    PreventionActionFactory,
    RepositoryFactory,
    ready_to_submit,
)
from tests.web.conftest import signed_in

# Every test here touches the database (some through fixtures chosen at run time).
pytestmark = pytest.mark.django_db


def test_inbox_lists_overdue_first_with_how_overdue(client, engineer, repository, overdue_draft):
    PostmortemFactory(owner=engineer, repository=repository, title="Due next week")
    page = signed_in(client, engineer).get(reverse("home")).content.decode()
    assert "overdue by 3" in page
    assert "due in " in page
    assert page.index("Overdue write-up") < page.index("Due next week")


def test_inbox_shows_the_leads_review_queue_only_to_leads(client, engineer, lead, repository):
    pm = ready_to_submit(owner=engineer, repository=repository, title="Waiting for a lead")
    services.postmortem_submit(postmortem=pm, actor=engineer)
    assert "Waiting for a lead" in signed_in(client, lead).get(reverse("home")).content.decode()
    other_page = signed_in(client, engineer).get(reverse("home")).content.decode()
    assert "Waiting for your review" not in other_page


def test_inbox_shows_my_actions_and_expiring_mitigations(client, engineer, repository):
    pm = CompletePostmortemFactory(owner=engineer, repository=repository)
    permanent = PreventionActionFactory(postmortem=pm, description="Automate the dashboard check", owner=engineer)
    PreventionActionFactory(
        postmortem=pm,
        description="Eyeball the dashboard after each run",
        kind=ActionKind.TEMPORARY_MITIGATION,
        expires_at=timezone.localdate() + timedelta(days=3),
        replaced_by=permanent,
        owner=engineer,
    )
    page = signed_in(client, engineer).get(reverse("home")).content.decode()
    assert "Automate the dashboard check" in page
    assert "Temporary mitigations about to expire" in page
    assert "to be replaced by “Automate the dashboard check”" in page
    assert reverse("action_status", args=[permanent.pk]) in page


def _many(engineer, repository, n):
    for i in range(n):
        pm = CompletePostmortemFactory(owner=engineer, repository=repository, title=f"Bulk {i}")
        PreventionActionFactory(postmortem=pm, owner=engineer)
        pm.contributing_categories.add(FailureCategory.objects.first())


def test_inbox_query_count_does_not_grow(client, engineer, lead, repository, django_assert_max_num_queries):
    client = signed_in(client, engineer)
    _many(engineer, repository, 2)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("home"))
    _many(engineer, repository, 20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("home")).status_code == 200


def test_list_query_count_does_not_grow(client, engineer, other_engineer, repository, django_assert_max_num_queries):
    _many(engineer, repository, 2)
    for user in (engineer, other_engineer):
        client = signed_in(client, user)
        with django_assert_max_num_queries(14) as few:
            client.get(reverse("postmortem_list"))
        _many(engineer, repository, 30)
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert client.get(reverse("postmortem_list") + "?sort=due&page=2").status_code == 200


def test_list_filters_search_and_keeps_state_in_the_url(client, lead, engineer, repository):
    other_repo = RepositoryFactory(full_name="acme/other")
    CompletePostmortemFactory(owner=engineer, repository=repository, title="Forecast empty", severity="SEV1")
    CompletePostmortemFactory(owner=engineer, repository=other_repo, title="Other thing", severity="SEV3")
    PostmortemFactory(
        owner=engineer, repository=repository, title="Late one", due_at=timezone.now() - timedelta(days=1)
    )
    client = signed_in(client, lead)
    page = client.get(reverse("postmortem_list"), {"repository": "acme/forecast", "severity": "SEV1"}).content.decode()
    assert "Forecast empty" in page and "Other thing" not in page and "Late one" not in page
    page = client.get(reverse("postmortem_list"), {"overdue": "true"}).content.decode()
    assert "Late one" in page and "Forecast empty" not in page
    page = client.get(reverse("postmortem_list"), {"q": "renamed column"}).content.decode()
    assert "Forecast empty" in page  # found in the root cause
    assert "Late one" not in page
    month = BASE_TIME.strftime("%Y-%m")
    page = client.get(reverse("postmortem_list"), {"month": month, "category": "untested-downstream-dependency"})
    assert "Forecast empty" in page.content.decode()
    assert "Other thing" in page.content.decode()


def test_list_paginates_and_keeps_filters_in_page_links(client, lead, engineer, repository):
    for i in range(27):
        PostmortemFactory(owner=engineer, repository=repository, title=f"Row {i}", severity="SEV2")
    page = signed_in(client, lead).get(reverse("postmortem_list"), {"severity": "SEV2"}).content.decode()
    assert "27 records" in page
    assert "Page 1 of 2" in page
    assert "?severity=SEV2&amp;page=2" in page


def test_list_hides_records_the_engineer_may_not_see(client, other_engineer, draft):
    page = signed_in(client, other_engineer).get(reverse("postmortem_list")).content.decode()
    assert draft.title not in page
    assert "0 records" in page


def test_bad_month_filter_shows_nothing_not_an_error(client, lead, draft):
    response = signed_in(client, lead).get(reverse("postmortem_list"), {"month": "2026-13"})
    assert response.status_code == 200
    assert "0 records" in response.content.decode()


def test_inbox_shows_the_most_urgent_rows_and_links_to_the_rest(client, engineer, repository, monkeypatch):
    # A cap small enough for a few records; set on the module, not on the view function that
    # `postmortems.views` re-exports under the same name.
    monkeypatch.setattr(importlib.import_module("postmortems.views.inbox"), "SECTION_ROWS", 3)
    for i in range(4):
        PostmortemFactory(owner=engineer, repository=repository, title=f"Open {i}", due_at=BASE_TIME + timedelta(i))
    page = signed_in(client, engineer).get(reverse("home")).content.decode()
    assert "Open 0" in page and "Open 2" in page and "Open 3" not in page
    assert f"{reverse('postmortem_list')}?owner={engineer.username}&amp;sort=due" in page


def test_list_filters_by_owner(client, lead, engineer, other_engineer, repository):
    CompletePostmortemFactory(owner=engineer, repository=repository, title="Mine to write")
    CompletePostmortemFactory(owner=other_engineer, repository=repository, title="Someone else's")
    page = signed_in(client, lead).get(reverse("postmortem_list"), {"owner": engineer.username}).content.decode()
    assert "Mine to write" in page and "Someone else's" not in page
