"""Recurrence (prior occurrences within 180 days) and checklist gap kinds."""

from datetime import timedelta

import pytest

from postmortems import services
from postmortems.choices import ActionStatus, AssessmentStatus
from postmortems.models import MergedPullRequest, PreventionAction
from tests.factories import (
    BASE_TIME,
    MergedPullRequestFactory,
    PostmortemFactory,
    PreventionActionFactory,
    RepositoryFactory,
    ready_to_submit,
)

pytestmark = pytest.mark.django_db


def _earlier(repository, days_before, *, all_done, category=None):
    prior = ready_to_submit(
        repository=repository,
        anchor_at=BASE_TIME - timedelta(days=days_before),
        **({"category": category} if category else {}),
    )
    action = prior.actions.get()
    if all_done:
        services.action_complete(action=action, actor=None, evidence_url="https://ci.example.com/job/1")
        # Finished the day after that incident: long before the new one was detected.
        PreventionAction.objects.filter(pk=action.pk).update(completed_at=prior.anchor_at + timedelta(days=1))
    return prior


def test_prior_occurrences_in_180_days_are_linked(engineer):
    repository = RepositoryFactory()
    inside = _earlier(repository, 179, all_done=False)
    _earlier(repository, 181, all_done=False)
    postmortem = ready_to_submit(repository=repository, owner=engineer)
    postmortem = services.postmortem_submit(postmortem=postmortem, actor=engineer)
    assert list(postmortem.prior_occurrences.all()) == [inside]
    assert not postmortem.recurred_despite_prevention


def test_other_categories_and_repositories_are_not_priors(engineer):
    repository = RepositoryFactory()
    from postmortems.models import FailureCategory

    _earlier(repository, 30, all_done=True, category=FailureCategory.objects.get(slug="external-dependency"))
    _earlier(RepositoryFactory(team=None), 30, all_done=True)
    postmortem = ready_to_submit(repository=repository, owner=engineer)
    postmortem = services.postmortem_submit(postmortem=postmortem, actor=engineer)
    assert postmortem.prior_occurrences.count() == 0


def test_same_team_other_repository_is_a_prior(engineer):
    repository = RepositoryFactory()
    sibling = RepositoryFactory(team=repository.team)
    prior = _earlier(sibling, 10, all_done=False)
    postmortem = ready_to_submit(repository=repository, owner=engineer)
    postmortem = services.postmortem_submit(postmortem=postmortem, actor=engineer)
    assert list(postmortem.prior_occurrences.all()) == [prior]


def test_recurred_despite_prevention_when_a_prior_had_all_actions_done(engineer):
    repository = RepositoryFactory()
    _earlier(repository, 40, all_done=True)
    postmortem = ready_to_submit(repository=repository, owner=engineer)
    postmortem = services.postmortem_submit(postmortem=postmortem, actor=engineer)
    assert postmortem.recurred_despite_prevention


def test_not_recurred_despite_prevention_when_prior_work_was_unfinished(engineer):
    repository = RepositoryFactory()
    prior = _earlier(repository, 40, all_done=True)
    PreventionActionFactory(postmortem=prior, status=ActionStatus.OPEN)
    postmortem = ready_to_submit(repository=repository, owner=engineer)
    postmortem = services.postmortem_submit(postmortem=postmortem, actor=engineer)
    assert postmortem.prior_occurrences.count() == 1
    assert not postmortem.recurred_despite_prevention


def test_not_recurred_when_the_prior_actions_were_done_only_after_the_new_incident(engineer):
    repository = RepositoryFactory()
    prior = _earlier(repository, 40, all_done=True)
    postmortem = ready_to_submit(repository=repository, owner=engineer)
    # The prior record's work was finished after this incident was detected: it had no chance to prevent it.
    prior.actions.update(completed_at=postmortem.detected_at + timedelta(hours=1))
    postmortem = services.postmortem_submit(postmortem=postmortem, actor=engineer)
    assert postmortem.prior_occurrences.count() == 1
    assert not postmortem.recurred_despite_prevention


def test_an_introducing_pr_merged_after_the_hotfix_is_refused(lead):
    from postmortems.workflow import WorkflowError

    repository = RepositoryFactory()
    hotfix = MergedPullRequestFactory(repository=repository, merged_at=BASE_TIME, is_hotfix=True)
    postmortem, _ = services.postmortem_open_for_hotfix(merged_pr=hotfix)
    later = MergedPullRequestFactory(repository=repository, merged_at=BASE_TIME + timedelta(hours=2))
    earlier = MergedPullRequestFactory(repository=repository, merged_at=BASE_TIME - timedelta(days=3))
    with pytest.raises(WorkflowError) as refused:
        services.postmortem_update(postmortem=postmortem, actor=lead, introduced_by=later)
    assert "merged after the hotfix" in " ".join(refused.value.reasons["introduced_by"])
    services.postmortem_update(postmortem=postmortem, actor=lead, introduced_by=earlier)
    assert MergedPullRequest.objects.get(pk=earlier.pk).pk == postmortem.introduced_by_id


def _assess(postmortem, status, **extra):
    items = list(postmortem.checklist_version.items.all())
    for item in items:
        services.assessment_set(postmortem=postmortem, actor=None, item=item, status=AssessmentStatus.FOLLOWED)
    services.assessment_set(postmortem=postmortem, actor=None, item=items[0], status=status, **extra)
    postmortem.refresh_from_db()
    return postmortem


def test_gap_none_when_the_checklist_held():
    postmortem = _assess(PostmortemFactory(), AssessmentStatus.FOLLOWED)
    assert postmortem.gap_kind == "none" and postmortem.gap_kinds == ["none"]


def test_unassessed_record_has_no_gap_yet():
    assert PostmortemFactory().gap_kind == ""


def test_skipped_step_that_would_have_caught_it_is_a_skipped_gap():
    postmortem = _assess(PostmortemFactory(), AssessmentStatus.SKIPPED, would_have_caught=True)
    assert postmortem.gap_kind == "skipped"


def test_skipped_step_that_would_not_have_caught_it_is_no_gap():
    postmortem = _assess(PostmortemFactory(), AssessmentStatus.SKIPPED, would_have_caught=False)
    assert postmortem.gap_kind == "none"


def test_followed_but_ineffective_step_is_an_ineffective_gap():
    postmortem = _assess(PostmortemFactory(), AssessmentStatus.FOLLOWED, ineffective=True)
    assert postmortem.gap_kind == "ineffective"


def test_missing_item_is_a_missing_gap_alongside_others():
    postmortem = _assess(PostmortemFactory(), AssessmentStatus.SKIPPED, would_have_caught=True)
    services.missing_item_add(postmortem=postmortem, actor=None, text="Compare row counts with yesterday")
    postmortem.refresh_from_db()
    assert postmortem.gap_kinds == ["skipped", "missing"]


def test_promoting_a_missing_item_makes_a_new_version_and_old_records_keep_theirs(lead):
    postmortem = _assess(PostmortemFactory(), AssessmentStatus.FOLLOWED)
    old_version = postmortem.checklist_version
    missing = services.missing_item_add(postmortem=postmortem, actor=None, text="Compare row counts")
    new_version = services.missing_item_promote(missing_item=missing, actor=lead)
    assert new_version.number == old_version.number + 1
    assert [i.text for i in new_version.items.all()][-1] == "Compare row counts"
    postmortem.refresh_from_db()
    assert postmortem.checklist_version == old_version
    assert services.checklist_version_in_force(postmortem.repository) == new_version
    assert PostmortemFactory().checklist_version == new_version


def test_engineer_cannot_promote_or_edit_templates(engineer):
    postmortem = PostmortemFactory()
    missing = services.missing_item_add(postmortem=postmortem, actor=None, text="Compare row counts")
    from postmortems.workflow import NotAllowed

    with pytest.raises(NotAllowed):
        services.missing_item_promote(missing_item=missing, actor=engineer)
