"""Regenerate one stored monthly report snapshot: `manage.py report_snapshot 2026-10 [--team slug]`."""

from django.core.management.base import BaseCommand, CommandError

from postmortems.reports import ReportInputError, parse_report_month, resolve_scope
from postmortems.services.report_snapshots import report_snapshot_email_leads, report_snapshot_store


class Command(BaseCommand):
    help = "Recompute and store the monthly reliability report snapshot of one month (and scope)."

    def add_arguments(self, parser):
        parser.add_argument("month", help="YYYY-MM")
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--team", help="team slug")
        scope.add_argument("--repository", help="repository full name, owner/name")
        parser.add_argument("--email", action="store_true", help="mail the leads if this snapshot was never mailed")

    def handle(self, *args, month, team=None, repository=None, email=False, **options):
        try:
            month_start = parse_report_month(month)
            scope = resolve_scope(team=team, repository=repository)
        except ReportInputError as exc:
            raise CommandError(exc.message) from exc
        snapshot, _ = report_snapshot_store(month=month_start, scope=scope, regenerate=True)
        mailed = report_snapshot_email_leads(snapshot=snapshot) if email else 0
        self.stdout.write(
            self.style.SUCCESS(
                f"Stored snapshot #{snapshot.pk}: {snapshot}" + (f", mailed {mailed} leads" if email else "")
            )
        )
