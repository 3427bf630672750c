"""The records, reference rows and five callers every cell of the permission matrix meets."""

from __future__ import annotations

from datetime import date

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from postmortems import services
from postmortems.models import (
    ActionIssue,
    ActionReminder,
    BranchCommit,
    ChecklistTemplate,
    Evidence,
    GitHubInstallation,
    MissingChecklistItem,
    OpenPullRequest,
    Postmortem,
    RepositoryName,
    SlackMessage,
    TimelineNote,
    VerificationDue,
    WebhookDelivery,
)
from postmortems.services.report_snapshots import report_snapshot_store
from tests.factories import (
    EngineerFactory,
    FailureCategoryFactory,
    LeadFactory,
    MergedPullRequestFactory,
    RepositoryFactory,
    TeamFactory,
    UserFactory,
    ready_to_submit,
)

ROLES = ("anon", "member", "outsider", "lead", "staff")


def _users() -> dict:
    """Leads reach /admin/ with their group's permissions (apps.py); staff are the operators (superusers)."""
    return {
        "anon": None,
        "member": EngineerFactory(username="member-engineer"),
        "outsider": EngineerFactory(username="outsider-engineer"),
        "lead": LeadFactory(username="matrix-lead", is_staff=True),
        "staff": UserFactory(username="matrix-staff", is_staff=True, is_superuser=True),
    }


def _records(member) -> dict:
    """The member's team and its records in each state; the outsider is in another team."""
    team = TeamFactory(slug="forecasting", name="Forecasting")
    team.members.add(member)
    repo = RepositoryFactory(full_name="acme/forecast", team=team)
    draft = ready_to_submit(owner=member, repository=repo)
    in_review = services.postmortem_submit(postmortem=ready_to_submit(owner=member, repository=repo), actor=member)
    approved = services.postmortem_submit(postmortem=ready_to_submit(owner=member, repository=repo), actor=member)
    approved = services.postmortem_approve(postmortem=approved, actor=LeadFactory(username="approver"))
    hotfix = MergedPullRequestFactory(repository=repo, number=499, is_hotfix=True)
    services.postmortem_open_for_hotfix(merged_pr=hotfix)
    return {
        "team": team,
        "repo": repo,
        "draft": draft,
        "in_review": in_review,
        "approved": approved,
        "pr": MergedPullRequestFactory(repository=repo, number=500, is_hotfix=True),
        "skipped_pr": MergedPullRequestFactory(
            repository=repo, number=501, staging_verification="skipped", staging_reason="never deployed to staging"
        ),
        "hotfix": hotfix.hotfix,
    }


def _admin_rows(records: dict, users: dict) -> dict[str, object]:
    """One row of every model the admin serves, by `app.model`."""
    draft = records["draft"]
    now = timezone.now()
    rows = {
        "auth.group": Group.objects.get(name="engineers"),
        "axes.accessattempt": AccessAttempt.objects.create(
            username="x", ip_address="127.0.0.1", failures_since_start=1
        ),
        "axes.accesslog": AccessLog.objects.create(username="x", ip_address="127.0.0.1"),
        "axes.accessfailurelog": AccessFailureLog.objects.create(username="x", ip_address="127.0.0.1"),
        "postmortems.user": users["member"],
        "postmortems.team": records["team"],
        "postmortems.repository": records["repo"],
        "postmortems.mergedpullrequest": records["pr"],
        "postmortems.hotfixpullrequest": records["hotfix"],
        "postmortems.failurecategory": FailureCategoryFactory(slug="clock-drift", name="Clock drift"),
        "postmortems.postmortem": draft,
        "postmortems.preventionaction": draft.actions.get(),
        "postmortems.checklisttemplate": ChecklistTemplate.objects.get(is_default=True),
        "postmortems.checklisttemplateversion": draft.checklist_version,
        "postmortems.checklistitem": draft.checklist_version.items.first(),
        "postmortems.checklistassessment": draft.assessments.first(),
        "postmortems.missingchecklistitem": MissingChecklistItem.objects.create(postmortem=draft, text="Count rows"),
        "postmortems.reviewevent": records["in_review"].review_events.get(),
        "postmortems.timelinenote": TimelineNote.objects.create(postmortem=draft, at=now, text="Paged the team"),
        "postmortems.reportsnapshot": report_snapshot_store(month=date(2026, 2, 1))[0],
        "postmortems.evidence": Evidence.objects.create(
            repository=records["repo"],
            kind="check",
            sha="b" * 40,
            name="downstream-e2e",
            status="success",
            occurred_at=now,
            source="api",
            source_key="api:matrix:row",
        ),
        "postmortems.branchcommit": BranchCommit.objects.create(
            repository=records["repo"], branch="main", sha="c" * 40, pushed_at=now, position=0
        ),
        "postmortems.openpullrequest": OpenPullRequest.objects.create(
            repository=records["repo"], number=502, head_sha="d" * 40, base_branch="main"
        ),
        "postmortems.verificationdue": VerificationDue.objects.create(repository=records["repo"], sha="e" * 40),
        "postmortems.evidencetoken": services.evidence_token_create(
            repository=records["repo"], actor=users["lead"], name="matrix pipeline"
        )[0],
        "postmortems.repositoryname": RepositoryName.objects.create(
            repository=records["repo"], full_name="acme/forecast-old"
        ),
        "postmortems.githubinstallation": GitHubInstallation.objects.create(installation_id=957387),
        "postmortems.actionissue": ActionIssue.objects.create(action=draft.actions.get(), repository="acme/forecast"),
        "postmortems.slackmessage": SlackMessage.objects.create(
            kind="test", team=records["team"], channel="team", item="matrix", period="2026-W10", payload={}
        ),
        "postmortems.actionreminder": ActionReminder.objects.create(
            action=draft.actions.get(), reason="action_past_due"
        ),
        "postmortems.webhookdelivery": WebhookDelivery.objects.create(
            delivery_id="d-1", event="pull_request", action="closed", payload={"number": 1}, received_at=now
        ),
    }
    return rows


def build() -> dict:
    """Everything a probe's path or body may name, as `{placeholder}` values."""
    users = _users()
    records = _records(users["member"])
    rows = _admin_rows(records, users)
    draft = records["draft"]
    return {
        "users": users,
        "rows": rows,
        "draft": draft.pk,
        "in_review": records["in_review"].pk,
        "approved": records["approved"].pk,
        "action": draft.actions.get().pk,
        "approved_action": records["approved"].actions.get().pk,
        "item": draft.checklist_version.items.first().pk,
        "pr": records["pr"].pk,
        "pr_number": records["pr"].number,
        "skipped_pr": records["skipped_pr"].pk,
        "repo": records["repo"].pk,
        "team": records["team"].pk,
        "category": rows["postmortems.failurecategory"].pk,
        "category_slug": rows["postmortems.failurecategory"].slug,
        "template": rows["postmortems.checklisttemplate"].pk,
        "missing": rows["postmortems.missingchecklistitem"].pk,
        "snapshot": rows["postmortems.reportsnapshot"].pk,
        "delivery": rows["postmortems.webhookdelivery"].pk,
        "evidence_token": rows["postmortems.evidencetoken"].pk,
        "member_pk": users["member"].pk,
        "postmortem_ct": ContentType.objects.get_for_model(Postmortem).pk,
    }
