"""What the Slack messages of SPEC §11 say: a record opened, the weekly digest, the monthly summary.

Each function reads what its message needs, lays it out with `slack.messages`, and hands
it to `notifications.slack_message_queue`, which claims it once per period and sends it
after commit. A Slack failure never reaches the record that triggered the message.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ..choices import SlackMessageKind
from ..models import MergedPullRequest, Postmortem, ReportSnapshot, Team
from ..reports import MonthlyReport, headline_rows
from ..selectors import actions_past_due, mitigations_expiring, overdue_postmortems
from ..slack import messages
from .notifications import slack_message_queue, webhook_for


def _record_url(postmortem_id: int) -> str:
    return f"{settings.SITE_URL}/postmortems/{postmortem_id}/"


def _name(user) -> str:
    return user.get_username() if user else ""


def slack_record_opened_schedule(*, postmortem: Postmortem, merged_pr: MergedPullRequest) -> None:
    """After commit, tell the record's team that a hotfix record was opened (once per record)."""
    message = messages.record_opened(
        messages.RecordOpened(
            record_id=postmortem.pk,
            title=postmortem.title,
            url=_record_url(postmortem.pk),
            repository=merged_pr.repository.full_name,
            pr_number=merged_pr.number,
            pr_url=merged_pr.url,
            owner=_name(postmortem.owner),
            due_at=timezone.localtime(postmortem.due_at) if postmortem.due_at else None,
        )
    )
    slack_message_queue(
        kind=SlackMessageKind.RECORD_OPENED,
        team=postmortem.team,
        item=f"postmortem:{postmortem.pk}",
        period="",
        message=message,
    )


def week_label(today: date) -> str:
    year, week, _ = today.isocalendar()
    return f"{year}-W{week:02d}"


def weekly_digest_for(team: Team | None, *, now: datetime) -> messages.WeeklyDigest:
    """The digest of one team (None: records without a team) as of `now`."""
    today = timezone.localdate(now)
    in_team = Q(postmortem__team=team) if team else Q(postmortem__team__isnull=True)
    records = overdue_postmortems(now=now).filter(**({"team": team} if team else {"team__isnull": True}))
    return messages.WeeklyDigest(
        team=team.name if team else "records without a team",
        week=week_label(today),
        site_url=settings.SITE_URL + "/",
        overdue_records=[
            messages.OverdueRecord(pm.pk, pm.title, _record_url(pm.pk), _name(pm.owner), (now - pm.due_at).days)
            for pm in records.select_related("owner").order_by("due_at", "pk")
        ],
        late_actions=[
            messages.LateAction(
                a.description, _record_url(a.postmortem_id), _name(a.owner), a.due_date, (today - a.due_date).days
            )
            for a in actions_past_due(today=today).filter(in_team)
        ],
        mitigations=[
            messages.ExpiringMitigation(
                a.description, _record_url(a.postmortem_id), _name(a.owner), a.expires_at, a.expires_at < today
            )
            for a in mitigations_expiring(today=today).filter(in_team)
        ],
    )


def slack_weekly_digest_send(*, now: datetime | None = None) -> int:
    """Monday's beat job: queue each team's digest once per ISO week; returns how many were queued.

    Teams with a webhook of their own, and every team when a default webhook is set; the
    default channel also hears about records without a team, when there are any.
    """
    now = now or timezone.now()
    period = week_label(timezone.localdate(now))
    queued = 0
    for team in [*Team.objects.order_by("name"), None]:
        if not webhook_for(team)[1]:
            continue
        digest = weekly_digest_for(team, now=now)
        if team is None and not (digest.overdue_records or digest.late_actions or digest.mitigations):
            continue
        row = slack_message_queue(
            kind=SlackMessageKind.WEEKLY_DIGEST,
            team=team,
            item=f"team:{team.pk}" if team else "no-team",
            period=period,
            message=messages.weekly_digest(digest),
        )
        queued += row is not None
    return queued


def _fmt(value, kind: str) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.1f}%" if kind == "rate" else str(value)


def report_headline(data: dict) -> list[messages.HeadlineNumber]:
    """The report's headline numbers with last month's, as the leads' email shows them (one reading of the JSON)."""
    return [
        messages.HeadlineNumber(row.label, _fmt(row.value, row.kind), _fmt(row.previous, row.kind))
        for row in headline_rows(MonthlyReport.from_json(data))
    ]


def report_findings(data: dict) -> list[str]:
    """The titles of the report's findings (SPEC §12): each says what to fix first, with its numbers.

    A snapshot stored before the report computed findings has none, and none are made up here.
    """
    findings = data.get("findings") or []
    texts = [f if isinstance(f, str) else (f.get("title") or "") for f in findings if isinstance(f, str | dict)]
    return [text for text in texts if text][:3]


def slack_monthly_summary_queue(*, snapshot: ReportSnapshot) -> int:
    """On snapshot day: the report's headline numbers (and findings) to the default channel and each team's own."""
    data = snapshot.data
    summary = messages.monthly_summary(
        messages.MonthlySummary(
            month=snapshot.month_label,
            scope=snapshot.scope_label,
            url=settings.SITE_URL + reverse("report-snapshot", args=[snapshot.pk]),
            headline=report_headline(data),
            findings=report_findings(data),
        )
    )
    queued = 0
    for team in [None, *Team.objects.exclude(slack_webhook_url="").order_by("name")]:
        row = slack_message_queue(
            kind=SlackMessageKind.MONTHLY_SUMMARY,
            team=team,
            item=f"report:{snapshot.scope or 'all'}",
            period=snapshot.month_label,
            message=summary,
        )
        queued += row is not None
    return queued
