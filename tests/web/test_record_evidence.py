"""The record page's deployment story: the suggestion one click takes, timeline lines, the API's timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from postmortems import services
from postmortems.models import Postmortem, TimelineNote
from tests.api.conftest import client_for
from tests.factories import EngineerFactory, MergedPullRequestFactory
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def suspect(draft, repository):
    """A PR the last production deployment before detection brought."""
    pr = MergedPullRequestFactory(repository=repository, number=7, title="Rename the column")
    deployed = pr.merged_at + timedelta(hours=2)
    services.evidence_submit(
        repository=repository,
        external_id="prod-7",
        kind="deployment",
        sha=pr.merge_commit_sha,
        status="success",
        occurred_at=deployed,
        environment="production",
    )
    pr.reached_production_at = deployed
    pr.save()
    Postmortem.objects.filter(pk=draft.pk).update(detected_at=deployed + timedelta(hours=3))
    return pr


def test_the_suggested_pr_is_set_with_one_click(client, draft, engineer, suspect):
    client = signed_in(client, engineer)
    page = client.get(reverse("postmortem_detail", args=[draft.pk])).content.decode()
    assert "Which change broke production?" in page and "Rename the column" in page
    assert reverse("postmortem_set_introduced_by", args=[draft.pk]) in page
    response = client.post(reverse("postmortem_set_introduced_by", args=[draft.pk]), {"merged_pr": suspect.pk})
    assert response.status_code == 302
    assert Postmortem.objects.get(pk=draft.pk).introduced_by == suspect
    page = client.get(reverse("postmortem_detail", args=[draft.pk])).content.decode()
    assert "Which change broke production?" not in page
    assert "Introducing PR #7 merged: Rename the column" in page


def test_someone_who_may_not_edit_sees_no_button_and_cannot_set_it(client, draft, suspect, lead):
    outsider = EngineerFactory()
    draft.team.members.add(outsider)  # sees the record, does not own it
    client = signed_in(client, outsider)
    page = client.get(reverse("postmortem_detail", args=[draft.pk])).content.decode()
    assert "Rename the column" in page
    assert reverse("postmortem_set_introduced_by", args=[draft.pk]) not in page
    response = client.post(reverse("postmortem_set_introduced_by", args=[draft.pk]), {"merged_pr": suspect.pk})
    assert response.status_code == 403
    assert Postmortem.objects.get(pk=draft.pk).introduced_by is None


def test_a_timeline_line_is_added_on_the_page_and_read_in_the_api(client, draft, engineer):
    client = signed_in(client, engineer)
    response = client.post(
        reverse("postmortem_add_timeline_note", args=[draft.pk]),
        {"at": "2026-03-10T09:30", "text": "Paged the data team"},
    )
    assert response.status_code == 302
    assert TimelineNote.objects.get(postmortem=draft).text == "Paged the data team"
    entries = client_for(engineer).get(f"/api/v1/postmortems/{draft.pk}/timeline/").json()
    assert {"kind": "note", "title": "Paged the data team", "url": ""}.items() <= entries[0].items()
    added = client_for(engineer).post(
        f"/api/v1/postmortems/{draft.pk}/timeline/",
        {"at": "2026-03-10T08:00:00Z", "text": "Alert fired"},
        format="json",
    )
    assert added.status_code == 201
    assert [e["title"] for e in added.json()][:2] == ["Alert fired", "Paged the data team"]
    blank = client_for(engineer).post(
        f"/api/v1/postmortems/{draft.pk}/timeline/", {"at": "2026-03-10T08:00:00Z", "text": " "}, format="json"
    )
    assert blank.status_code == 400
