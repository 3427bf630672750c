"""Deterministic factories: sequences and a seeded Faker, no class-level randomness."""

from datetime import timedelta

import factory
from django.contrib.auth.models import Group
from django.utils import timezone
from factory.django import DjangoModelFactory

from postmortems.choices import ActionKind, AssessmentStatus
from postmortems.models import (
    ChecklistAssessment,
    FailureCategory,
    MergedPullRequest,
    Postmortem,
    PreventionAction,
    Repository,
    Team,
    User,
)
from postmortems.services import checklist_version_in_force

factory.Faker._get_faker().seed_instance(1234)
BASE_TIME = timezone.make_aware(timezone.datetime(2026, 3, 10, 12, 0))


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    github_login = factory.LazyAttribute(lambda u: f"{u.username}-gh")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-123")

    @factory.post_generation
    def group(self, create, extracted, **kwargs):
        _join(self, create, extracted)


def _join(user, create, group_name):
    if create and group_name:
        user.groups.add(Group.objects.get(name=group_name))
    if create:
        user.save()


class EngineerFactory(UserFactory):
    @factory.post_generation
    def group(self, create, extracted, **kwargs):
        _join(self, create, extracted or "engineers")


class LeadFactory(UserFactory):
    @factory.post_generation
    def group(self, create, extracted, **kwargs):
        _join(self, create, extracted or "leads")


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")


class RepositoryFactory(DjangoModelFactory):
    class Meta:
        model = Repository
        django_get_or_create = ("full_name",)

    full_name = factory.Sequence(lambda n: f"acme/repo-{n}")
    default_branch = "main"
    team = factory.SubFactory(TeamFactory)


class MergedPullRequestFactory(DjangoModelFactory):
    class Meta:
        model = MergedPullRequest

    repository = factory.SubFactory(RepositoryFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Change number {n}")
    author_login = "someone"
    merged_at = BASE_TIME
    merge_commit_sha = factory.Sequence(lambda n: f"{n:040x}")
    base_branch = "main"
    head_branch = factory.Sequence(lambda n: f"feature/{n}")
    labels = factory.LazyFunction(list)
    is_hotfix = False


class FailureCategoryFactory(DjangoModelFactory):
    class Meta:
        model = FailureCategory
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class PostmortemFactory(DjangoModelFactory):
    """A draft with nothing filled in, as the webhook opens it."""

    class Meta:
        model = Postmortem

    title = factory.Sequence(lambda n: f"Incident {n}")
    repository = factory.SubFactory(RepositoryFactory)
    team = factory.SelfAttribute("repository.team")
    owner = factory.SubFactory(EngineerFactory)
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=5))
    checklist_version = factory.LazyAttribute(lambda pm: checklist_version_in_force(pm.repository))
    anchor_at = BASE_TIME


class CompletePostmortemFactory(PostmortemFactory):
    """A draft that meets every submission requirement except actions and checklist (see helpers)."""

    severity = "SEV2"
    summary = "Forecast job wrote empty output."
    impact = "Stores got no orders for a day."
    detected_at = BASE_TIME - timedelta(hours=5)
    resolved_at = BASE_TIME
    detection_method = "automated_alert"
    caught_in = "staging"
    trigger = "schema"
    root_cause = "The upstream schema renamed a column and the downstream job was never run in staging."
    category = factory.LazyFunction(lambda: FailureCategory.objects.get(slug="untested-downstream-dependency"))


class PreventionActionFactory(DjangoModelFactory):
    class Meta:
        model = PreventionAction

    postmortem = factory.SubFactory(PostmortemFactory)
    description = factory.Sequence(lambda n: f"Prevent it {n}")
    kind = ActionKind.AUTOMATION
    owner = factory.SelfAttribute("postmortem.owner")
    due_date = factory.LazyFunction(lambda: (BASE_TIME + timedelta(days=20)).date())


def assess_all(postmortem: Postmortem, status: str = AssessmentStatus.FOLLOWED) -> None:
    """Assess every step of the record's checklist version with `status`."""
    for item in postmortem.checklist_version.items.all():
        ChecklistAssessment.objects.update_or_create(
            postmortem=postmortem,
            item=item,
            defaults={"status": status, "would_have_caught": False if status == AssessmentStatus.SKIPPED else None},
        )


def ready_to_submit(**kwargs) -> Postmortem:
    """A draft that passes every rule of SPEC §3."""
    postmortem = CompletePostmortemFactory(**kwargs)
    PreventionActionFactory(postmortem=postmortem)
    assess_all(postmortem)
    return postmortem
