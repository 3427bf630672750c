"""Storing monthly report snapshots and mailing them to the leads."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ..models import LEADS_GROUP, ReportSnapshot, User
from ..months import last_complete_month
from ..reports import MonthlyReport, Scope, absent_findings, build_monthly_report, headline_rows


def report_snapshot_store(
    *, month: date, scope: Scope | None = None, regenerate: bool = False, now: datetime | None = None
) -> tuple[ReportSnapshot, bool]:
    """Store the report of `month` for `scope` once; `regenerate` recomputes an existing one.

    Returns the snapshot and whether its numbers were (re)computed now. One snapshot per
    month and scope (a unique constraint), so a repeated beat run changes nothing.
    """
    scope = scope or Scope()
    existing = ReportSnapshot.objects.filter(month=month, scope=scope.key).first()
    if existing is not None and not regenerate:
        return existing, False
    now = now or timezone.now()
    data = build_monthly_report(month, scope, now=now).as_json()
    snapshot, _ = ReportSnapshot.objects.update_or_create(
        month=month,
        scope=scope.key,
        defaults={"data": data, "generated_at": now, "team": scope.team, "repository": scope.repository},
    )
    return snapshot, True


def _lead_emails() -> list[str]:
    leads = (
        User.objects.filter(Q(groups__name=LEADS_GROUP) | Q(is_staff=True), is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    return sorted(set(leads))


def _fmt(value, kind: str) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.1f}%" if kind == "rate" else str(value)


def _findings_lines(report: MonthlyReport) -> list[str]:
    """What to fix first: each finding's title, detail and links, then what the month did not support."""
    lines = ["What to fix first:"]
    for finding in report.findings:
        lines.append(f"- {finding.title}")
        lines.append(f"  {finding.detail}")
        lines += [f"  {link.label}: {settings.SITE_URL}{link.url}" for link in finding.links]
    lines += [f"- {line}" for line in absent_findings(report.findings)]
    return [*lines, ""]


def _summary(snapshot: ReportSnapshot) -> str:
    report = MonthlyReport.from_json(snapshot.data)
    url = settings.SITE_URL + reverse("report-snapshot", args=[snapshot.pk])
    lines = [f"Monthly reliability report for {snapshot.month_label} ({snapshot.scope_label}).", ""]
    lines += _findings_lines(report)
    for row in headline_rows(report):
        lines.append(f"- {row.label}: {_fmt(row.value, row.kind)} (last month {_fmt(row.previous, row.kind)})")
    recurring = ", ".join(c.name for c in report.recurring_categories) or "none"
    lines += ["", f"Recurring failure categories: {recurring}", "", f"The full report with charts: {url}"]
    return "\n".join(lines)


def report_snapshot_email_leads(*, snapshot: ReportSnapshot, now: datetime | None = None) -> int:
    """Mail the leads a summary with a link, at most once per snapshot; returns recipients mailed."""
    with transaction.atomic():
        locked = ReportSnapshot.objects.select_for_update().get(pk=snapshot.pk)
        if locked.emailed_at is not None:
            return 0
        recipients = _lead_emails()
        if recipients:
            send_mail(
                subject=f"[Reliability report] {locked.month_label} — {locked.scope_label}",
                message=_summary(locked),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=recipients,
            )
        locked.emailed_at = now or timezone.now()
        locked.save(update_fields=["emailed_at"])
    return len(recipients)


def monthly_snapshot_run(*, now: datetime | None = None) -> ReportSnapshot:
    """The beat job of the 1st: store last month's report (all teams) and mail the leads, once."""
    now = now or timezone.now()
    snapshot, _ = report_snapshot_store(month=last_complete_month(now), now=now)
    report_snapshot_email_leads(snapshot=snapshot, now=now)
    return snapshot
