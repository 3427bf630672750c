"""Ask GitHub to redeliver webhook deliveries that failed or that we never stored (SPEC §4, §13).

Three kinds of hook: a repository's (`owner/name --hook-id N`), an organisation's
(`--org ORG --hook-id N`) and the GitHub App's own (`--app`, authenticated as the App).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as dt_time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from postmortems.github.client import (
    GitHubError,
    HookDeliveryInfo,
    app_configured,
    app_hook_deliveries,
    app_redeliver,
    client_for,
)
from postmortems.models import Repository, WebhookDelivery
from postmortems.selectors import repository_named


def _failed(attempt: HookDeliveryInfo) -> bool:
    return not (attempt.status_code and 200 <= attempt.status_code < 300)


@dataclass(frozen=True)
class Hook:
    """Where the deliveries are listed, and how one is sent again."""

    name: str
    deliveries: Callable[[], list[HookDeliveryInfo]]
    redeliver: Callable[[int], None]


class Command(BaseCommand):
    help = (
        "List a hook's deliveries through the GitHub API (a repository's, an organisation's with --org, "
        "or the GitHub App's with --app) and redeliver the failed ones and the ones never stored."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("repository", nargs="?", help="owner/name (a repository hook)")
        parser.add_argument("--org", help="an organisation hook of ORG")
        parser.add_argument("--app", action="store_true", help="the GitHub App's webhook")
        parser.add_argument("--hook-id", type=int, help="the hook's id (repository and organisation hooks)")
        parser.add_argument("--since", required=True, help="YYYY-MM-DD: only deliveries from this day on")
        parser.add_argument("--dry-run", action="store_true", help="Only say what would be redelivered.")

    def handle(self, *args, since: str, dry_run: bool, **options) -> None:
        try:
            start = datetime.combine(date.fromisoformat(since), dt_time.min, tzinfo=UTC)
        except ValueError as exc:
            raise CommandError(f"{since!r} is not a date (YYYY-MM-DD).") from exc
        hook = self._hook(options["repository"], options["org"], options["app"], options["hook_id"])
        try:
            attempts = hook.deliveries()
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
                    hook.redeliver(attempt.id)
                except GitHubError as exc:
                    raise CommandError(f"Redelivering {attempt.guid} failed: {exc}") from exc
        verb = "would be redelivered" if dry_run else "redelivery requested"
        self.stdout.write(self.style.SUCCESS(f"{hook.name}: {len(wanted)} of {len(latest)} deliveries: {verb}."))

    @staticmethod
    def _hook(repository: str | None, org: str | None, app: bool, hook_id: int | None) -> Hook:
        if sum([bool(repository), bool(org), app]) != 1:
            raise CommandError("Name one hook: owner/name, --org ORG or --app.")
        if app:
            if not app_configured():
                raise CommandError("--app needs the GitHub App (GITHUB_APP_ID and its private key).")
            return Hook("the GitHub App's hook", app_hook_deliveries, app_redeliver)
        if hook_id is None:
            raise CommandError("--hook-id is required for a repository or organisation hook.")
        if org:
            client = client_for(owner=org)
            return Hook(
                f"organisation {org}",
                lambda: client.org_hook_deliveries(org, hook_id),
                lambda delivery: client.org_redeliver(org, hook_id, delivery),
            )
        if repository.count("/") != 1:
            raise CommandError("Give the repository as owner/name.")
        client = client_for(repository_named(repository) or Repository(full_name=repository))
        return Hook(
            repository,
            lambda: client.hook_deliveries(repository, hook_id),
            lambda delivery: client.redeliver(repository, hook_id, delivery),
        )

    @staticmethod
    def _latest_per_guid(attempts: list[HookDeliveryInfo]) -> dict[str, HookDeliveryInfo]:
        """One entry per delivery GUID: its most recent attempt (redeliveries share the GUID)."""
        latest: dict[str, HookDeliveryInfo] = {}
        for attempt in attempts:
            current = latest.get(attempt.guid)
            if current is None or attempt.delivered_at > current.delivered_at:
                latest[attempt.guid] = attempt
        return latest
