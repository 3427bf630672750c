"""The record page, the edit form, creating by hand and linking PRs."""

from datetime import timedelta

import pytest
from django.urls import reverse

from postmortems import services
from postmortems.choices import ActionKind, PostmortemStatus
from postmortems.models import HotfixPullRequest, Postmortem, PreventionAction
from tests.factories import (
    BASE_TIME,
    CompletePostmortemFactory,
    MergedPullRequestFactory,
    PreventionActionFactory,
    ready_to_submit,
)
from tests.web.conftest import signed_in

# Every test here touches the database (some through fixtures chosen at run time).
pytestmark = pytest.mark.django_db


def _edit_data(postmortem, **overrides):
    """A full POST of the edit page as the browser would send it for an untouched record."""
    data = {
        "pm-title": postmortem.title,
        "pm-severity": postmortem.severity,
        "pm-summary": postmortem.summary,
        "pm-impact": postmortem.impact,
        "pm-detected_at": "",
        "pm-resolved_at": "",
        "pm-detection_method": postmortem.detection_method,
        "pm-caught_in": postmortem.caught_in,
        "pm-trigger": postmortem.trigger,
        "pm-root_cause": postmortem.root_cause,
        "pm-category": postmortem.category_id or "",
        "pm-repository": postmortem.repository_id or "",
        "pm-team": postmortem.team_id or "",
        "actions-TOTAL_FORMS": "2",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "1000",
        "actions-0-kind": "automation",
        "actions-1-kind": "automation",
        "missing-new_items": "",
    }
    data.update(overrides)
    return data


def test_record_shows_pr_fields_and_only_the_owners_buttons(client, draft, engineer):
    page = signed_in(client, engineer).get(reverse("postmortem_detail", args=[draft.pk])).content.decode()
    assert "acme/forecast#42" in page
    assert "https://github.com/acme/forecast/pull/42" in page
    assert "Submit for review" in page
    assert reverse("postmortem_edit", args=[draft.pk]) in page
    assert reverse("postmortem_approve", args=[draft.pk]) not in page
    assert reverse("postmortem_request_changes", args=[draft.pk]) not in page
    assert reverse("postmortem_dismiss", args=[draft.pk]) not in page
    assert "GitHub write-back: comment <strong>Not sent</strong>" in page


def test_github_text_is_escaped_everywhere_on_the_record(client, draft, engineer):
    page = signed_in(client, engineer).get(reverse("postmortem_detail", args=[draft.pk])).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;pr&#x27;)&lt;/script&gt;" in page
    assert "&lt;b&gt;urgent&lt;/b&gt;" in page
    assert "<img src=x>" not in page


def test_markdown_fields_are_rendered_and_sanitised(client, engineer, repository):
    pm = CompletePostmortemFactory(
        owner=engineer,
        repository=repository,
        summary='**Bold** and <script>alert(1)</script> <a href="javascript:alert(1)" onclick="x()">link</a>',
        root_cause="A `column` was renamed <img src=x onerror=alert(1)> and nothing ran downstream in staging.",
    )
    page = signed_in(client, engineer).get(reverse("postmortem_detail", args=[pm.pk])).content.decode()
    assert "<strong>Bold</strong>" in page
    assert "<code>column</code>" in page
    assert "<script>alert(1)" not in page
    assert "onerror" not in page
    assert "onclick" not in page
    assert "javascript:" not in page


def test_lead_sees_review_buttons_on_a_record_in_review(client, engineer, lead, repository):
    pm = ready_to_submit(owner=engineer, repository=repository)
    services.postmortem_submit(postmortem=pm, actor=engineer)
    page = signed_in(client, lead).get(reverse("postmortem_detail", args=[pm.pk])).content.decode()
    assert reverse("postmortem_approve", args=[pm.pk]) in page
    assert reverse("postmortem_request_changes", args=[pm.pk]) in page
    assert reverse("postmortem_dismiss", args=[pm.pk]) in page
    assert reverse("postmortem_submit", args=[pm.pk]) not in page
    assert reverse("postmortem_edit", args=[pm.pk]) not in page


def test_record_shows_history_with_who_changed_what(client, draft, engineer):
    services.postmortem_update(postmortem=draft, actor=engineer, severity="SEV2", summary="Now summarised")
    page = signed_in(client, engineer).get(reverse("postmortem_detail", args=[draft.pk])).content.decode()
    assert "owner-engineer · Record changed: severity, summary" in page


def test_recurred_despite_prevention_banner(client, engineer, lead, repository):
    prior = ready_to_submit(owner=engineer, repository=repository, anchor_at=BASE_TIME - timedelta(days=30))
    PreventionAction.objects.filter(postmortem=prior).update(
        status="done", completed_at=BASE_TIME - timedelta(days=29), evidence_url="https://ci.example/1"
    )
    pm = ready_to_submit(owner=engineer, repository=repository)
    services.postmortem_submit(postmortem=pm, actor=engineer)
    page = signed_in(client, engineer).get(reverse("postmortem_detail", args=[pm.pk])).content.decode()
    assert "Recurred despite prevention." in page
    assert f"#{prior.pk} {prior.title}" in page


def test_edit_saves_fields_actions_checklist_and_missing_items(client, draft, engineer, lead):
    item = draft.checklist_version.items.first()
    data = _edit_data(
        draft,
        **{
            "pm-severity": "SEV2",
            "actions-0-description": "Run downstream jobs in staging in CI",
            "actions-0-kind": "automation",
            "actions-0-owner": str(engineer.pk),
            "actions-0-due_date": "2026-12-01",
            f"item-{item.pk}-status": "skipped",
            f"item-{item.pk}-would_have_caught": "yes",
            "missing-new_items": "Compare row counts with yesterday",
        },
    )
    response = signed_in(client, engineer).post(reverse("postmortem_edit", args=[draft.pk]), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.severity == "SEV2"
    assert draft.actions.get().description == "Run downstream jobs in staging in CI"
    assessment = draft.assessments.get()
    assert (assessment.status, assessment.would_have_caught) == ("skipped", True)
    assert draft.missing_items.get().text == "Compare row counts with yesterday"
    assert draft.gap_kinds == ["skipped", "missing"]


def test_refused_edit_keeps_the_form_and_saves_nothing(client, draft, engineer):
    data = _edit_data(
        draft,
        **{
            "pm-title": "A better title",
            "actions-0-description": "Eyeball the dashboard after each run",
            "actions-0-kind": ActionKind.TEMPORARY_MITIGATION,
            "actions-0-owner": str(engineer.pk),
            "actions-0-due_date": "2026-12-01",
        },
    )
    response = signed_in(client, engineer).post(reverse("postmortem_edit", args=[draft.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "A temporary mitigation needs an expiry date." in page
    assert 'value="A better title"' in page
    assert "Eyeball the dashboard after each run" in page
    draft.refresh_from_db()
    assert draft.title != "A better title"
    assert not draft.actions.exists()


def test_edit_can_remove_an_action(client, engineer, repository):
    pm = CompletePostmortemFactory(owner=engineer, repository=repository)
    action = PreventionActionFactory(postmortem=pm)
    data = _edit_data(
        pm,
        **{
            "actions-TOTAL_FORMS": "3",
            "actions-INITIAL_FORMS": "1",
            "actions-0-id": str(action.pk),
            "actions-0-description": action.description,
            "actions-0-kind": action.kind,
            "actions-0-owner": str(engineer.pk),
            "actions-0-DELETE": "on",
            "actions-2-kind": "automation",
        },
    )
    response = signed_in(client, engineer).post(reverse("postmortem_edit", args=[pm.pk]), data)
    assert response.status_code == 302
    assert not PreventionAction.objects.filter(pk=action.pk).exists()


def test_save_and_submit_of_an_empty_draft_shows_every_reason(client, draft, engineer):
    response = signed_in(client, engineer).post(
        reverse("postmortem_edit", args=[draft.pk]), _edit_data(draft, save_submit="1")
    )
    assert response.status_code == 400
    page = response.content.decode()
    for reason in (
        "Choose a severity.",
        "Summarise what happened.",
        "Explain the root cause in at least 40 characters.",
        "Choose a failure category.",
        "Add at least one prevention action with an owner and a due date.",
        "Assess the step",
    ):
        assert reason in page
    draft.refresh_from_db()
    assert draft.status == PostmortemStatus.DRAFT


def test_approved_record_is_read_only(client, engineer, lead, repository):
    pm = ready_to_submit(owner=engineer, repository=repository)
    services.postmortem_submit(postmortem=pm, actor=engineer)
    services.postmortem_approve(postmortem=pm, actor=lead)
    client = signed_in(client, engineer)
    page = client.get(reverse("postmortem_detail", args=[pm.pk])).content.decode()
    assert "This record is read-only" in page
    assert "Submit for review" not in page
    assert "Change status" in page  # actions stay movable
    assert client.get(reverse("postmortem_edit", args=[pm.pk])).status_code == 403
    assert client.post(reverse("postmortem_edit", args=[pm.pk]), _edit_data(pm)).status_code == 403


def test_create_by_hand_then_edit(client, engineer, repository):
    response = signed_in(client, engineer).post(
        reverse("postmortem_create"), {"title": "Dashboard showed stale numbers", "repository": repository.pk}
    )
    pm = Postmortem.objects.get(title="Dashboard showed stale numbers")
    assert response["Location"] == reverse("postmortem_edit", args=[pm.pk])
    assert pm.owner == engineer
    assert pm.status == PostmortemStatus.DRAFT


def test_create_without_title_is_refused(client, engineer):
    response = signed_in(client, engineer).post(reverse("postmortem_create"), {"title": "  "})
    assert response.status_code == 400
    assert not Postmortem.objects.exists()


def test_link_another_hotfix_pr_merges_its_empty_draft(client, draft, lead, repository):
    # Taking a PR from its own draft dismisses that draft: a lead's move (SPEC §8).
    other_pr = MergedPullRequestFactory(repository=repository, number=43, is_hotfix=True)
    other, _ = services.postmortem_open_for_hotfix(merged_pr=other_pr)
    response = signed_in(client, lead).post(
        reverse("postmortem_link_hotfix", args=[draft.pk]), {"repository": repository.pk, "number": 43}
    )
    assert response.status_code == 302
    assert HotfixPullRequest.objects.get(merged_pr=other_pr).postmortem == draft
    other.refresh_from_db()
    assert other.status == PostmortemStatus.DISMISSED


def test_link_unknown_pr_shows_the_reason(client, draft, engineer, repository):
    response = signed_in(client, engineer).post(
        reverse("postmortem_link_hotfix", args=[draft.pk]), {"repository": repository.pk, "number": 999}
    )
    assert response.status_code == 400
    assert "We have no record of that PR" in response.content.decode()


def test_record_page_query_count_does_not_grow_with_actions_and_history(
    client, engineer, lead, repository, django_assert_max_num_queries
):
    pm = CompletePostmortemFactory(owner=engineer, repository=repository)
    PreventionActionFactory(postmortem=pm)
    client = signed_in(client, lead)
    url = reverse("postmortem_detail", args=[pm.pk])
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for i in range(12):
        action = PreventionActionFactory(postmortem=pm, description=f"More {i}")
        services.action_update(action=action, actor=engineer, description=f"Changed {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_edit_form_asks_effort_and_action_estimates_and_the_record_shows_them(client, draft, engineer):
    data = _edit_data(
        draft,
        **{
            "pm-effort_hours": "6.5",
            "actions-0-description": "Run downstream jobs in staging in CI",
            "actions-0-kind": "automation",
            "actions-0-owner": str(engineer.pk),
            "actions-0-due_date": "2026-12-01",
            "actions-0-estimate_hours": "24",
        },
    )
    page = signed_in(client, engineer)
    form = page.get(reverse("postmortem_edit", args=[draft.pk])).content.decode()
    assert 'name="pm-effort_hours"' in form and 'name="actions-0-estimate_hours"' in form
    assert page.post(reverse("postmortem_edit", args=[draft.pk]), data).status_code == 302
    draft.refresh_from_db()
    assert draft.effort_hours == 6.5 and draft.actions.get().estimate_hours == 24
    detail = page.get(reverse("postmortem_detail", args=[draft.pk])).content.decode()
    assert "<dt>Effort (engineer-hours)</dt><dd>6.5</dd>" in detail and "estimate 24.0 h" in detail
