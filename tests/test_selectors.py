"""selectors.py: the reads pages, API and tasks share."""

from datetime import timedelta

import pytest
from django.utils import timezone

from postmortems import selectors, services
from postmortems.choices import ActionKind, ActionStatus, AssessmentStatus, PostmortemStatus
from postmortems.models import ChecklistTemplate, Postmortem, Repository, RepositoryName
from tests.factories import (
    MergedPullRequestFactory,
    PostmortemFactory,
    PreventionActionFactory,
    RepositoryFactory,
    TeamFactory,
    ready_to_submit,
)

pytestmark = pytest.mark.django_db


def test_engineers_see_their_teams_their_own_and_teamless_records(engineer, lead):
    team = TeamFactory(slug="ours")
    team.members.add(engineer)
    ours = PostmortemFactory(repository=RepositoryFactory(team=team))
    owned_elsewhere = PostmortemFactory(owner=engineer)
    teamless = PostmortemFactory(repository=None, team=None)
    acting_elsewhere = PostmortemFactory()
    PreventionActionFactory(postmortem=acting_elsewhere, owner=engineer)
    hidden = PostmortemFactory()
    assert set(selectors.visible_postmortems(engineer)) == {ours, owned_elsewhere, teamless, acting_elsewhere}
    assert hidden in selectors.visible_postmortems(lead)
    # The id form (for joins) answers the same, each record once.
    ids = list(
        Postmortem.objects.filter(pk__in=selectors.visible_postmortem_ids(engineer)).values_list("pk", flat=True)
    )
    assert sorted(ids) == sorted(pm.pk for pm in (ours, owned_elsewhere, teamless, acting_elsewhere))
    assert Postmortem.objects.filter(pk__in=selectors.visible_postmortem_ids(lead)).count() == 5


def test_the_checklist_in_force_is_the_repositorys_template_or_the_default(lead):
    default = ChecklistTemplate.objects.get(is_default=True)
    own = services.checklist_template_create(actor=lead, name="Forecast steps", items=["Diff the config"])
    plain, special = RepositoryFactory(), RepositoryFactory(checklist_template=own)
    assert selectors.checklist_version_in_force(plain).template == default
    assert selectors.checklist_version_in_force(None).template == default
    assert selectors.checklist_version_in_force(special) == own.versions.get()


def test_a_record_follows_the_checklist_in_force_until_someone_assesses_it(lead):
    postmortem = PostmortemFactory()
    first = postmortem.checklist_version
    second = services.checklist_template_revise(template=first.template, actor=lead, items=["One step"])
    assert selectors.checklist_version_for(postmortem) == second
    services.assessment_set(
        postmortem=postmortem, actor=None, item=second.items.get(), status=AssessmentStatus.FOLLOWED
    )
    postmortem.refresh_from_db()
    services.checklist_template_revise(template=first.template, actor=lead, items=["Another step"])
    assert selectors.checklist_version_for(postmortem) == second


def test_merged_pr_in_finds_a_number_only_in_its_repository():
    pr = MergedPullRequestFactory(number=77)
    assert selectors.merged_pr_in(pr.repository, 77) == pr
    assert selectors.merged_pr_in(RepositoryFactory(), 77) is None
    assert selectors.merged_pr_in(None, 77) is None


def test_a_repository_is_found_by_its_name_then_by_its_latest_former_name():
    renamed_twice, took_the_name = RepositoryFactory(full_name="acme/now"), RepositoryFactory(full_name="acme/new")
    RepositoryName.objects.create(repository=took_the_name, full_name="acme/old")
    RepositoryName.objects.create(repository=renamed_twice, full_name="acme/old")  # the later rename wins
    assert Repository.objects.named("acme/new") == took_the_name
    assert Repository.objects.named("acme/old") == selectors.repository_named("acme/old") == renamed_twice
    assert Repository.objects.named("acme/never") is None


def test_overdue_means_open_and_past_due(engineer):
    now = timezone.now()
    late = PostmortemFactory(due_at=now - timedelta(days=1))
    PostmortemFactory(due_at=now + timedelta(days=1))
    PostmortemFactory(due_at=now - timedelta(days=1), status=PostmortemStatus.DISMISSED, dismissal_reason="no")
    assert list(selectors.overdue_postmortems(now=now)) == [late]


def test_inbox_lists_own_open_records_earliest_due_first(engineer):
    now = timezone.now()
    later = PostmortemFactory(owner=engineer, due_at=now + timedelta(days=3))
    sooner = PostmortemFactory(owner=engineer, due_at=now - timedelta(days=1))
    PostmortemFactory(due_at=now)
    assert list(selectors.inbox_postmortems(engineer)) == [sooner, later]


def test_review_queue_is_for_leads_and_leaves_out_their_own(engineer, lead):
    theirs = services.postmortem_submit(postmortem=ready_to_submit(owner=engineer), actor=engineer)
    services.postmortem_submit(postmortem=ready_to_submit(owner=lead), actor=lead)
    assert list(selectors.review_queue(lead)) == [theirs]
    assert not selectors.review_queue(engineer).exists()


def test_open_actions_and_expiring_mitigations_of_a_user(engineer):
    today = timezone.localdate()
    postmortem = PostmortemFactory(owner=engineer)
    permanent = PreventionActionFactory(postmortem=postmortem, owner=engineer)
    PreventionActionFactory(postmortem=postmortem, owner=engineer, status=ActionStatus.WONT_DO, wont_do_reason="no")
    mitigation = PreventionActionFactory(
        postmortem=postmortem,
        owner=engineer,
        kind=ActionKind.TEMPORARY_MITIGATION,
        expires_at=today + timedelta(days=3),
        replaced_by=permanent,
        due_date=today + timedelta(days=30),
    )
    assert list(selectors.open_actions_for(engineer)) == [permanent, mitigation]
    assert list(selectors.expiring_mitigations_for(engineer, today=today)) == [mitigation]


def test_history_names_who_changed_which_field(engineer):
    postmortem = PostmortemFactory(owner=engineer)
    services.postmortem_update(postmortem=postmortem, actor=engineer, summary="What happened")
    newest = selectors.postmortem_history(postmortem)[0]
    assert (newest.who, newest.what, newest.changes) == ("owner-engineer", "Record changed", ["summary"])
