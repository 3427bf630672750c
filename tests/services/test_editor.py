"""services/editor.py: the edit page's whole change, kept entirely or not at all."""

from datetime import date

import pytest

from postmortems import services
from postmortems.choices import ActionKind, AssessmentStatus
from postmortems.models import MissingChecklistItem, Postmortem, PreventionAction
from postmortems.services import ActionChange, AssessmentChange
from postmortems.workflow import NotAllowed
from tests.factories import MergedPullRequestFactory, PostmortemFactory, PreventionActionFactory

pytestmark = pytest.mark.django_db


def _action(**values) -> dict:
    return {"description": "Run the downstream jobs in CI", "kind": ActionKind.AUTOMATION, **values}


def test_everything_is_saved_together(engineer):
    postmortem = PostmortemFactory(owner=engineer)
    step = postmortem.checklist_version.items.first()
    reasons = services.postmortem_editor_save(
        postmortem=postmortem,
        actor=engineer,
        fields={"severity": "SEV2"},
        actions=[ActionChange(action=None, values=_action(owner=engineer, due_date=date(2026, 12, 1)))],
        assessments=[AssessmentChange(item=step, status=AssessmentStatus.SKIPPED, would_have_caught=True)],
        missing_add=["Compare row counts with yesterday"],
    )
    assert not reasons
    postmortem.refresh_from_db()
    assert postmortem.severity == "SEV2"
    assert postmortem.actions.get().description == "Run the downstream jobs in CI"
    assert postmortem.gap_kinds == ["skipped", "missing"]


def test_one_refusal_keeps_nothing_and_every_reason_is_sorted_by_section(engineer):
    postmortem = PostmortemFactory(owner=engineer, title="Before")
    kept = PreventionActionFactory(postmortem=postmortem, description="Kept as it was")
    step = postmortem.checklist_version.items.first()
    reasons = services.postmortem_editor_save(
        postmortem=postmortem,
        actor=engineer,
        fields={"title": "After", "introduced_by": MergedPullRequestFactory()},
        actions=[
            ActionChange(action=kept, values={"description": "Changed"}),
            ActionChange(action=None, values=_action(kind=ActionKind.TEMPORARY_MITIGATION)),
        ],
        assessments=[AssessmentChange(item=step, status="sideways")],
        missing_add=["x" * 301],
    )
    assert set(reasons.fields) == {"introduced_by"}
    assert list(reasons.actions) == [1] and set(reasons.actions[1]) == {"expires_at", "replaced_by"}
    assert reasons.checklist == {step.pk: {"status": ["Unknown checklist status 'sideways'."]}}
    assert reasons.missing_items == ["Keep a missing step under 300 characters."]
    stored = Postmortem.objects.get(pk=postmortem.pk)
    assert stored.title == "Before" and postmortem.title == "Before"
    assert PreventionAction.objects.get(pk=kept.pk).description == "Kept as it was"
    assert not postmortem.assessments.exists() and not MissingChecklistItem.objects.exists()


def test_a_removed_row_and_a_withdrawn_step_go(engineer):
    postmortem = PostmortemFactory(owner=engineer)
    gone = PreventionActionFactory(postmortem=postmortem)
    proposed = services.missing_item_add(postmortem=postmortem, actor=engineer, text="Diff the config")
    reasons = services.postmortem_editor_save(
        postmortem=postmortem,
        actor=engineer,
        fields={},
        actions=[ActionChange(action=gone, remove=True), ActionChange(action=None, values=_action(), remove=True)],
        missing_withdraw=[proposed],
    )
    assert not reasons
    assert not postmortem.actions.exists() and not postmortem.missing_items.exists()


def test_someone_who_may_not_edit_is_refused_before_anything(engineer, other_engineer):
    postmortem = PostmortemFactory(owner=engineer, title="Mine")
    with pytest.raises(NotAllowed):
        services.postmortem_editor_save(postmortem=postmortem, actor=other_engineer, fields={"title": "Theirs"})
    assert Postmortem.objects.get(pk=postmortem.pk).title == "Mine"
