"""Deterministic demo data: the data team of SPEC §0, eighteen months of it.

Built through the services (so every rule and history row is real) with a seeded
random generator; timestamps are then moved into the past with plain updates,
because the services stamp "now".
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from . import services
from .choices import ActionKind, ActionStatus, AssessmentStatus, DetectionMethod, PostmortemStatus
from .demo_content import EFFORT_HOURS_BY_SEVERITY, ESTIMATE_HOURS_BY_KIND, HOTFIX_PR_TITLES, INCIDENTS, PEOPLE, REPOS
from .demo_evidence import seed_evidence
from .models import (
    ChecklistTemplateVersion,
    FailureCategory,
    MergedPullRequest,
    MissingChecklistItem,
    Postmortem,
    PreventionAction,
    Repository,
    Team,
    User,
)

SEED = 20260101
MONTHS = 18
DEMO_PASSWORDS = {"lead": "demo-lead-2026", "engineer": "demo-engineer-2026"}
MOST_SKIPPED_STEP = "Ran all downstream jobs end-to-end in staging"
STORY_BRANCH = "hotfix/replenishment-column"


class DemoBuilder:
    """Builds the demo world once; `run` is a no-op when it already exists."""

    def __init__(self, *, today: date | None = None, log=print):
        self.rng = random.Random(SEED)
        self.today = today or timezone.localdate()
        self.log = log
        self.users: dict[str, User] = {}

    def run(self) -> bool:
        self._users()
        if Repository.objects.filter(full_name=REPOS[0].full_name, merged_prs__isnull=False).exists():
            self.log("Demo data already present; users and passwords refreshed.")
            return False
        with transaction.atomic():
            teams = self._teams()
            repos = self._repositories(teams)
            hotfixes = self._merged_prs(repos)
            self._postmortems(hotfixes)
            story = next(pr for pr in hotfixes if pr.head_branch == STORY_BRANCH)
            seed_evidence(rng=self.rng, today=self.today, story_hotfix=story, engineer=self.users["eli.engineer"])
        self.log(
            f"Demo data created: {MergedPullRequest.objects.count()} merged PRs, "
            f"{Postmortem.objects.count()} postmortems."
        )
        return True

    # --- people, teams, repositories --------------------------------------------

    def _users(self) -> None:
        groups = {name: Group.objects.get(name=name) for name in ("engineers", "leads")}
        for username, first, last, login, role, _teams in PEOPLE:
            user, _ = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.com",
                    "github_login": login,
                },
            )
            user.is_staff = role == "lead"
            user.set_password(DEMO_PASSWORDS["lead" if role == "lead" else "engineer"])
            user.save()
            user.groups.add(groups["leads" if role == "lead" else "engineers"])
            self.users[username] = user

    def _teams(self) -> dict[str, Team]:
        teams = {
            "forecasting": Team.objects.get_or_create(slug="forecasting", defaults={"name": "Forecasting"})[0],
            "data-platform": Team.objects.get_or_create(slug="data-platform", defaults={"name": "Data Platform"})[0],
        }
        for username, *_rest, team_slugs in PEOPLE:
            for slug in team_slugs:
                teams[slug].members.add(self.users[username])
        return teams

    def _repositories(self, teams: dict[str, Team]) -> dict[str, Repository]:
        repos = {}
        for spec in REPOS:
            repos[spec.full_name] = Repository.objects.get_or_create(
                full_name=spec.full_name,
                defaults={
                    "team": teams[spec.team_slug],
                    "default_branch": "main",
                    "production_branches": ["main"],
                    "writeback_enabled": False,
                },
            )[0]
        return repos

    # --- merged PRs ---------------------------------------------------------------

    def _merged_prs(self, repos: dict[str, Repository]) -> list[MergedPullRequest]:
        start = self.today - timedelta(days=30 * MONTHS)
        authors = [p[3] for p in PEOPLE if p[4] == "engineer"] + ["dependabot[bot]", "contractor-kim"]
        rows = []
        for spec in REPOS:
            repo = repos[spec.full_name]
            count = spec.prs_per_month * MONTHS
            for number in range(1, count + 1):
                day = start + timedelta(days=int((number / count) * 30 * MONTHS))
                merged_at = self._at(day, self.rng.randint(7, 19))
                hotfix = self.rng.random() < spec.hotfix_share and day < self.today - timedelta(days=1)
                author = self.rng.choice(authors[:4] if hotfix else authors)
                slug = self.rng.choice(["forecast", "features", "calendar", "loader", "config", "schema"])
                rows.append(
                    MergedPullRequest(
                        repository=repo,
                        number=number,
                        title=(
                            HOTFIX_PR_TITLES[number % len(HOTFIX_PR_TITLES)].format(slug=slug)
                            if hotfix
                            else f"Improve {slug} handling ({number})"
                        ),
                        author_login=author,
                        merged_at=merged_at,
                        merge_commit_sha=f"{self.rng.getrandbits(160):040x}",
                        base_branch="main",
                        head_branch=(f"hotfix/{slug}-{number}" if hotfix else f"feature/{slug}-{number}"),
                        labels=["hotfix"] if hotfix else self.rng.choice([[], ["enhancement"], ["ml"]]),
                        is_hotfix=hotfix,
                        html_url=f"https://github.com/{spec.full_name}/pull/{number}",
                    )
                )
        rows.append(self._story_hotfix(repos[REPOS[0].full_name], number=REPOS[0].prs_per_month * MONTHS + 1))
        MergedPullRequest.objects.bulk_create(rows, batch_size=1000)
        return list(
            MergedPullRequest.objects.filter(is_hotfix=True).select_related("repository").order_by("merged_at", "pk")
        )

    def _story_hotfix(self, repo: Repository, *, number: int) -> MergedPullRequest:
        """The demo engineer's own hotfix from eight days ago: its postmortem is overdue and empty."""
        merged_at = self._at(self.today - timedelta(days=8), 23)
        return MergedPullRequest(
            repository=repo,
            number=number,
            title="[hotfix] replenishment job reads the renamed forecast column",
            author_login="eli-okafor",
            merged_at=merged_at,
            merge_commit_sha=f"{self.rng.getrandbits(160):040x}",
            base_branch="main",
            head_branch=STORY_BRANCH,
            labels=["hotfix"],
            is_hotfix=True,
            html_url=f"https://github.com/{repo.full_name}/pull/{number}",
        )

    def _at(self, day: date, hour: int) -> datetime:
        return timezone.make_aware(datetime.combine(day, time(hour, self.rng.randint(0, 59))))

    # --- postmortems ----------------------------------------------------------------

    def _postmortems(self, hotfixes: list[MergedPullRequest]) -> None:
        categories = {c.slug: c for c in FailureCategory.objects.all()}
        specs = {s.full_name: s for s in REPOS}
        lead, other_lead = self.users["lena.lead"], self.users["dana.lead"]
        promoted = False
        for index, pr in enumerate(hotfixes):
            postmortem, _ = services.postmortem_open_for_hotfix(merged_pr=pr)
            Postmortem.objects.filter(pk=postmortem.pk).update(created_at=pr.merged_at + timedelta(minutes=1))
            age = (self.today - pr.merged_at.date()).days
            spec = specs[pr.repository.full_name]
            # The §0 story: downstream breakage dominates the demand forecast and its consumers.
            slug = spec.categories[0] if self.rng.random() < 0.5 else self.rng.choice(spec.categories)
            if postmortem.owner is None:
                # Authors without an account (bots, contractors): a lead assigns them.
                postmortem.owner = self.users[self.rng.choice(["priya.shah", "marco.rossi", "sam.chen"])]
                postmortem.save(update_fields=["owner"])
            reviewer = other_lead if postmortem.owner == lead else lead
            if age <= 3 or pr.head_branch == STORY_BRANCH:
                continue  # fresh drafts, untouched: the state the webhook leaves them in
            self._fill(postmortem, pr, categories[slug], age)
            if age <= 45 and index % 3 == 0:
                continue  # drafts in progress, some of them overdue
            if not promoted and age < 200 and postmortem.missing_items.exists():
                services.missing_item_promote(missing_item=postmortem.missing_items.first(), actor=lead)
                promoted = True
            self._advance(postmortem, pr, reviewer, age, index)
        self._dismissed_example(hotfixes)

    def _fill(self, postmortem: Postmortem, pr: MergedPullRequest, category: FailureCategory, age: int) -> None:
        rng = self.rng
        title, root_cause = INCIDENTS[category.slug]
        detection = rng.choices(
            [
                DetectionMethod.MANUAL_CHECK,
                DetectionMethod.CUSTOMER_REPORT,
                DetectionMethod.AUTOMATED_ALERT,
                DetectionMethod.ENGINEER_NOTICED,
                DetectionMethod.AUTOMATED_CHECK,
            ],
            weights=[5 if age > 240 else 2, 2, 2 if age > 240 else 5, 2, 1 if age > 240 else 3],
        )[0]
        detected = pr.merged_at - timedelta(hours=rng.randint(2, 30))
        severity = rng.choice(["SEV1", "SEV2", "SEV2", "SEV3", "SEV3", "SEV4"])
        services.postmortem_update(
            postmortem=postmortem,
            actor=self.users["lena.lead"],
            title=title,
            severity=severity,
            summary=f"{title}. Patched by hotfix #{pr.number}.",
            impact=rng.choice(
                [
                    "Stores received no replenishment orders for one day.",
                    "Forecast accuracy dropped for 12% of SKUs until the rerun.",
                    "Pricing used stale features for six hours.",
                    "A customer escalated wrong order quantities.",
                ]
            ),
            detected_at=detected,
            resolved_at=pr.merged_at,
            detection_method=detection,
            caught_in=rng.choice(["staging", "staging", "dev", "none"]),
            trigger=rng.choice(["code", "config", "data", "schema", "dependency"]),
            root_cause=root_cause,
            category=category,
            effort_hours=_hours(EFFORT_HOURS_BY_SEVERITY[severity], pr.number),
        )
        self._actions(postmortem, pr, detection, age)
        self._assess(postmortem)

    def _actions(self, postmortem: Postmortem, pr: MergedPullRequest, detection: str, age: int) -> None:
        owner = postmortem.owner
        due = pr.merged_at.date() + timedelta(days=self.rng.randint(10, 40))
        permanent = services.action_create(
            postmortem=postmortem,
            actor=None,
            kind=ActionKind.AUTOMATION,
            owner=owner,
            due_date=due,
            description="Run every downstream job end-to-end in staging from CI before release",
            estimate_hours=_hours(ESTIMATE_HOURS_BY_KIND[ActionKind.AUTOMATION], pr.number),
        )
        kind = self.rng.choice([ActionKind.TEST, ActionKind.MONITORING])
        services.action_create(
            postmortem=postmortem,
            actor=None,
            kind=kind,
            estimate_hours=_hours(ESTIMATE_HOURS_BY_KIND[kind], pr.number + 1),
            owner=self.users[self.rng.choice(["eli.engineer", "priya.shah", "marco.rossi", "sam.chen"])],
            due_date=due + timedelta(days=7),
            description="Add a contract test for the columns downstream jobs read",
        )
        if detection == DetectionMethod.MANUAL_CHECK:
            services.action_create(
                postmortem=postmortem,
                actor=None,
                kind=ActionKind.TEMPORARY_MITIGATION,
                owner=owner,
                due_date=due,
                description="Eyeball the forecast dashboard after each run",
                replaced_by=permanent,
                estimate_hours=_hours(ESTIMATE_HOURS_BY_KIND[ActionKind.TEMPORARY_MITIGATION], pr.number + 2),
                expires_at=pr.merged_at.date() + timedelta(days=self.rng.randint(14, 60)),
            )

    def _assess(self, postmortem: Postmortem) -> None:
        version: ChecklistTemplateVersion = postmortem.checklist_version
        for item in version.items.all():
            roll = self.rng.random()
            if item.text == MOST_SKIPPED_STEP and roll < 0.7:
                status, caught = AssessmentStatus.SKIPPED, self.rng.random() < 0.85
            elif roll < 0.18:
                status, caught = AssessmentStatus.SKIPPED, self.rng.random() < 0.4
            elif roll < 0.25:
                status, caught = AssessmentStatus.NOT_APPLICABLE, None
            else:
                status, caught = AssessmentStatus.FOLLOWED, None
            services.assessment_set(
                postmortem=postmortem,
                actor=None,
                item=item,
                status=status,
                would_have_caught=caught,
                ineffective=status == AssessmentStatus.FOLLOWED and self.rng.random() < 0.08,
            )
        if self.rng.random() < 0.3:
            missing = services.missing_item_add(
                postmortem=postmortem, actor=None, text="Compared row counts with the previous run before publishing"
            )
            # Proposed while the record was written, not when the demo was loaded.
            MissingChecklistItem.objects.filter(pk=missing.pk).update(proposed_at=postmortem.anchor_at)

    def _advance(self, postmortem: Postmortem, pr: MergedPullRequest, reviewer: User, age: int, index: int) -> None:
        now = timezone.now()
        # Recent records cannot have been reviewed in the future.
        submitted = min(pr.merged_at + timedelta(days=self.rng.randint(1, 9)), now - timedelta(hours=2))
        services.postmortem_submit(postmortem=postmortem, actor=postmortem.owner, now=submitted)
        if age <= 45 and index % 3 == 1:
            return  # waiting for review
        if index % 11 == 5 and age > 20:
            services.postmortem_request_changes(
                postmortem=postmortem,
                actor=reviewer,
                comment="The root cause stops at the symptom: why did the schema change reach production unseen?",
            )
            services.postmortem_submit(postmortem=postmortem, actor=postmortem.owner, now=submitted)
        approved = min(submitted + timedelta(days=self.rng.randint(0, 6)), now - timedelta(hours=1))
        services.postmortem_approve(postmortem=postmortem, actor=reviewer, now=approved)
        self._follow_through(postmortem, approved, age)
        Postmortem.objects.filter(pk=postmortem.pk).update(created_at=pr.merged_at + timedelta(minutes=1))

    def _follow_through(self, postmortem: Postmortem, approved: datetime, age: int) -> None:
        actions = list(postmortem.actions.order_by("pk"))
        PreventionAction.objects.filter(postmortem=postmortem).update(created_at=approved - timedelta(days=1))
        # Follow-through is the weak spot of §0: records rarely get every action done. The
        # few schema-change records that do are what makes a later one "recurred despite prevention".
        finish_all = age > 60 and postmortem.category.slug == "data-or-schema-change" and self.rng.random() < 0.35
        for position, action in enumerate(actions):
            if action.kind == ActionKind.TEMPORARY_MITIGATION:
                continue  # the eyeball check lingers: the manual-check debt of §0
            if finish_all or (position == 0 and age > 45 and self.rng.random() < 0.6):
                services.action_complete(
                    action=action, actor=None, evidence_url=f"{postmortem.repository.html_url}/pull/{9000 + action.pk}"
                )
                done_at = timezone.make_aware(datetime.combine(action.due_date, time(12))) + timedelta(
                    days=self.rng.randint(-8, 6)
                )
                PreventionAction.objects.filter(pk=action.pk).update(completed_at=min(done_at, timezone.now()))
            elif age > 45 and self.rng.random() < 0.25:
                services.action_set_status(action=action, actor=None, status=ActionStatus.IN_PROGRESS)

    def _dismissed_example(self, hotfixes: list[MergedPullRequest]) -> None:
        candidate = (
            Postmortem.objects.filter(status=PostmortemStatus.DRAFT, summary="")
            .exclude(owner__username="eli.engineer")
            .order_by("created_at")
            .first()
        )
        if candidate:
            services.postmortem_dismiss(
                postmortem=candidate,
                actor=self.users["lena.lead"],
                reason="Labelled hotfix by mistake: this was a planned release of a new feature.",
            )


def _hours(bounds: tuple[int, int], seed: int) -> float:
    """Hours within `bounds`, to the half hour, from their own seed so the demo's other draws stay as they were."""
    low, high = bounds
    return random.Random(seed).randint(low * 2, high * 2) / 2


def seed_demo(*, log=print, today: date | None = None) -> bool:
    """Create the demo world if it is not there; returns whether anything was created."""
    return DemoBuilder(today=today, log=log).run()
