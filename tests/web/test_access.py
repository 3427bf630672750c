"""Who may open which page: anonymous, owner engineer, other engineer, lead, staff."""

import pytest
from django.urls import reverse

from tests.web.conftest import signed_in

# Every test here touches the database (some through fixtures chosen at run time).
pytestmark = pytest.mark.django_db

RECORD_PAGES = ["postmortem_detail", "postmortem_edit"]
LEAD_PAGES = ["settings_index", "category_list", "checklist_list", "repository_list", "team_list"]
OPEN_PAGES = ["home", "postmortem_list", "postmortem_create", "password_change"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", OPEN_PAGES + LEAD_PAGES)
def test_anonymous_is_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
@pytest.mark.parametrize("name", RECORD_PAGES)
def test_anonymous_is_sent_to_sign_in_from_a_record(client, draft, name):
    response = client.get(reverse(name, args=[draft.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["engineer", "other_engineer", "lead", "staff"])
@pytest.mark.parametrize("name", OPEN_PAGES)
def test_every_signed_in_user_opens_the_common_pages(client, request, who, name):
    user = request.getfixturevalue(who)
    assert signed_in(client, user).get(reverse(name)).status_code == 200


@pytest.mark.parametrize(("who", "status"), [("engineer", 403), ("other_engineer", 403), ("lead", 200), ("staff", 200)])
@pytest.mark.parametrize("name", LEAD_PAGES)
def test_settings_pages_are_for_leads_and_staff(client, request, who, status, name):
    user = request.getfixturevalue(who)
    assert signed_in(client, user).get(reverse(name)).status_code == status


@pytest.mark.parametrize(
    ("who", "detail", "edit"),
    [("engineer", 200, 200), ("other_engineer", 404, 404), ("lead", 200, 200), ("staff", 200, 200)],
)
def test_record_pages_by_role(client, request, draft, who, detail, edit):
    """The other engineer is in no team of the record: it does not exist for them."""
    user = request.getfixturevalue(who)
    client = signed_in(client, user)
    assert client.get(reverse("postmortem_detail", args=[draft.pk])).status_code == detail
    assert client.get(reverse("postmortem_edit", args=[draft.pk])).status_code == edit


def test_a_teammate_sees_the_record_but_cannot_edit_it(client, draft, team, other_engineer):
    team.members.add(other_engineer)
    client = signed_in(client, other_engineer)
    page = client.get(reverse("postmortem_detail", args=[draft.pk]))
    assert page.status_code == 200
    assert reverse("postmortem_edit", args=[draft.pk]) not in page.content.decode()
    assert client.get(reverse("postmortem_edit", args=[draft.pk])).status_code == 403
    assert client.post(reverse("postmortem_submit", args=[draft.pk])).status_code == 403


def test_other_engineer_cannot_post_workflow_moves_on_a_record_they_cannot_see(client, draft, other_engineer):
    client = signed_in(client, other_engineer)
    for name in ("postmortem_submit", "postmortem_approve", "postmortem_request_changes", "postmortem_dismiss"):
        assert client.post(reverse(name, args=[draft.pk])).status_code == 404


def test_workflow_moves_refuse_get(client, draft, engineer):
    assert signed_in(client, engineer).get(reverse("postmortem_submit", args=[draft.pk])).status_code == 405
