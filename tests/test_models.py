"""Every model constraint: the database itself refuses the bad row."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from postmortems.models import (
    ChecklistAssessment,
    ChecklistItem,
    HotfixPullRequest,
    MergedPullRequest,
    Postmortem,
    PreventionAction,
    Repository,
    User,
    WebhookDelivery,
)
from tests.factories import (
    BASE_TIME,
    MergedPullRequestFactory,
    PostmortemFactory,
    PreventionActionFactory,
    RepositoryFactory,
)

pytestmark = pytest.mark.django_db


def rejects(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


def test_delivery_id_is_unique():
    WebhookDelivery.objects.create(delivery_id="abc", event="ping", payload={})
    rejects(lambda: WebhookDelivery.objects.create(delivery_id="abc", event="ping", payload={}))


def test_pr_number_unique_per_repository():
    pr = MergedPullRequestFactory()
    rejects(lambda: MergedPullRequestFactory(repository=pr.repository, number=pr.number))
    MergedPullRequestFactory(repository=RepositoryFactory(), number=pr.number)


def test_one_postmortem_per_hotfix_pr():
    pr = MergedPullRequestFactory()
    HotfixPullRequest.objects.create(merged_pr=pr, postmortem=PostmortemFactory())
    rejects(lambda: HotfixPullRequest.objects.create(merged_pr=pr, postmortem=PostmortemFactory()))


def test_a_hotfix_link_keeps_its_prs_repository_whichever_record_it_moves_to():
    pr = MergedPullRequestFactory()
    link = HotfixPullRequest.objects.create(merged_pr=pr, postmortem=PostmortemFactory())
    assert link.repository_id == pr.repository_id
    link.postmortem = PostmortemFactory(repository=RepositoryFactory())
    link.save()
    link.refresh_from_db()
    assert link.repository_id == pr.repository_id


@pytest.mark.parametrize(
    "field, value",
    [
        ("status", "archived"),
        ("severity", "SEV5"),
        ("detection_method", "psychic"),
        ("caught_in", "qa"),
        ("trigger", "gremlins"),
        ("gap_kind", "huge"),
    ],
)
def test_postmortem_choices_are_checked(field, value):
    postmortem = PostmortemFactory()
    rejects(lambda: Postmortem.objects.filter(pk=postmortem.pk).update(**{field: value}))


def test_resolved_before_detected_is_rejected():
    rejects(lambda: PostmortemFactory(detected_at=BASE_TIME, resolved_at=BASE_TIME - timedelta(seconds=1)))


def test_approved_needs_approved_at_and_dismissed_needs_reason():
    postmortem = PostmortemFactory()
    rejects(lambda: Postmortem.objects.filter(pk=postmortem.pk).update(status="approved"))
    rejects(lambda: Postmortem.objects.filter(pk=postmortem.pk).update(status="dismissed"))


def test_action_constraints():
    action = PreventionActionFactory(kind="test")
    qs = PreventionAction.objects.filter(pk=action.pk)
    rejects(lambda: qs.update(kind="magic"))
    rejects(lambda: qs.update(status="finished"))
    rejects(lambda: qs.update(status="wont_do", wont_do_reason=""))
    rejects(lambda: qs.update(status="done", completed_at=BASE_TIME, evidence_url=""))
    rejects(lambda: qs.update(status="done", completed_at=None, evidence_url="https://ci/1"))
    rejects(lambda: qs.update(kind="temporary_mitigation", expires_at=None))
    rejects(lambda: qs.update(replaced_by=action))


def test_assessment_constraints():
    postmortem = PostmortemFactory()
    item = postmortem.checklist_version.items.first()
    rejects(
        lambda: ChecklistAssessment.objects.create(postmortem=postmortem, item=item, status="skipped", ineffective=True)
    )
    rejects(
        lambda: ChecklistAssessment.objects.create(
            postmortem=postmortem, item=item, status="followed", would_have_caught=True
        )
    )
    rejects(lambda: ChecklistAssessment.objects.create(postmortem=postmortem, item=item, status="maybe"))
    ChecklistAssessment.objects.create(postmortem=postmortem, item=item, status="followed")
    rejects(lambda: ChecklistAssessment.objects.create(postmortem=postmortem, item=item, status="followed"))


def test_checklist_item_positions_are_unique_per_version():
    item = ChecklistItem.objects.first()
    rejects(lambda: ChecklistItem.objects.create(version=item.version, position=item.position, text="dup"))


def test_github_login_is_unique_ignoring_case():
    User.objects.create(username="a", github_login="Octocat")
    rejects(lambda: User.objects.create(username="b", github_login="octocat"))
    User.objects.create(username="c", github_login="")
    User.objects.create(username="d", github_login="")


def test_repository_full_name_is_owner_slash_name_and_due_days_positive():
    rejects(lambda: Repository.objects.create(full_name="no-slash"))
    rejects(lambda: Repository.objects.create(full_name="a/b", postmortem_due_days=0))


def test_merged_pr_cannot_be_deleted_while_covered():
    pr = MergedPullRequestFactory()
    HotfixPullRequest.objects.create(merged_pr=pr, postmortem=PostmortemFactory())
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        MergedPullRequest.objects.filter(pk=pr.pk).delete()


@pytest.mark.django_db(transaction=True)
def test_reference_data_survives_a_flush():
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from postmortems.models import ChecklistTemplateVersion, FailureCategory

    call_command("flush", interactive=False, verbosity=0)
    assert FailureCategory.objects.filter(slug="untested-downstream-dependency").exists()
    assert ChecklistTemplateVersion.objects.filter(template__is_default=True).exists()
    assert Group.objects.get(name="leads").permissions.filter(codename="view_postmortem").exists()
