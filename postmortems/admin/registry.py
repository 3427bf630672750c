"""The admin of the records, GitHub rows, evidence, people and settings: list columns, filters, search, history."""

import allauth.account.admin
import allauth.socialaccount.admin  # noqa: F401
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from rest_framework.authtoken.models import TokenProxy
from simple_history.admin import SimpleHistoryAdmin

from .. import services
from ..models import (
    BranchCommit,
    ChecklistAssessment,
    ChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateVersion,
    Evidence,
    EvidenceToken,
    FailureCategory,
    GitHubInstallation,
    HotfixPullRequest,
    MergedPullRequest,
    MissingChecklistItem,
    OpenPullRequest,
    Postmortem,
    PreventionAction,
    ReportSnapshot,
    Repository,
    RepositoryName,
    ReviewEvent,
    Team,
    User,
    VerificationDue,
    WebhookDelivery,
)
from .mixins import NoDeleteMixin, RecordMixin


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (*DjangoUserAdmin.fieldsets, ("GitHub", {"fields": ("github_login",)}))
    list_display = ("username", "email", "github_login", "is_staff", "is_active")
    search_fields = ("username", "email", "github_login", "first_name", "last_name")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("members",)
    # The Slack webhook is a secret: set on the team settings page, shown here only by its end.
    exclude = ("slack_webhook_url",)
    readonly_fields = ("slack_webhook",)

    @admin.display(description="Slack webhook")
    def slack_webhook(self, team: Team) -> str:
        return f"configured, ends in …{team.slack_webhook_hint}" if team.slack_webhook_configured else "none"


@admin.register(Repository)
class RepositoryAdmin(admin.ModelAdmin):
    list_display = ("full_name", "team", "default_branch", "postmortem_due_days", "writeback_enabled", "active")
    list_filter = ("team", "writeback_enabled", "debt_status_enabled", "active")
    search_fields = ("full_name", "former_names__full_name")
    raw_id_fields = ("installation",)


@admin.register(RepositoryName)
class RepositoryNameAdmin(RecordMixin, admin.ModelAdmin):
    """Former names of renamed and transferred repositories (kept so the old name still finds them)."""

    list_display = ("full_name", "repository", "replaced_at")
    search_fields = ("full_name", "repository__full_name")
    list_select_related = ("repository",)
    readonly_fields = ("repository", "full_name", "replaced_at")


@admin.register(GitHubInstallation)
class GitHubInstallationAdmin(RecordMixin, admin.ModelAdmin):
    """What GitHub said of each App installation; tokens are never shown."""

    list_display = ("installation_id", "account_login", "state", "state_changed_at")
    list_filter = ("state",)
    search_fields = ("account_login",)
    fields = ("installation_id", "account_login", "state", "state_message", "state_changed_at", "created_at")
    readonly_fields = fields


@admin.register(MergedPullRequest)
class MergedPullRequestAdmin(RecordMixin, admin.ModelAdmin):
    list_display = ("__str__", "title", "author_login", "merged_at", "base_branch", "is_hotfix")
    list_filter = ("is_hotfix", "repository")
    search_fields = ("title", "author_login", "head_branch", "merge_commit_sha")
    date_hierarchy = "merged_at"
    list_select_related = ("repository",)
    raw_id_fields = ("repository",)


@admin.register(HotfixPullRequest)
class HotfixPullRequestAdmin(RecordMixin, admin.ModelAdmin):
    list_display = ("merged_pr", "postmortem", "comment_state", "commit_status_state", "no_longer_hotfix")
    list_filter = ("comment_state", "commit_status_state", "no_longer_hotfix")
    search_fields = ("merged_pr__title", "postmortem__title")
    list_select_related = ("merged_pr__repository", "postmortem")
    raw_id_fields = ("merged_pr", "postmortem")
    readonly_fields = ("comment_id", "writeback_error", "writeback_attempts", "writeback_updated_at")


@admin.register(FailureCategory)
class FailureCategoryAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ("name", "slug", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}


class PreventionActionInline(admin.TabularInline):
    model = PreventionAction
    fk_name = "postmortem"
    extra = 0
    can_delete = False
    fields = ("description", "kind", "owner", "due_date", "status", "evidence_url", "expires_at")
    raw_id_fields = ("owner",)
    show_change_link = True


class HotfixPullRequestInline(admin.TabularInline):
    model = HotfixPullRequest
    extra = 0
    can_delete = False
    fields = ("merged_pr", "comment_state", "commit_status_state", "writeback_error")
    readonly_fields = fields


@admin.register(Postmortem)
class PostmortemAdmin(RecordMixin, SimpleHistoryAdmin):
    list_display = ("id", "title", "status", "severity", "repository", "owner", "category", "due_at", "gap_kind")
    list_filter = (
        "status",
        "severity",
        "detection_method",
        "category",
        "gap_kind",
        "recurred_despite_prevention",
        "repository__team",
    )
    search_fields = ("title", "summary", "root_cause")
    date_hierarchy = "created_at"
    list_select_related = ("repository", "owner", "category")
    raw_id_fields = ("owner", "reviewer", "introduced_by", "repository", "checklist_version")
    filter_horizontal = ("contributing_categories", "prior_occurrences")
    readonly_fields = (
        "status",
        "submitted_at",
        "approved_at",
        "dismissed_at",
        "gap_kind",
        "anchor_at",
        "recurred_despite_prevention",
    )
    inlines = [HotfixPullRequestInline, PreventionActionInline]


@admin.register(PreventionAction)
class PreventionActionAdmin(RecordMixin, SimpleHistoryAdmin):
    list_display = ("description", "kind", "status", "owner", "due_date", "postmortem")
    list_filter = ("kind", "status")
    search_fields = ("description", "evidence_url")
    list_select_related = ("owner", "postmortem")
    raw_id_fields = ("postmortem", "owner", "replaced_by")


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0
    can_delete = False


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "is_default", "created_at")
    search_fields = ("name",)


@admin.register(ChecklistTemplateVersion)
class ChecklistTemplateVersionAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ("template", "number", "created_by", "created_at", "change_note")
    list_filter = ("template",)
    inlines = [ChecklistItemInline]

    def has_change_permission(self, request, obj=None):
        # Versions are frozen: editing a checklist makes a new version.
        return False


@admin.register(ChecklistItem)
class ChecklistItemAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ("text", "version", "position")
    list_filter = ("version__template",)
    search_fields = ("text",)
    list_select_related = ("version__template",)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ChecklistAssessment)
class ChecklistAssessmentAdmin(RecordMixin, SimpleHistoryAdmin):
    list_display = ("postmortem", "item", "status", "would_have_caught", "ineffective")
    list_filter = ("status", "would_have_caught", "ineffective")
    list_select_related = ("postmortem", "item")
    raw_id_fields = ("postmortem", "item")


@admin.register(MissingChecklistItem)
class MissingChecklistItemAdmin(RecordMixin, SimpleHistoryAdmin):
    list_display = ("text", "postmortem", "proposed_at", "promoted_to")
    search_fields = ("text",)
    raw_id_fields = ("postmortem", "promoted_to", "promoted_by")


@admin.register(ReviewEvent)
class ReviewEventAdmin(RecordMixin, admin.ModelAdmin):
    list_display = ("postmortem", "kind", "actor", "created_at")
    list_filter = ("kind",)
    search_fields = ("comment",)
    raw_id_fields = ("postmortem", "actor")


@admin.register(ReportSnapshot)
class ReportSnapshotAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ("month", "scope", "generated_at", "emailed_at")
    list_filter = ("scope",)
    readonly_fields = ("month", "scope", "team", "repository", "data", "generated_at", "emailed_at")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ("delivery_id", "event", "action", "status", "attempts", "received_at", "short_error")
    list_filter = ("status", "event")
    search_fields = ("delivery_id", "last_error")
    actions = ["reprocess"]
    readonly_fields = (
        "delivery_id",
        "event",
        "action",
        "payload",
        "received_at",
        "attempts",
        "last_error",
        "processed_at",
    )
    date_hierarchy = "received_at"

    def get_queryset(self, request):
        # Payloads run to megabytes: the list never shows them, the change page loads its one.
        return super().get_queryset(request).defer("payload")

    @admin.display(description="error")
    def short_error(self, obj: WebhookDelivery) -> str:
        return (obj.last_error or "")[:80]

    @admin.action(description="Re-process the selected deliveries")
    def reprocess(self, request, queryset) -> None:
        for delivery in queryset:
            services.delivery_reprocess(delivery=delivery)
        self.message_user(request, f"{queryset.count()} deliveries queued for processing again.")


class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    @admin.action(description="Clean up expired attempts")
    def cleanup_expired_attempts(self, request, queryset) -> None:
        # django-axes reads the attempt time that only a sign-in request carries; without it
        # its own action fails with a 500 in the admin. "No attempt time" means "now" there.
        request.axes_attempt_time = None
        super().cleanup_expired_attempts(request, queryset)


admin.site.unregister(AccessAttempt)
admin.site.register(AccessAttempt, AccessAttemptAdmin)

# API tokens are credentials, and DRF's token admin shows every key (in the list, and as
# each token's name on its pages). People manage their own token at /account/token/.
admin.site.unregister(TokenProxy)

# allauth serves only the GitHub sign-in: its OAuth tokens are credentials and its e-mail and app
# tables are unused (the app's keys come from the environment), so none of them is in the admin.
for _model in (EmailAddress, SocialAccount, SocialApp, SocialToken):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class ReadOnlyMixin(NoDeleteMixin):
    """Facts recorded as they came: seen here, never added or changed by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("occurred_at", "repository", "kind", "sha", "environment", "stage", "name", "status", "source")
    list_filter = ("kind", "stage", "status", "source")
    search_fields = ("sha", "name", "environment", "source_key", "repository__full_name")
    list_select_related = ("repository",)
    date_hierarchy = "occurred_at"


@admin.register(BranchCommit)
class BranchCommitAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("repository", "branch", "sha", "pushed_at", "position")
    search_fields = ("sha", "branch", "repository__full_name")
    list_select_related = ("repository",)


@admin.register(OpenPullRequest)
class OpenPullRequestAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The open PRs whose `staging-verified` status the tracker keeps (kept from `pull_request` deliveries)."""

    list_display = ("repository", "number", "head_sha", "base_branch", "updated_at")
    search_fields = ("head_sha", "repository__full_name")
    list_select_related = ("repository",)


@admin.register(VerificationDue)
class VerificationDueAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Commits whose PRs' staging verification waits for a recompute: empty but for moments; rows older than
    a minute mean no worker has drained them (the sweep does it every minute)."""

    list_display = ("repository", "sha", "created_at")
    search_fields = ("sha", "repository__full_name")
    list_select_related = ("repository",)


@admin.register(EvidenceToken)
class EvidenceTokenAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Leads create and revoke evidence tokens on the repository's settings page (the token is shown there once)."""

    list_display = ("name", "repository", "created_by", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "repository__full_name")
    list_select_related = ("repository", "created_by")
    exclude = ("key_hash",)
