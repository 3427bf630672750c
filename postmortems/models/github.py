"""What GitHub tells us about: repositories, merged PRs, hotfix PRs, webhook deliveries."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ..choices import DeliveryStatus, StagingOverride, StagingVerification, WritebackState
from ._constraints import choice_constraint
from .fields import JSONTextField


def default_hotfix_labels() -> list[str]:
    return ["hotfix"]


def default_hotfix_branch_prefixes() -> list[str]:
    return ["hotfix/", "hotfix-"]


DEFAULT_HOTFIX_TITLE_PATTERN = r"(?i)\bhotfix\b"


def default_staging_branches() -> list[str]:
    return ["stg", "staging"]


class RepositoryQuerySet(models.QuerySet):
    def named(self, full_name: str) -> Repository | None:
        """The repository called `full_name` now, else the one most recently called that (renamed or
        transferred since, SPEC §13): an old owner/name in a link, a filter or a setting still finds it."""
        return (
            self.filter(full_name=full_name).first()
            or self.filter(former_names__full_name=full_name)
            .order_by("-former_names__replaced_at", "-former_names__pk")
            .first()
        )


class Repository(models.Model):
    """A GitHub repository and the rules that say which of its PRs are hotfixes."""

    full_name = models.CharField(max_length=200, unique=True, help_text='"owner/name"')
    github_id = models.BigIntegerField(null=True, blank=True, unique=True)
    # The GitHub App installation that acts for it (SPEC §13); empty with token auth or until known.
    installation = models.ForeignKey(
        "GitHubInstallation",
        to_field="installation_id",
        db_column="installation_id",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="repositories",
    )
    # False once removed from the App's installation (or deleted on GitHub); its history stays.
    active = models.BooleanField(default=True)
    # GitHub's `repository.updated_at` of the payload that gave the current name: an older
    # (redelivered) payload never renames it back.
    name_seen_at = models.DateTimeField(null=True, blank=True)
    team = models.ForeignKey("Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="repositories")
    default_branch = models.CharField(max_length=255, default="main")
    production_branches = models.JSONField(
        default=list, blank=True, help_text="Branches that deploy to production; empty means the default branch."
    )
    hotfix_labels = models.JSONField(default=default_hotfix_labels, blank=True)
    hotfix_branch_prefixes = models.JSONField(default=default_hotfix_branch_prefixes, blank=True)
    hotfix_title_pattern = models.CharField(max_length=255, default=DEFAULT_HOTFIX_TITLE_PATTERN, blank=True)
    checklist_template = models.ForeignKey(
        "ChecklistTemplate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repositories",
        help_text="Empty means the default template.",
    )
    postmortem_due_days = models.PositiveSmallIntegerField(default=5)
    writeback_enabled = models.BooleanField(
        default=True, help_text="Comment on hotfix PRs and set the `postmortem` commit status."
    )
    debt_status_enabled = models.BooleanField(
        default=False, help_text="Set a failing `postmortem-debt` status on new PRs while postmortems are overdue."
    )
    # Deployment evidence (SPEC §10).
    environment_stages = models.JSONField(
        default=dict, blank=True, help_text="{environment name: stage}, overriding the default names."
    )
    staging_branches = models.JSONField(
        default=default_staging_branches,
        blank=True,
        help_text="A push to one of these branches is a staging deployment of the commits it brings.",
    )
    staging_checks = models.JSONField(
        default=list, blank=True, help_text="Checks or workflows that must succeed in staging; empty: none."
    )
    staging_status = models.BooleanField(
        default=False, help_text="Write a `staging-verified` commit status on open PRs into production branches."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # SPEC §11: each new prevention action becomes a GitHub issue (here, or in one tracking repository).
    action_issues = models.BooleanField(default=False, help_text="File each new prevention action as a GitHub issue.")
    action_issue_repository = models.CharField(
        max_length=200, blank=True, help_text='"owner/name" to file every action issue in one tracking repository.'
    )

    objects = RepositoryQuerySet.as_manager()

    class Meta:
        ordering = ["full_name"]
        verbose_name_plural = "repositories"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(full_name__regex=r"^[^/\s]+/[^/\s]+$"), name="repository_full_name_owner_slash_name"
            ),
            models.CheckConstraint(condition=models.Q(postmortem_due_days__gte=1), name="repository_due_days_positive"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def effective_production_branches(self) -> list[str]:
        return list(self.production_branches) or [self.default_branch]

    @property
    def html_url(self) -> str:
        return f"https://github.com/{self.full_name}"


class MergedPullRequest(models.Model):
    """A PR merged into a production branch: the denominator of the hotfix rate."""

    repository = models.ForeignKey(Repository, on_delete=models.PROTECT, related_name="merged_prs")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=1024)
    author_login = models.CharField(max_length=255, blank=True)
    merged_at = models.DateTimeField()
    merge_commit_sha = models.CharField(max_length=64, blank=True)
    head_sha = models.CharField(max_length=64, blank=True, help_text="The PR's head commit when it was merged.")
    base_branch = models.CharField(max_length=255)
    head_branch = models.CharField(max_length=255, blank=True)
    head_repository = models.CharField(max_length=200, blank=True, help_text="Set when the PR came from a fork.")
    labels = models.JSONField(default=list, blank=True)
    is_hotfix = models.BooleanField(default=False)
    html_url = models.URLField(max_length=500, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    # Whether it ran in staging before production (SPEC §10): computed from evidence, never typed.
    staging_verification = models.CharField(
        max_length=16, choices=StagingVerification.choices, default=StagingVerification.PENDING
    )
    staging_reason = models.CharField(max_length=500, blank=True, help_text="Why it is not verified, in words.")
    reached_production_at = models.DateTimeField(null=True, blank=True)
    staging_evidence_ids = models.JSONField(
        default=list, blank=True, help_text="The evidence rows the answer rests on."
    )
    # A person's answer over a computed `skipped`, with why; the computed answer is kept beside it.
    staging_override = models.CharField(max_length=16, choices=StagingOverride.choices, blank=True)
    staging_override_reason = models.TextField(blank=True)
    staging_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    staging_override_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at"]
        constraints = [
            models.UniqueConstraint(fields=["repository", "number"], name="merged_pr_unique_per_repository"),
            choice_constraint("staging_verification", StagingVerification),
            choice_constraint("staging_override", StagingOverride, blank=True),
            models.CheckConstraint(
                condition=models.Q(staging_override="") | ~models.Q(staging_override_reason=""),
                name="merged_pr_staging_override_has_reason",
            ),
        ]
        indexes = [
            # The report's deployments and staging answers per month read only this index (PostgreSQL;
            # plain elsewhere): a year of merges is an eighth of the table, read from the heap it is most of it.
            models.Index(
                fields=["merged_at"],
                include=["is_hotfix", "repository", "staging_verification", "staging_override"],
                name="merged_pr_merged_cover_idx",
            ),
            models.Index(fields=["repository", "merged_at"], name="merged_pr_repo_merged_idx"),
            # What the visibility rule reads (selectors.visible_merged_prs), so an engineer's count of
            # a million PRs reads this index, not the table.
            models.Index(fields=["repository", "id"], name="merged_pr_visibility_idx"),
            models.Index(fields=["is_hotfix", "merged_at"], name="merged_pr_hotfix_merged_idx"),
            # New evidence names commits: find the merged PRs it is about.
            models.Index(fields=["repository", "merge_commit_sha"], name="merged_pr_repo_merge_sha_idx"),
            models.Index(fields=["repository", "head_sha"], name="merged_pr_repo_head_sha_idx"),
            models.Index(fields=["repository", "staging_verification"], name="merged_pr_repo_staging_idx"),
            # A record page suggests the PRs the last production deployment brought (timeline.py).
            models.Index(fields=["repository", "reached_production_at"], name="merged_pr_repo_reached_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.repository.full_name}#{self.number}"

    @property
    def url(self) -> str:
        return self.html_url or f"https://github.com/{self.repository.full_name}/pull/{self.number}"

    @property
    def effective_staging_verification(self) -> str:
        """The answer reports use: a person's override when there is one, else the computed answer."""
        return self.staging_override or self.staging_verification


class HotfixPullRequest(models.Model):
    """A merged hotfix PR, the postmortem that covers it, and our write-back to GitHub."""

    merged_pr = models.OneToOneField(MergedPullRequest, on_delete=models.PROTECT, related_name="hotfix")
    postmortem = models.ForeignKey("Postmortem", on_delete=models.PROTECT, related_name="hotfix_prs")
    # The merged PR's repository, copied on save (a merged PR never changes repository, and a link
    # never changes PR): visibility asks "covered hotfix PRs outside these repositories" of this
    # table alone, instead of reading a million-row PR table once per covered PR.
    repository = models.ForeignKey(
        Repository, on_delete=models.PROTECT, related_name="+", editable=False, db_index=False
    )
    # Set when a later edit/unlabel means the PR no longer looks like a hotfix; a lead decides.
    no_longer_hotfix = models.BooleanField(default=False)
    comment_id = models.BigIntegerField(null=True, blank=True)
    # The overdue reminder comments on the PR at most once (SPEC §3); its id, once posted.
    reminder_comment_id = models.BigIntegerField(null=True, blank=True)
    comment_state = models.CharField(max_length=16, choices=WritebackState.choices, default=WritebackState.NOT_SENT)
    commit_status = models.CharField(max_length=16, blank=True, help_text="Last `postmortem` status we set.")
    commit_status_state = models.CharField(
        max_length=16, choices=WritebackState.choices, default=WritebackState.NOT_SENT
    )
    writeback_error = models.TextField(blank=True)
    writeback_attempts = models.PositiveIntegerField(default=0)
    writeback_updated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["merged_pr__merged_at"]
        indexes = [
            models.Index(fields=["repository", "postmortem", "merged_pr"], name="hotfix_pr_visibility_idx"),
        ]
        constraints = [
            choice_constraint("comment_state", WritebackState),
            choice_constraint("commit_status_state", WritebackState),
        ]

    def __str__(self) -> str:
        return f"hotfix {self.merged_pr}"

    def save(self, *args, **kwargs):
        if self.repository_id is None:
            self.repository_id = self.merged_pr.repository_id
        super().save(*args, **kwargs)


class WebhookDelivery(models.Model):
    """One accepted GitHub delivery, stored before it is acknowledged."""

    # Unique through a constraint, not `unique=True`: that would add a second, pattern-matching
    # index PostgreSQL keeps up to date on every delivery, and nothing searches ids by prefix.
    delivery_id = models.CharField(max_length=100)
    event = models.CharField(max_length=100)
    action = models.CharField(max_length=100, blank=True)
    # The body as GitHub sent it; NULL once pruned (GITHUB_PAYLOAD_RETENTION_DAYS).
    payload = JSONTextField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["delivery_id"], name="webhook_delivery_id_unique"),
            choice_constraint("status", DeliveryStatus),
        ]
        indexes = [models.Index(fields=["status", "received_at"], name="delivery_status_received_idx")]

    def __str__(self) -> str:
        return f"{self.event}/{self.action or '-'} {self.delivery_id}"
