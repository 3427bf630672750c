"""Users and teams."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower

ENGINEERS_GROUP = "engineers"
LEADS_GROUP = "leads"


class User(AbstractUser):
    """A person who files or reviews postmortems; `github_login` maps PR authors to owners."""

    github_login = models.CharField(
        max_length=39,
        blank=True,
        null=True,
        help_text="GitHub username, so hotfix PRs by this person are assigned to them.",
    )

    class Meta:
        constraints = [
            # GitHub logins are case-insensitive: "Octocat" and "octocat" are one person.
            models.UniqueConstraint(Lower("github_login"), name="user_github_login_unique_ci"),
        ]

    def save(self, *args, **kwargs):
        # An empty login means "none"; store NULL so the unique constraint ignores it.
        if not self.github_login:
            self.github_login = None
        super().save(*args, **kwargs)

    @property
    def is_lead(self) -> bool:
        """Staff count as leads. Uses prefetched groups when available."""
        if not self.is_active:
            return False
        if self.is_staff or self.is_superuser:
            return True
        return any(group.name == LEADS_GROUP for group in self.groups.all())


class Team(models.Model):
    """A team owns repositories; reports can be filtered by team."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    members = models.ManyToManyField(User, related_name="teams", blank=True)
    # A secret (whoever has it can post to the channel): written by leads, only ever shown masked.
    slack_webhook_url = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def slack_webhook_configured(self) -> bool:
        return bool(self.slack_webhook_url)

    @property
    def slack_webhook_hint(self) -> str:
        """The last four characters of the webhook URL, all a page or the API ever shows of it."""
        return self.slack_webhook_url[-4:] if self.slack_webhook_url else ""
