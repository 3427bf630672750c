"""Demo deployment evidence (SPEC §10): what the pipelines of §0's data team reported these last months.

Most changes of three repositories went through staging, about half of them with the
`downstream-e2e` job run there; hotfixes often went straight to production; the fourth
repository reports nothing (its PRs stay `unknown`). The §0 story is one record: the
change that renamed the forecast column was deployed to staging but never ran
`downstream-e2e` there, so the checklist says so by itself, with the links.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import F, Q
from django.utils import timezone

from . import services
from .choices import EvidenceKind, EvidenceSource, EvidenceStatus, Stage, StagingVerification
from .models import Evidence, MergedPullRequest, Postmortem, Repository, User
from .services.verification import merged_pr_verify

STAGING_CHECK = "downstream-e2e"
EVIDENCE_DAYS = 120


@dataclass(frozen=True)
class Habits:
    """How often a repository's changes went through staging, and ran the e2e job there."""

    staged: float
    e2e: float


# The repositories that report evidence; any other demo repository reports none.
HABITS = {
    "acme-data/demand-forecast": Habits(staged=0.8, e2e=0.55),
    "acme-data/replenishment-jobs": Habits(staged=0.7, e2e=0.45),
    "acme-data/feature-store": Habits(staged=0.9, e2e=0.85),
}


def _sha(rng: random.Random) -> str:
    return f"{rng.getrandbits(160):040x}"


class EvidenceBuilder:
    def __init__(self, rng: random.Random, today: date):
        self.rng, self.today = rng, today
        self.rows: list[Evidence] = []

    def fact(
        self,
        pr: MergedPullRequest,
        kind: str,
        at: datetime,
        *,
        stage: str = "",
        name: str = "",
        status: str = EvidenceStatus.SUCCESS,
    ) -> None:
        repo = pr.repository.full_name
        key = f"demo:{pr.repository_id}:{pr.number}:{kind}:{stage or name}:{len(self.rows)}"
        url = (
            f"https://github.com/{repo}/actions/runs/{7_000_000 + len(self.rows)}"
            if kind == EvidenceKind.CHECK
            else f"https://github.com/{repo}/deployments/{stage}"
        )
        self.rows.append(
            Evidence(
                repository_id=pr.repository_id,
                kind=kind,
                sha=pr.merge_commit_sha,
                environment=stage,
                stage=stage,
                name=name,
                status=status,
                url=url,
                occurred_at=at,
                source=EvidenceSource.GITHUB,
                source_key=key,
            )
        )

    def pr_history(self, pr: MergedPullRequest, habits: Habits) -> None:
        """Staging (perhaps with the e2e job), then production a few hours after the merge."""
        staged = self.rng.random() < (habits.staged * (0.4 if pr.is_hotfix else 1))
        at = pr.merged_at + timedelta(minutes=self.rng.randint(10, 40))
        if staged:
            self.fact(pr, EvidenceKind.DEPLOYMENT, at, stage=Stage.STAGING)
            if self.rng.random() < habits.e2e:
                failed = self.rng.random() < 0.1
                status = EvidenceStatus.FAILURE if failed else EvidenceStatus.SUCCESS
                self.fact(pr, EvidenceKind.CHECK, at + timedelta(minutes=35), name=STAGING_CHECK, status=status)
        shipped = at + timedelta(hours=self.rng.randint(1, 5))
        if shipped < timezone.now():
            self.fact(pr, EvidenceKind.DEPLOYMENT, shipped, stage=Stage.PRODUCTION)


def _moment(day: date, hour: int, minute: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def story_introducing_pr(repo: Repository, hotfix: MergedPullRequest) -> MergedPullRequest:
    """The change that broke production the day before the story hotfix: renamed the forecast column."""
    day = hotfix.merged_at.date() - timedelta(days=1)
    return MergedPullRequest.objects.create(
        repository=repo,
        number=hotfix.number + 1,
        title="Rename forecast column qty to units",
        author_login="priya-shah",
        merged_at=_moment(day, 10, 12),
        merge_commit_sha=_sha(random.Random(hotfix.pk)),
        head_sha=_sha(random.Random(hotfix.pk + 1)),
        base_branch="main",
        head_branch="feature/rename-qty-units",
        html_url=f"https://github.com/{repo.full_name}/pull/{hotfix.number + 1}",
    )


def _story(builder: EvidenceBuilder, hotfix: MergedPullRequest, engineer: User) -> list[MergedPullRequest]:
    """Staged without downstream-e2e, shipped at 14:02; the hotfix itself ran the job in staging."""
    intro = story_introducing_pr(hotfix.repository, hotfix)
    day = intro.merged_at.date()
    builder.fact(intro, EvidenceKind.DEPLOYMENT, _moment(day, 10, 40), stage=Stage.STAGING)
    builder.fact(intro, EvidenceKind.DEPLOYMENT, _moment(day, 14, 2), stage=Stage.PRODUCTION)
    builder.fact(hotfix, EvidenceKind.DEPLOYMENT, hotfix.merged_at + timedelta(minutes=8), stage=Stage.STAGING)
    builder.fact(hotfix, EvidenceKind.CHECK, hotfix.merged_at + timedelta(minutes=31), name=STAGING_CHECK)
    builder.fact(hotfix, EvidenceKind.DEPLOYMENT, hotfix.merged_at + timedelta(minutes=44), stage=Stage.PRODUCTION)
    return [intro, hotfix]


def seed_evidence(*, rng: random.Random, today: date, story_hotfix: MergedPullRequest, engineer: User) -> int:
    """Write the demo evidence, verify the PRs it concerns, and let the story record's checklist answer itself."""
    Repository.objects.filter(full_name__startswith="acme-data/").update(staging_checks=[STAGING_CHECK])
    # Read again: the rule takes the required checks from the repository it is handed.
    story_hotfix = MergedPullRequest.objects.select_related("repository").get(pk=story_hotfix.pk)
    builder = EvidenceBuilder(rng, today)
    since = timezone.now() - timedelta(days=EVIDENCE_DAYS)
    # Merged before any repository reported evidence, or where none ever does: measured then as `unknown`
    # (which later evidence never turns into `skipped`).
    MergedPullRequest.objects.filter(Q(merged_at__lt=since) | ~Q(repository__full_name__in=list(HABITS))).update(
        staging_verification=StagingVerification.UNKNOWN, reached_production_at=F("merged_at")
    )
    # Around the story, the story repository deploys only the story's changes, so its times read as told.
    quiet = Q(
        repository_id=story_hotfix.repository_id,
        merged_at__range=(story_hotfix.merged_at - timedelta(days=2), story_hotfix.merged_at + timedelta(days=1)),
    )
    recent = (
        MergedPullRequest.objects.filter(repository__full_name__in=list(HABITS), merged_at__gte=since)
        .exclude(quiet)
        .select_related("repository")
        .order_by("merged_at", "pk")
    )
    prs = list(recent)
    for pr in prs:
        builder.pr_history(pr, HABITS[pr.repository.full_name])
    prs += _story(builder, story_hotfix, engineer)
    Evidence.objects.bulk_create(builder.rows, batch_size=1000)
    for pr in prs:
        merged_pr_verify(merged_pr=pr)
    record = Postmortem.objects.get(hotfix_prs__merged_pr=story_hotfix)
    services.postmortem_update(
        postmortem=record,
        actor=engineer,
        introduced_by=prs[-2],
        detected_at=story_hotfix.merged_at - timedelta(hours=9),
    )
    return len(builder.rows)
