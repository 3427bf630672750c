"""forms/editor.py: the edit page's forms validate and shape; the editor service judges and saves."""

import pytest
from django.test import RequestFactory

from postmortems import services
from postmortems.api.serializers import PostmortemWriteSerializer
from postmortems.forms import PostmortemEditor, PostmortemFieldsForm
from postmortems.models import FailureCategory, Postmortem
from postmortems.workflow import EDITABLE_FIELDS
from tests.factories import MergedPullRequestFactory, PostmortemFactory, PreventionActionFactory

pytestmark = pytest.mark.django_db


def _data(postmortem, **overrides) -> dict:
    data = {
        "pm-title": postmortem.title,
        "pm-repository": postmortem.repository_id or "",
        "pm-team": postmortem.team_id or "",
        "actions-TOTAL_FORMS": "1",
        "actions-INITIAL_FORMS": "0",
        "actions-0-kind": "automation",
    }
    data.update(overrides)
    return data


def _editor(postmortem, user, **overrides) -> PostmortemEditor:
    editor = PostmortemEditor(postmortem, user, _data(postmortem, **overrides))
    assert editor.is_valid(), [f.errors for f in [editor.fields_form, *editor.action_formset.forms]]
    return editor


def test_the_edit_form_and_the_api_take_the_one_list_of_editable_fields(engineer, lead):
    postmortem = PostmortemFactory(owner=engineer)
    lead_form = PostmortemFieldsForm(instance=postmortem, user=lead)
    expected = [name for name in EDITABLE_FIELDS if name != "introduced_by"] + ["introduced_by_number"]
    assert list(lead_form.fields) == expected
    assert list(PostmortemWriteSerializer().fields) == list(EDITABLE_FIELDS)


def test_a_saved_edit_reaches_the_record(engineer):
    postmortem = PostmortemFactory(owner=engineer)
    editor = _editor(postmortem, engineer, **{"pm-title": "Renamed", "actions-0-description": "Add a contract test"})
    assert editor.save() is True
    postmortem.refresh_from_db()
    assert postmortem.title == "Renamed"
    assert postmortem.actions.get().description == "Add a contract test"


def test_reasons_land_next_to_the_field_row_or_step_they_concern(engineer):
    postmortem = PostmortemFactory(owner=engineer)
    step = postmortem.checklist_version.items.first()
    editor = _editor(
        postmortem,
        engineer,
        **{
            "actions-0-description": "Eyeball the dashboard",
            "actions-0-kind": "temporary_mitigation",
            f"item-{step.pk}-status": "skipped",
            "missing-new_items": "y" * 301,
        },
    )
    assert editor.save() is False
    row = editor.action_formset.forms[0]
    assert row.errors["expires_at"] == ["A temporary mitigation needs an expiry date."]
    assert "Keep a missing step under 300 characters." in editor.missing_form.errors["new_items"]
    assert not Postmortem.objects.get(pk=postmortem.pk).actions.exists()


def test_the_introducing_pr_is_found_by_number_in_the_records_repository(engineer):
    postmortem = PostmortemFactory(owner=engineer)
    own = MergedPullRequestFactory(repository=postmortem.repository, number=41)
    MergedPullRequestFactory(number=40)  # another repository's PR
    refused = PostmortemEditor(postmortem, engineer, _data(postmortem, **{"pm-introduced_by_number": "40"}))
    assert not refused.is_valid()
    assert refused.fields_form.errors["introduced_by_number"] == [
        "We have no record of that PR being merged in this repository."
    ]
    assert _editor(postmortem, engineer, **{"pm-introduced_by_number": "41"}).save() is True
    assert Postmortem.objects.get(pk=postmortem.pk).introduced_by == own


def test_the_rules_reason_about_the_introducing_pr_is_shown_on_its_number(engineer):
    editor = PostmortemEditor(PostmortemFactory(owner=engineer), engineer)
    editor.add_reasons({"introduced_by": ["The introducing PR must be a merged PR of this record's repository."]})
    assert editor.fields_form.errors["introduced_by_number"]


def test_an_unassessed_draft_shows_the_checklist_in_force(engineer, lead):
    postmortem = PostmortemFactory(owner=engineer)
    revised = services.checklist_template_revise(
        template=postmortem.checklist_version.template, actor=lead, items=["Compare row counts"]
    )
    editor = PostmortemEditor(postmortem, engineer)
    assert [item.text for item in editor.items] == ["Compare row counts"]
    step = revised.items.get()
    assert _editor(postmortem, engineer, **{f"item-{step.pk}-status": "followed"}).save() is True
    assert Postmortem.objects.get(pk=postmortem.pk).checklist_version == revised


def test_a_retired_category_the_record_has_stays_on_offer(engineer):
    retired = FailureCategory.objects.create(name="Old ways", slug="old-ways", is_active=False)
    postmortem = PostmortemFactory(owner=engineer, category=retired)
    postmortem.contributing_categories.set([retired])
    form = PostmortemFieldsForm(instance=postmortem, user=engineer)
    assert retired in form.fields["category"].queryset
    assert retired in form.fields["contributing_categories"].queryset
    fresh = PostmortemFieldsForm(instance=PostmortemFactory(owner=engineer), user=engineer)
    assert retired not in fresh.fields["contributing_categories"].queryset


def test_an_action_row_of_another_record_is_refused_before_the_service(engineer):
    postmortem = PostmortemFactory(owner=engineer)
    foreign = PreventionActionFactory()
    data = _data(postmortem, **{"actions-0-id": str(foreign.pk), "actions-0-description": "Hijack"})
    editor = PostmortemEditor(postmortem, engineer, data)
    assert not editor.is_valid()
    assert "This action belongs to another record." in editor.action_formset.forms[0].non_field_errors()


def test_the_editor_is_built_from_a_request_like_post(engineer):
    # The view passes request.POST (a QueryDict); the editor must read it as the browser sent it.
    postmortem = PostmortemFactory(owner=engineer)
    request = RequestFactory().post("/", _data(postmortem, **{"pm-title": "From a POST"}))
    editor = PostmortemEditor(postmortem, engineer, request.POST)
    assert editor.is_valid() and editor.save()
    assert Postmortem.objects.get(pk=postmortem.pk).title == "From a POST"
