"""Every rule of SPEC §3, each with a test that fails when the rule is removed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from postmortems import services
from postmortems.choices import ActionKind, ActionStatus, AssessmentStatus, PostmortemStatus
from postmortems.models import ChecklistAssessment, Postmortem
from postmortems.workflow import NotAllowed, WorkflowError
from tests.factories import (
    CompletePostmortemFactory,
    PostmortemFactory,
    PreventionActionFactory,
    assess_all,
    ready_to_submit,
)

pytestmark = pytest.mark.django_db


def submit_reasons(postmortem: Postmortem, actor) -> dict[str, list[str]]:
    with pytest.raises(WorkflowError) as caught:
        services.postmortem_submit(postmortem=postmortem, actor=actor)
    return caught.value.reasons


def test_ready_draft_submits_and_enters_review(engineer):
    postmortem = ready_to_submit(owner=engineer)
    services.postmortem_submit(postmortem=postmortem, actor=engineer)
    postmortem.refresh_from_db()
    assert postmortem.status == PostmortemStatus.IN_REVIEW
    assert postmortem.submitted_at is not None


def test_empty_draft_lists_every_missing_requirement(engineer):
    postmortem = PostmortemFactory(owner=engineer)
    reasons = submit_reasons(postmortem, engineer)
    for field in (
        "severity",
        "summary",
        "impact",
        "detected_at",
        "resolved_at",
        "detection_method",
        "trigger",
        "root_cause",
        "category",
        "actions",
        "checklist",
    ):
        assert field in reasons, field
    assert Postmortem.objects.get(pk=postmortem.pk).status == PostmortemStatus.DRAFT


@pytest.mark.parametrize(
    "field, blank",
    [
        ("title", ""),
        ("severity", ""),
        ("summary", "  "),
        ("impact", ""),
        ("detected_at", None),
        ("resolved_at", None),
        ("detection_method", ""),
        ("trigger", ""),
    ],
)
def test_submit_requires_each_field(engineer, field, blank):
    postmortem = ready_to_submit(owner=engineer)
    Postmortem.objects.filter(pk=postmortem.pk).update(**{field: blank})
    assert field in submit_reasons(postmortem, engineer)


def test_submit_requires_detection_not_after_resolution(engineer):
    postmortem = ready_to_submit(owner=engineer)
    with pytest.raises(WorkflowError) as caught:
        services.postmortem_update(
            postmortem=postmortem, actor=engineer, detected_at=postmortem.resolved_at + timedelta(minutes=1)
        )
    assert "resolved_at" in caught.value.reasons


def test_root_cause_needs_forty_characters(engineer):
    postmortem = ready_to_submit(owner=engineer, root_cause="x" * 39)
    assert "root_cause" in submit_reasons(postmortem, engineer)
    Postmortem.objects.filter(pk=postmortem.pk).update(root_cause="  " + "x" * 40 + "  ")
    services.postmortem_submit(postmortem=postmortem, actor=engineer)


def test_submit_requires_a_failure_category(engineer):
    postmortem = ready_to_submit(owner=engineer, category=None)
    assert "category" in submit_reasons(postmortem, engineer)


def test_submit_requires_an_action_with_owner_and_due_date(engineer):
    postmortem = CompletePostmortemFactory(owner=engineer)
    assess_all(postmortem)
    PreventionActionFactory(postmortem=postmortem, owner=None)
    assert "actions" in submit_reasons(postmortem, engineer)


def test_wont_do_action_does_not_count(engineer):
    postmortem = CompletePostmortemFactory(owner=engineer)
    assess_all(postmortem)
    PreventionActionFactory(postmortem=postmortem, status=ActionStatus.WONT_DO, wont_do_reason="too costly")
    reasons = submit_reasons(postmortem, engineer)
    assert any("at least one prevention action" in m for m in reasons["actions"])


def test_submit_requires_every_checklist_step_assessed(engineer):
    postmortem = ready_to_submit(owner=engineer)
    ChecklistAssessment.objects.filter(postmortem=postmortem).first().delete()
    assert "checklist" in submit_reasons(postmortem, engineer)


def test_skipped_step_must_say_whether_it_would_have_caught_it(engineer):
    postmortem = ready_to_submit(owner=engineer)
    ChecklistAssessment.objects.filter(postmortem=postmortem).update(
        status=AssessmentStatus.SKIPPED, would_have_caught=None
    )
    assert "checklist" in submit_reasons(postmortem, engineer)


def test_submit_requires_replacement_for_manual_check(engineer):
    postmortem = CompletePostmortemFactory(owner=engineer, detection_method="manual_check")
    assess_all(postmortem)
    PreventionActionFactory(postmortem=postmortem, kind=ActionKind.DOCUMENTATION)
    reasons = submit_reasons(postmortem, engineer)
    assert any("replaces the manual check" in m for m in reasons["actions"])
    PreventionActionFactory(postmortem=postmortem, kind=ActionKind.MONITORING)
    services.postmortem_submit(postmortem=postmortem, actor=engineer)


def test_only_owner_or_lead_submits(engineer, other_engineer, lead):
    postmortem = ready_to_submit(owner=engineer)
    with pytest.raises(NotAllowed):
        services.postmortem_submit(postmortem=postmortem, actor=other_engineer)
    services.postmortem_submit(postmortem=postmortem, actor=lead)


def test_submit_only_from_draft(engineer):
    postmortem = ready_to_submit(owner=engineer)
    services.postmortem_submit(postmortem=postmortem, actor=engineer)
    with pytest.raises(WorkflowError) as caught:
        services.postmortem_submit(postmortem=postmortem, actor=engineer)
    assert "status" in caught.value.reasons


def _in_review(owner):
    postmortem = ready_to_submit(owner=owner)
    return services.postmortem_submit(postmortem=postmortem, actor=owner)


def test_lead_approves_and_record_becomes_read_only(engineer, lead):
    postmortem = _in_review(engineer)
    services.postmortem_approve(postmortem=postmortem, actor=lead)
    postmortem.refresh_from_db()
    assert postmortem.status == PostmortemStatus.APPROVED
    assert postmortem.approved_at and postmortem.reviewer == lead
    with pytest.raises(NotAllowed):
        services.postmortem_update(postmortem=postmortem, actor=engineer, summary="changed")
    with pytest.raises(NotAllowed):
        services.postmortem_update(postmortem=postmortem, actor=lead, summary="changed")


def test_engineer_cannot_approve(engineer, other_engineer):
    postmortem = _in_review(engineer)
    with pytest.raises(NotAllowed):
        services.postmortem_approve(postmortem=postmortem, actor=other_engineer)


def test_lead_cannot_approve_own_postmortem(lead):
    postmortem = _in_review(lead)
    with pytest.raises(NotAllowed, match="your own"):
        services.postmortem_approve(postmortem=postmortem, actor=lead)


def test_staff_counts_as_lead(engineer, staff):
    postmortem = _in_review(engineer)
    services.postmortem_approve(postmortem=postmortem, actor=staff)
    assert Postmortem.objects.get(pk=postmortem.pk).status == PostmortemStatus.APPROVED


def test_cannot_approve_a_draft(engineer, lead):
    postmortem = ready_to_submit(owner=engineer)
    with pytest.raises(WorkflowError):
        services.postmortem_approve(postmortem=postmortem, actor=lead)


def test_request_changes_needs_a_comment_and_returns_to_draft(engineer, lead):
    postmortem = _in_review(engineer)
    with pytest.raises(WorkflowError) as caught:
        services.postmortem_request_changes(postmortem=postmortem, actor=lead, comment="  ")
    assert "comment" in caught.value.reasons
    services.postmortem_request_changes(postmortem=postmortem, actor=lead, comment="Dig one level deeper.")
    postmortem.refresh_from_db()
    assert postmortem.status == PostmortemStatus.DRAFT
    assert postmortem.review_events.last().comment == "Dig one level deeper."
    services.postmortem_update(postmortem=postmortem, actor=engineer, summary="Deeper summary.")


def test_engineer_cannot_request_changes(engineer, other_engineer):
    postmortem = _in_review(engineer)
    with pytest.raises(NotAllowed):
        services.postmortem_request_changes(postmortem=postmortem, actor=other_engineer, comment="no")


def test_dismiss_needs_a_lead_and_a_reason(engineer, lead):
    postmortem = PostmortemFactory(owner=engineer)
    with pytest.raises(NotAllowed):
        services.postmortem_dismiss(postmortem=postmortem, actor=engineer, reason="not a hotfix")
    with pytest.raises(WorkflowError) as caught:
        services.postmortem_dismiss(postmortem=postmortem, actor=lead, reason="")
    assert "reason" in caught.value.reasons
    services.postmortem_dismiss(postmortem=postmortem, actor=lead, reason="A planned release, not a hotfix.")
    postmortem.refresh_from_db()
    assert postmortem.status == PostmortemStatus.DISMISSED
    assert postmortem.dismissal_reason == "A planned release, not a hotfix."


def test_approved_record_cannot_be_dismissed(engineer, lead):
    postmortem = _in_review(engineer)
    services.postmortem_approve(postmortem=postmortem, actor=lead)
    with pytest.raises(WorkflowError):
        services.postmortem_dismiss(postmortem=postmortem, actor=lead, reason="late")


def test_engineer_edits_only_own_drafts(engineer, other_engineer, lead):
    postmortem = PostmortemFactory(owner=engineer)
    with pytest.raises(NotAllowed):
        services.postmortem_update(postmortem=postmortem, actor=other_engineer, summary="mine now")
    services.postmortem_update(postmortem=postmortem, actor=engineer, summary="by owner")
    services.postmortem_update(postmortem=postmortem, actor=lead, summary="by lead")


def test_in_review_record_is_not_editable(engineer):
    postmortem = _in_review(engineer)
    with pytest.raises(NotAllowed):
        services.postmortem_update(postmortem=postmortem, actor=engineer, summary="sneaky")


def test_only_a_lead_reassigns(engineer, other_engineer, lead):
    postmortem = PostmortemFactory(owner=engineer)
    with pytest.raises(WorkflowError):
        services.postmortem_update(postmortem=postmortem, actor=engineer, owner=other_engineer)
    services.postmortem_update(postmortem=postmortem, actor=lead, owner=other_engineer)
    assert Postmortem.objects.get(pk=postmortem.pk).owner == other_engineer


def test_action_status_changes_after_approval(engineer, lead):
    postmortem = _in_review(engineer)
    services.postmortem_approve(postmortem=postmortem, actor=lead)
    action = postmortem.actions.get()
    services.action_complete(action=action, actor=engineer, evidence_url="https://github.com/acme/x/pull/9")
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.completed_at is not None
    with pytest.raises(NotAllowed):
        services.action_update(action=action, actor=engineer, description="rewritten")


def test_other_engineer_cannot_change_action_status(engineer, other_engineer):
    action = PreventionActionFactory(postmortem=PostmortemFactory(owner=engineer))
    with pytest.raises(NotAllowed):
        services.action_set_status(action=action, actor=other_engineer, status=ActionStatus.IN_PROGRESS)


@pytest.mark.parametrize("kind", ["test", "automation", "monitoring", "checklist"])
def test_done_needs_evidence_for_provable_kinds(engineer, kind):
    action = PreventionActionFactory(postmortem=PostmortemFactory(owner=engineer), kind=kind)
    with pytest.raises(WorkflowError) as caught:
        services.action_complete(action=action, actor=engineer)
    assert "evidence_url" in caught.value.reasons


def test_done_process_action_needs_no_evidence(engineer):
    action = PreventionActionFactory(postmortem=PostmortemFactory(owner=engineer), kind=ActionKind.PROCESS)
    services.action_complete(action=action, actor=engineer)


def test_wont_do_needs_a_reason(engineer):
    action = PreventionActionFactory(postmortem=PostmortemFactory(owner=engineer))
    with pytest.raises(WorkflowError) as caught:
        services.action_set_status(action=action, actor=engineer, status=ActionStatus.WONT_DO)
    assert "wont_do_reason" in caught.value.reasons
    services.action_set_status(
        action=action,
        actor=engineer,
        status=ActionStatus.WONT_DO,
        wont_do_reason="Superseded by the platform migration.",
    )


def test_temporary_mitigation_needs_expiry_and_replacement(engineer):
    postmortem = PostmortemFactory(owner=engineer)
    with pytest.raises(WorkflowError) as caught:
        services.action_create(
            postmortem=postmortem,
            actor=engineer,
            description="Eyeball the dashboard",
            kind=ActionKind.TEMPORARY_MITIGATION,
        )
    assert {"expires_at", "replaced_by"} <= set(caught.value.reasons)
    permanent = services.action_create(
        postmortem=postmortem, actor=engineer, description="Row-count alert", kind=ActionKind.MONITORING
    )
    mitigation = services.action_create(
        postmortem=postmortem,
        actor=engineer,
        description="Eyeball the dashboard",
        kind=ActionKind.TEMPORARY_MITIGATION,
        expires_at=timezone.localdate() + timedelta(days=14),
        replaced_by=permanent,
    )
    assert mitigation.replaced_by == permanent


def test_mitigation_cannot_be_replaced_by_another_mitigation(engineer):
    postmortem = PostmortemFactory(owner=engineer)
    permanent = PreventionActionFactory(postmortem=postmortem)
    first = services.action_create(
        postmortem=postmortem,
        actor=engineer,
        description="watch",
        kind=ActionKind.TEMPORARY_MITIGATION,
        expires_at=timezone.localdate(),
        replaced_by=permanent,
    )
    with pytest.raises(WorkflowError):
        services.action_create(
            postmortem=postmortem,
            actor=engineer,
            description="watch more",
            kind=ActionKind.TEMPORARY_MITIGATION,
            expires_at=timezone.localdate(),
            replaced_by=first,
        )


def test_overdue_is_open_and_past_due(engineer, lead):
    now = timezone.now()
    late_draft = PostmortemFactory(owner=engineer, due_at=now - timedelta(hours=1))
    assert late_draft.is_overdue(now)
    assert not PostmortemFactory(owner=engineer, due_at=now + timedelta(hours=1)).is_overdue(now)
    postmortem = _in_review(engineer)
    Postmortem.objects.filter(pk=postmortem.pk).update(due_at=now - timedelta(days=1))
    postmortem.refresh_from_db()
    assert postmortem.is_overdue(now)
    services.postmortem_approve(postmortem=postmortem, actor=lead)
    postmortem.refresh_from_db()
    assert not postmortem.is_overdue(now)


def test_every_change_is_kept_with_who(engineer):
    postmortem = PostmortemFactory(owner=engineer)
    services.postmortem_update(postmortem=postmortem, actor=engineer, summary="first")
    services.postmortem_update(postmortem=postmortem, actor=engineer, summary="second")
    summaries = list(postmortem.history.order_by("history_id").values_list("summary", "history_user"))
    assert summaries[-2:] == [("first", engineer.pk), ("second", engineer.pk)]
