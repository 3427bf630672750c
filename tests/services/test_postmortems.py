"""services/postmortems.py: opening records for hotfix PRs, editing fields, linking PRs, flags."""

from datetime import UTC, datetime, timedelta

import pytest

from postmortems import services
from postmortems.choices import PostmortemStatus
from postmortems.models import FailureCategory, HotfixPullRequest, Postmortem
from postmortems.workflow import WorkflowError
from tests.factories import (
    FailureCategoryFactory,
    MergedPullRequestFactory,
    PostmortemFactory,
    RepositoryFactory,
    UserFactory,
)

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
    # The default checklist in force: its five steps and "Deployed to staging before production" (SPEC §10).
    assert first.checklist_version.items.count() == 6
    assert HotfixPullRequest.objects.filter(merged_pr=pr).count() == 1


def test_open_for_hotfix_leaves_unknown_authors_unassigned():
    pr = MergedPullRequestFactory(author_login="dependabot[bot]", is_hotfix=True)
    postmortem, _ = services.postmortem_open_for_hotfix(merged_pr=pr)
    assert postmortem.owner is None


def test_linking_a_second_pr_merges_its_empty_draft(lead):
    repository = RepositoryFactory()
    early = MergedPullRequestFactory(repository=repository, merged_at=datetime(2026, 1, 5, tzinfo=UTC))
    late = MergedPullRequestFactory(repository=repository, merged_at=datetime(2026, 2, 5, tzinfo=UTC))
    keep, _ = services.postmortem_open_for_hotfix(merged_pr=late)
    duplicate, _ = services.postmortem_open_for_hotfix(merged_pr=early)
    Postmortem.objects.filter(pk=keep.pk).update(owner=lead)
    keep.refresh_from_db()
    services.postmortem_link_hotfix_pr(postmortem=keep, merged_pr=early, actor=lead)
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


# --- the rules of a record's fields, as the service enforces them for every door ------------


def _refused(**fields) -> dict[str, list[str]]:
    with pytest.raises(WorkflowError) as refused:
        services.postmortem_update(**fields)
    return refused.value.reasons


def test_introducing_pr_must_come_from_the_records_repository(engineer):
    postmortem = PostmortemFactory(owner=engineer)
    elsewhere = MergedPullRequestFactory()
    reasons = _refused(postmortem=postmortem, actor=engineer, introduced_by=elsewhere)
    assert reasons == {"introduced_by": ["The introducing PR must be a merged PR of this record's repository."]}
    postmortem.refresh_from_db()
    assert postmortem.introduced_by is None
    own = MergedPullRequestFactory(repository=postmortem.repository)
    services.postmortem_update(postmortem=postmortem, actor=engineer, introduced_by=own)
    assert Postmortem.objects.get(pk=postmortem.pk).introduced_by == own


def test_moving_the_record_to_another_repository_leaves_no_foreign_introducing_pr(engineer):
    postmortem = PostmortemFactory(owner=engineer, repository=RepositoryFactory(team=None))
    services.postmortem_update(
        postmortem=postmortem, actor=engineer, introduced_by=MergedPullRequestFactory(repository=postmortem.repository)
    )
    reasons = _refused(postmortem=postmortem, actor=engineer, repository=RepositoryFactory(team=None))
    assert "introduced_by" in reasons


def test_a_record_without_repository_has_no_introducing_pr(engineer):
    postmortem = PostmortemFactory(owner=engineer, repository=None, team=None)
    reasons = _refused(postmortem=postmortem, actor=engineer, introduced_by=MergedPullRequestFactory())
    assert reasons["introduced_by"] == ["Set the repository first: the introducing PR is one of its merged PRs."]


def test_a_retired_category_stays_but_is_never_newly_chosen(engineer):
    retired = FailureCategoryFactory(slug="old-ways", name="Old ways", is_active=False)
    postmortem = PostmortemFactory(owner=engineer)
    reasons = _refused(postmortem=postmortem, actor=engineer, category=retired, contributing_categories=[retired])
    assert reasons == {
        "category": ["“Old ways” is retired; choose an active category."],
        "contributing_categories": ["“Old ways” is retired; choose active categories."],
    }
    # A record that already has it keeps it through later edits.
    Postmortem.objects.filter(pk=postmortem.pk).update(category=retired)
    postmortem.contributing_categories.set([retired])
    postmortem.refresh_from_db()
    services.postmortem_update(
        postmortem=postmortem, actor=engineer, category=retired, contributing_categories=[retired], summary="More"
    )
    assert Postmortem.objects.get(pk=postmortem.pk).summary == "More"


def test_title_cannot_be_blanked_and_unknown_fields_are_refused(engineer):
    postmortem = PostmortemFactory(owner=engineer)
    assert _refused(postmortem=postmortem, actor=engineer, title="   ") == {"title": ["Give the postmortem a title."]}
    assert _refused(postmortem=postmortem, actor=engineer, status="approved") == {
        "status": ["This field cannot be changed here."]
    }
    assert Postmortem.objects.get(pk=postmortem.pk).status == PostmortemStatus.DRAFT


def test_a_refused_update_leaves_the_callers_instance_alone(engineer):
    postmortem = PostmortemFactory(owner=engineer, title="Kept")
    _refused(postmortem=postmortem, actor=engineer, title="Changed", introduced_by=MergedPullRequestFactory())
    assert postmortem.title == "Kept"


def test_create_takes_contributing_categories_and_applies_the_same_rules(engineer):
    active = FailureCategory.objects.filter(is_active=True).first()
    postmortem = services.postmortem_create(actor=engineer, title="By hand", contributing_categories=[active])
    assert list(postmortem.contributing_categories.all()) == [active]
    with pytest.raises(WorkflowError) as refused:
        services.postmortem_create(actor=engineer, title="By hand", introduced_by=MergedPullRequestFactory())
    assert "introduced_by" in refused.value.reasons
