"""Opening records for hotfix PRs, linking PRs, reminders."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from postmortems import services
from postmortems.choices import PostmortemStatus
from postmortems.models import HotfixPullRequest, Postmortem
from tests.factories import MergedPullRequestFactory, PostmortemFactory, RepositoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_open_for_hotfix_is_idempotent_and_assigns_owner_by_login():
    owner = UserFactory(username="octo", github_login="OctoCat")
    repository = RepositoryFactory(postmortem_due_days=3)
    pr = MergedPullRequestFactory(repository=repository, author_login="octocat", is_hotfix=True)
    first, created = services.postmortem_open_for_hotfix(merged_pr=pr)
    again, created_again = services.postmortem_open_for_hotfix(merged_pr=pr)
    assert created and not created_again and first == again
    assert first.owner == owner
    assert first.status == PostmortemStatus.DRAFT
    assert first.due_at == pr.merged_at + timedelta(days=3)
    assert first.anchor_at == pr.merged_at
    assert first.checklist_version.items.count() == 5
    assert HotfixPullRequest.objects.filter(merged_pr=pr).count() == 1


def test_open_for_hotfix_leaves_unknown_authors_unassigned():
    pr = MergedPullRequestFactory(author_login="dependabot[bot]", is_hotfix=True)
    postmortem, _ = services.postmortem_open_for_hotfix(merged_pr=pr)
    assert postmortem.owner is None


def test_linking_a_second_pr_merges_its_empty_draft(engineer):
    repository = RepositoryFactory()
    early = MergedPullRequestFactory(repository=repository, merged_at=datetime(2026, 1, 5, tzinfo=UTC))
    late = MergedPullRequestFactory(repository=repository, merged_at=datetime(2026, 2, 5, tzinfo=UTC))
    keep, _ = services.postmortem_open_for_hotfix(merged_pr=late)
    duplicate, _ = services.postmortem_open_for_hotfix(merged_pr=early)
    Postmortem.objects.filter(pk=keep.pk).update(owner=engineer)
    keep.refresh_from_db()
    services.postmortem_link_hotfix_pr(postmortem=keep, merged_pr=early, actor=engineer)
    keep.refresh_from_db()
    duplicate.refresh_from_db()
    assert keep.hotfix_prs.count() == 2
    assert keep.anchor_at == early.merged_at
    assert duplicate.status == PostmortemStatus.DISMISSED
    assert f"#{keep.pk}" in duplicate.dismissal_reason


def test_flag_not_hotfix_keeps_the_record_and_asks_a_lead():
    pr = MergedPullRequestFactory(is_hotfix=True)
    postmortem, _ = services.postmortem_open_for_hotfix(merged_pr=pr)
    services.postmortem_flag_not_hotfix(hotfix=pr.hotfix, reason="label removed")
    services.postmortem_flag_not_hotfix(hotfix=pr.hotfix, reason="label removed")
    postmortem.refresh_from_db()
    assert postmortem.status == PostmortemStatus.DRAFT and postmortem.needs_dismissal_review
    assert postmortem.review_events.filter(kind="flagged").count() == 1


def test_overdue_owner_is_reminded_once_per_working_day(engineer):
    wednesday = datetime(2026, 3, 11, 9, 0, tzinfo=UTC)
    PostmortemFactory(owner=engineer, due_at=wednesday - timedelta(days=2))
    PostmortemFactory(owner=engineer, due_at=wednesday + timedelta(days=2))
    assert services.overdue_reminders_send(now=wednesday) == 1
    assert services.overdue_reminders_send(now=wednesday + timedelta(hours=3)) == 0
    assert len(mail.outbox) == 1 and engineer.email in mail.outbox[0].to
    assert "/postmortems/" in mail.outbox[0].body
    assert services.overdue_reminders_send(now=wednesday + timedelta(days=1)) == 1


def test_no_reminders_at_the_weekend(engineer):
    saturday = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
    PostmortemFactory(owner=engineer, due_at=saturday - timedelta(days=2))
    assert services.overdue_reminders_send(now=saturday) == 0


def test_category_retire_keeps_it_on_records(lead):
    category = services.category_create(actor=lead, name="Flaky scheduler")
    services.category_set_active(category=category, actor=lead, active=False)
    category.refresh_from_db()
    assert category.slug == "flaky-scheduler" and not category.is_active


def test_no_category_may_take_the_reports_uncategorised_slug(lead):
    # The report keys postmortems without a category as "uncategorised"; a real one would merge with them.
    from django.db import IntegrityError, transaction

    from postmortems.models import FailureCategory
    from postmortems.workflow import WorkflowError

    with pytest.raises(WorkflowError) as refused:
        services.category_create(actor=lead, name="Uncategorised")
    assert "slug" in refused.value.reasons
    with pytest.raises(IntegrityError), transaction.atomic():
        FailureCategory.objects.create(name="Sneaky", slug="uncategorised")


def test_checklist_revision_numbers_versions(lead):
    from postmortems.models import ChecklistTemplate

    template = ChecklistTemplate.objects.get(is_default=True)
    version = services.checklist_template_revise(template=template, actor=lead, items=["A", "B"])
    assert version.number == 2
    assert [i.text for i in version.items.all()] == ["A", "B"]


@pytest.mark.parametrize(
    "pr_title, expected",
    [
        ("Fix the loader", "Hotfix: Fix the loader"),
        ("Hotfix: fix the loader", "Hotfix: fix the loader"),
        ("HOTFIX loader", "HOTFIX loader"),
        ("hot-fix: loader", "hot-fix: loader"),
        ("Hotfixes are bad", "Hotfix: Hotfixes are bad"),
        ("[hotfix] revert schema", "[hotfix] revert schema"),
        ("[HOTFIX]: revert schema", "[HOTFIX]: revert schema"),
        ("hotfix: revert schema", "hotfix: revert schema"),
        ("Hotfix - revert schema", "Hotfix - revert schema"),
        ("HOTFIX revert schema", "HOTFIX revert schema"),
        ("(hot fix) revert schema", "(hot fix) revert schema"),
        ("Revert schema [hotfix]", "Revert schema [hotfix]"),
        ("hotfix(api): revert schema", "hotfix(api): revert schema"),
        ("Revert the loader change", "Hotfix: Revert the loader change"),
    ],
)
def test_hotfix_record_title_is_not_prefixed_twice(pr_title, expected):
    pr = MergedPullRequestFactory(title=pr_title, is_hotfix=True)
    postmortem, _ = services.postmortem_open_for_hotfix(merged_pr=pr)
    assert postmortem.title == expected
