"""GitHub App installations and the former names of repositories (SPEC §13)."""

from django.db import models

from ..choices import InstallationState
from ._constraints import choice_constraint


class GitHubInstallation(models.Model):
    """An installation of our GitHub App on an account, and whether it can still act.

    A suspended or removed installation is recorded here (with GitHub's words) so the
    repositories show why nothing is written back, and so it is not asked again until
    GitHub says it is back (an `installation` event or a delivery carrying it).
    """

    installation_id = models.BigIntegerField(unique=True)
    account_login = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=16, choices=InstallationState.choices, default=InstallationState.ACTIVE)
    state_message = models.TextField(blank=True)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    # The installation token, shared by every worker when there is no Redis cache (see github.client).
    token = models.TextField(blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["installation_id"]
        constraints = [choice_constraint("state", InstallationState)]

    def __str__(self) -> str:
        return f"installation {self.installation_id} ({self.account_login or '?'})"

    @property
    def can_act(self) -> bool:
        return self.state == InstallationState.ACTIVE


class RepositoryName(models.Model):
    """A name a repository had before a rename or transfer; looking it up still finds the repository."""

    repository = models.ForeignKey("Repository", on_delete=models.CASCADE, related_name="former_names")
    full_name = models.CharField(max_length=200, db_index=True)
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-replaced_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["repository", "full_name"], name="repository_name_unique_per_repository")
        ]

    def __str__(self) -> str:
        return f"{self.full_name} (now {self.repository_id})"
