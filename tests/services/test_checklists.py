"""services/checklists.py: template versions and a record's assessment against one."""

import pytest
from django.apps import apps

from postmortems import services
from postmortems.choices import AssessmentStatus
from postmortems.models import ChecklistTemplate
from postmortems.reference_data import ensure_evidence_checklist
from postmortems.workflow import WorkflowError
from tests.factories import PostmortemFactory

pytestmark = pytest.mark.django_db


def test_checklist_revision_numbers_versions(lead):
    template = ChecklistTemplate.objects.get(is_default=True)
    # The seeded default has two versions: the first checklist, then the evidence steps (SPEC §10).
    assert template.versions.count() == 2
    version = services.checklist_template_revise(template=template, actor=lead, items=["A", "B"])
    assert version.number == 3
    assert [i.text for i in version.items.all()] == ["A", "B"]


def test_an_unassessed_draft_is_assessed_against_the_version_in_force(engineer, lead):
    postmortem = PostmortemFactory(owner=engineer)
    opened_with = postmortem.checklist_version
    revised = services.checklist_template_revise(template=opened_with.template, actor=lead, items=["Only step"])
    step = revised.items.get()
    services.assessment_set(postmortem=postmortem, actor=engineer, item=step, status=AssessmentStatus.FOLLOWED)
    postmortem.refresh_from_db()
    assert postmortem.checklist_version == revised


def test_once_assessed_a_record_keeps_its_version(engineer, lead):
    postmortem = PostmortemFactory(owner=engineer)
    kept = postmortem.checklist_version
    first_step = kept.items.first()
    services.assessment_set(postmortem=postmortem, actor=engineer, item=first_step, status=AssessmentStatus.FOLLOWED)
    revised = services.checklist_template_revise(template=kept.template, actor=lead, items=["Only step"])
    with pytest.raises(WorkflowError) as refused:
        services.assessment_set(
            postmortem=postmortem, actor=engineer, item=revised.items.get(), status=AssessmentStatus.FOLLOWED
        )
    assert "item" in refused.value.reasons
    postmortem.refresh_from_db()
    assert postmortem.checklist_version == kept


def test_the_evidence_version_is_added_once_and_keeps_a_leads_steps(lead):
    template = ChecklistTemplate.objects.get(is_default=True)
    ensure_evidence_checklist(apps.get_model)
    assert template.versions.count() == 2  # already there: nothing added
    old = services.checklist_template_revise(template=template, actor=lead, items=["Our own step"])
    ensure_evidence_checklist(apps.get_model)
    latest = template.versions.order_by("-number").first()
    assert latest.number == old.number + 1
    assert [(i.text, i.evidence_rule) for i in latest.items.all()] == [
        ("Deployed to staging before production", "staging_deployment"),
        ("Ran all downstream jobs end-to-end in staging", "staging_checks"),
        ("Our own step", ""),
    ]
    assert [i.text for i in old.items.all()] == ["Our own step"]  # the earlier version is untouched
