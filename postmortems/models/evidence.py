"""What the pipeline proves about a commit (SPEC §10): evidence rows, production-branch order, evidence tokens."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models

from ..choices import EvidenceKind, EvidenceSource, EvidenceStatus, Stage
from ._constraints import choice_constraint

SHA_PATTERN = r"^[0-9a-f]{40}$"
# An evidence token reads as one at a glance (and to the authentication class): "pmev_" + 43 characters.
EVIDENCE_TOKEN_PREFIX = "pmev_"  # noqa: S105 - a marker, not a secret


class Evidence(models.Model):
    """One fact about a commit, appended and never changed: a deployment to an environment, or a check's outcome.

    Unique on (`source_key`, `status`): the source's own id for the fact (a deployment
    status id, a check run id, a workflow run id and attempt, a commit status id, a push's
    `after` and commit, an API caller's external id), so the same fact sent twice — a
    redelivery, or a repository, organisation and App hook each sending it — is one row,
    while a new status of the same thing (in_progress, then success) is a new row.
    """

    repository = models.ForeignKey("Repository", on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(max_length=16, choices=EvidenceKind.choices)
    sha = models.CharField(max_length=40, help_text="The commit, 40 lower-case hex characters.")
    environment = models.CharField(max_length=255, blank=True)
    stage = models.CharField(max_length=16, choices=Stage.choices, blank=True)
    name = models.CharField(max_length=255, blank=True, help_text="Check, workflow or status context.")
    status = models.CharField(max_length=16, choices=EvidenceStatus.choices)
    url = models.URLField(max_length=500, blank=True)
    occurred_at = models.DateTimeField()
    source = models.CharField(max_length=16, choices=EvidenceSource.choices)
    source_key = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name_plural = "evidence"
        constraints = [
            models.UniqueConstraint(fields=["source_key", "status"], name="evidence_unique_source_status"),
            models.CheckConstraint(condition=models.Q(sha__regex=SHA_PATTERN), name="evidence_sha_40_hex"),
            # A deployment always says where it went; a check may (the API's example names one).
            models.CheckConstraint(
                condition=~models.Q(kind=EvidenceKind.DEPLOYMENT) | ~models.Q(stage=""),
                name="evidence_deployment_has_stage",
            ),
            choice_constraint("kind", EvidenceKind),
            choice_constraint("stage", Stage, blank=True),
            choice_constraint("status", EvidenceStatus),
            choice_constraint("source", EvidenceSource),
        ]
        indexes = [
            # What happened to these commits (a merged PR's head and merge commits)?
            models.Index(fields=["repository", "sha"], name="evidence_repo_sha_idx"),
            # Deployments to a stage before a moment (did staging come before production?).
            models.Index(fields=["repository", "stage", "occurred_at"], name="evidence_repo_stage_time_idx"),
            # The runs of one check or workflow (`staging_checks`).
            models.Index(fields=["repository", "kind", "name"], name="evidence_repo_kind_name_idx"),
        ]

    def __str__(self) -> str:
        what = self.environment if self.kind == EvidenceKind.DEPLOYMENT else self.name
        return f"{self.kind} {what} {self.status} @ {self.sha[:7]}"

    @property
    def external_id(self) -> str:
        """The caller's id of an API fact (its source key is scoped to the repository)."""
        if self.source != EvidenceSource.API:
            return ""
        return self.source_key.split(":", 2)[-1]


class BranchCommit(models.Model):
    """A commit a push brought to a production branch, in the order the branch received it.

    A production deployment of a later commit of the branch contains every commit before
    it (SPEC §10, batched deploys). The order is the push's time, then the commit's place
    within the push (GitHub lists a push's commits oldest first, ending with `after`).
    Assumes the branch only moves forward: a force-push that rewrites it is recorded as
    pushed, not undone.
    """

    repository = models.ForeignKey("Repository", on_delete=models.PROTECT, related_name="branch_commits")
    branch = models.CharField(max_length=255)
    sha = models.CharField(max_length=40)
    pushed_at = models.DateTimeField()
    position = models.PositiveIntegerField(help_text="Place within its push, oldest first.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pushed_at", "position"]
        constraints = [
            # First sighting wins: a commit re-sent by a later push keeps its original place.
            models.UniqueConstraint(fields=["repository", "sha", "branch"], name="branch_commit_unique"),
            models.CheckConstraint(condition=models.Q(sha__regex=SHA_PATTERN), name="branch_commit_sha_40_hex"),
        ]
        indexes = [
            models.Index(fields=["repository", "branch", "pushed_at", "position"], name="branch_commit_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.branch}@{self.sha[:7]}"


class OpenPullRequest(models.Model):
    """An open PR into a production branch of a repository that writes `staging-verified` (SPEC §10).

    Kept from the `pull_request` deliveries (opened, synchronize, reopened, edited; gone
    when closed) so that new staging evidence about a head commit can update the PR's
    status without asking GitHub which PRs are open.
    """

    repository = models.ForeignKey("Repository", on_delete=models.CASCADE, related_name="open_prs")
    number = models.PositiveIntegerField()
    head_sha = models.CharField(max_length=40)
    base_branch = models.CharField(max_length=255)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["repository", "number"]
        constraints = [
            models.UniqueConstraint(fields=["repository", "number"], name="open_pr_unique_per_repository"),
            models.CheckConstraint(condition=models.Q(head_sha__regex=SHA_PATTERN), name="open_pr_sha_40_hex"),
        ]
        indexes = [models.Index(fields=["repository", "head_sha"], name="open_pr_repo_head_idx")]

    def __str__(self) -> str:
        return f"{self.repository_id}#{self.number} @ {self.head_sha[:7]}"


class VerificationDue(models.Model):
    """A commit whose merged PRs' staging verification must be recomputed: new evidence or a new PR named it.

    Written by a delivery in its own transaction when the worker processes deliveries in
    batches, so the recompute cannot be lost between the delivery's commit and a message
    to the broker, and drained after the batch (and by the sweep): each merged PR is
    recomputed once for all the commits that concern it. Rows are not unique on purpose:
    an insert never waits for a drain that holds the same commit's row.
    """

    repository = models.ForeignKey("Repository", on_delete=models.CASCADE, related_name="+")
    sha = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.repository_id}@{self.sha[:7]}"


def evidence_token_hash(key: str) -> str:
    """What is stored of an evidence token: its SHA-256 (the token is random and long, so no salt is needed)."""
    return hashlib.sha256(key.encode()).hexdigest()


class EvidenceToken(models.Model):
    """A repository's token for pipelines posting evidence, so a job never posts as a person.

    Only the hash is kept; the token is shown once, when a lead creates it.
    """

    repository = models.ForeignKey("Repository", on_delete=models.PROTECT, related_name="evidence_tokens")
    name = models.CharField(max_length=100, help_text="What uses it, e.g. “Databricks nightly job”.")
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.repository} / {self.name}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
