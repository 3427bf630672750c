"""Ask GitHub to redeliver webhook deliveries that failed or that we never stored (SPEC §4)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from datetime import time as dt_time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from postmortems.github.client import GitHubClient, GitHubError, HookDeliveryInfo
from postmortems.models import WebhookDelivery


def _failed(attempt: HookDeliveryInfo) -> bool:
    return not (attempt.status_code and 200 <= attempt.status_code < 300)


class Command(BaseCommand):
    help = "List a hook's deliveries through the GitHub API and redeliver the failed ones and the ones never stored."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("repository", help="owner/name")
        parser.add_argument("--hook-id", type=int, required=True)
        parser.add_argument("--since", required=True, help="YYYY-MM-DD: only deliveries from this day on")
        parser.add_argument("--dry-run", action="store_true", help="Only say what would be redelivered.")

    def handle(self, *args, repository: str, hook_id: int, since: str, dry_run: bool, **options) -> None:
        try:
            start = datetime.combine(date.fromisoformat(since), dt_time.min, tzinfo=UTC)
        except ValueError as exc:
            raise CommandError(f"{since!r} is not a date (YYYY-MM-DD).") from exc
        client = GitHubClient()
        try:
            attempts = client.hook_deliveries(repository, hook_id)
        except GitHubError as exc:
            raise CommandError(str(exc)) from exc
        latest = self._latest_per_guid([a for a in attempts if a.delivered_at and a.delivered_at >= start])
        stored = set(WebhookDelivery.objects.filter(delivery_id__in=latest).values_list("delivery_id", flat=True))
        wanted = [a for guid, a in latest.items() if a.event != "ping" and (guid not in stored or _failed(a))]
        for attempt in wanted:
            reason = "never stored" if attempt.guid not in stored else f"failed ({attempt.status_code})"
            self.stdout.write(f"{attempt.guid} {attempt.event}/{attempt.action or '-'}: {reason}")
            if not dry_run:
                try:
                    client.redeliver(repository, hook_id, attempt.id)
                except GitHubError as exc:
                    raise CommandError(f"Redelivering {attempt.guid} failed: {exc}") from exc
        verb = "would be redelivered" if dry_run else "redelivery requested"
        self.stdout.write(self.style.SUCCESS(f"{len(wanted)} of {len(latest)} deliveries: {verb}."))

    @staticmethod
    def _latest_per_guid(attempts: list[HookDeliveryInfo]) -> dict[str, HookDeliveryInfo]:
        """One entry per delivery GUID: its most recent attempt (redeliveries share the GUID)."""
        latest: dict[str, HookDeliveryInfo] = {}
        for attempt in attempts:
            current = latest.get(attempt.guid)
            if current is None or attempt.delivered_at > current.delivered_at:
                latest[attempt.guid] = attempt
        return latest
