"""Backfill: record PRs merged into production branches and open postmortems for hotfixes (SPEC §4).

History is recorded quietly unless asked otherwise: a hotfix gets an open draft (with
its due date) only when it was merged since `--open-postmortems-since` — by default,
only when its due date is still ahead, as a delivery missed in the last few days would
have — and older ones count as hotfixes with no draft; GitHub is written to (the PR
comment and statuses) only with `--write-back`.

It also reads the deployment evidence around them (SPEC §10), sparingly (SPEC §7):
deployments are listed a page at a time per environment (newest first, stopping before
the window), each deployment's statuses cost one request, and check runs are read only
for the commits of hotfix PRs and of the PRs that introduced their defects. Facts are
unique, so running it again adds nothing.

Each step's progress bar shows the requests left in the rate limit, as GitHub's last answer
gave them (no request is spent asking). When the limit runs out — 403 or 429 with
X-RateLimit-Remaining: 0 and X-RateLimit-Reset, or Retry-After for a secondary limit — the
import pauses until the reset and carries on where it was.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from tqdm import tqdm

from postmortems import services
from postmortems.choices import EvidenceSource, Stage
from postmortems.evidence_reads import backfill_check_commits
from postmortems.github.client import GitHubError, GitHubPermanentError, GitHubRateLimited, client_for
from postmortems.github.events import merged_pull_request_event
from postmortems.github.evidence_events import check_run_facts, deployment_facts
from postmortems.models import Repository
from postmortems.selectors import repository_named

MAX_TRANSIENT_TRIES = 5
# Staging runs before the merge it verifies: deployments this long before the window still count.
DEPLOYMENT_LOOKBACK = timedelta(days=30)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from exc


class Command(BaseCommand):
    help = (
        "Record PRs merged into production branches in a window; open postmortems for recent hotfixes "
        "without one (see --open-postmortems-since); write to GitHub only with --write-back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("repository", help="owner/name")
        parser.add_argument("--since", required=True, help="YYYY-MM-DD (inclusive)")
        parser.add_argument("--until", help="YYYY-MM-DD (inclusive); default today")
        parser.add_argument(
            "--open-postmortems-since",
            help="YYYY-MM-DD: open a draft, due as usual, for hotfixes merged since then (older ones are recorded "
            "as hotfixes without a postmortem). Default: only hotfixes whose due date is still ahead.",
        )
        parser.add_argument(
            "--write-back",
            action="store_true",
            help="Comment on the hotfix PRs of the drafts opened and set their commit status (default: GitHub "
            "is not written to for imported history).",
        )

    def handle(self, *args, repository: str, since: str, until: str | None, **options) -> None:
        if repository.count("/") != 1:
            raise CommandError("Give the repository as owner/name.")
        start = datetime.combine(_day(since), dt_time.min, tzinfo=UTC)
        end = datetime.combine(_day(until), dt_time.max, tzinfo=UTC) if until else datetime.now(UTC)
        if end < start:
            raise CommandError("--until is before --since.")
        open_since = options.get("open_postmortems_since")
        self.open_from = datetime.combine(_day(open_since), dt_time.min, tzinfo=UTC) if open_since else None
        self.write_back = bool(options.get("write_back"))
        self._bar = None  # the progress bar of the step under way
        # The token, or the App's installation for the repository (found now if we have no row yet).
        client = client_for(repository_named(repository) or Repository(full_name=repository))
        self._client = client
        info = self._patiently(lambda: client.repository(repository))
        repo = services.repository_register(
            full_name=info.full_name, default_branch=info.default_branch, github_id=info.id
        )
        counts = {"merged": 0, "hotfixes": 0, "opened": 0, "history": 0, "evidence": 0}
        for base in repo.effective_production_branches:
            self._import_branch(client, repo, base, start, end, counts)
        self._import_deployments(client, repo, start, end, counts)
        self._import_checks(client, repo, start, end, counts)
        self.stdout.write(
            self.style.SUCCESS(
                f"{repo.full_name}: {counts['merged']} merged PRs recorded, {counts['hotfixes']} hotfixes, "
                f"{counts['opened']} postmortems opened, {counts['history']} older hotfixes recorded without one, "
                f"{counts['evidence']} new evidence rows."
            )
        )

    def _opens_postmortem(self, repo, merged_at: datetime) -> bool:
        """Whether a hotfix merged then gets a draft: since the date asked, else while its due date is ahead."""
        if self.open_from is not None:
            return merged_at >= self.open_from
        return merged_at + timedelta(days=repo.postmortem_due_days) > datetime.now(UTC)

    def _progress(self, **bar_options) -> tqdm:
        """A progress bar that `_patiently` keeps showing the requests left in the rate limit."""
        self._bar = tqdm(file=self.stderr, **bar_options)
        return self._bar

    def _show_requests_left(self) -> None:
        left = self._client.rate_limit_left() if self._bar is not None else None
        if left is not None:
            self._bar.set_postfix_str(f"{left[0]:,} of {left[1]:,} GitHub requests left", refresh=False)

    def _import_branch(self, client, repo, base: str, start: datetime, end: datetime, counts: dict) -> None:
        page = 0
        with self._progress(desc=f"{repo.full_name} → {base}", unit=" PRs") as bar:
            while True:
                pulls = self._patiently(
                    lambda page=page: client.closed_pulls_page(repo.full_name, base=base, page=page)
                )
                if not pulls:
                    return
                # A page's PRs are committed together (the page is read before): one commit per 100 PRs, not per PR.
                with transaction.atomic():
                    for pr in pulls:
                        bar.update(1)
                        if pr.merged_at is None or not (start <= pr.merged_at <= end):
                            continue
                        outcome = self._apply(repo, pr)
                        counts["merged"] += 1
                        counts["hotfixes"] += outcome.is_hotfix
                        counts["opened"] += outcome.opened
                        counts["history"] += outcome.without_record
                # Sorted by last update, newest first: a PR merged in the window was updated after `start`.
                if all(pr.updated_at and pr.updated_at < start for pr in pulls):
                    return
                page += 1

    def _import_deployments(self, client, repo, start: datetime, end: datetime, counts: dict) -> None:
        """Deployments per environment the repository maps to staging or production (all at once when none is named)."""
        named = [
            env for env, stage in (repo.environment_stages or {}).items() if stage in (Stage.STAGING, Stage.PRODUCTION)
        ]
        since = start - DEPLOYMENT_LOOKBACK
        for environment in sorted(named) or [None]:
            with self._progress(
                desc=f"{repo.full_name} deployments: {environment or 'all'}", unit=" deployments"
            ) as bar:
                self._import_environment(client, repo, environment, since, end, counts, bar)

    def _import_environment(self, client, repo, environment, since: datetime, end: datetime, counts, bar) -> None:
        page = 0
        while True:
            deployments = self._patiently(
                lambda page=page: client.deployments_page(repo.full_name, environment=environment, page=page)
            )
            for deployment in deployments:
                if deployment.created_at and since <= deployment.created_at <= end:
                    statuses = self._patiently(lambda d=deployment: client.deployment_statuses(repo.full_name, d.id))
                    counts["evidence"] += self._record(repo, deployment_facts(deployment, statuses))
                    bar.update(1)
            # Newest first: once a page reaches before the window, the rest is older still.
            if not deployments or any(d.created_at and d.created_at < since for d in deployments):
                return
            page += 1

    def _import_checks(self, client, repo, start: datetime, end: datetime, counts: dict) -> None:
        shas = backfill_check_commits(repo, start, end)
        with self._progress(desc=f"{repo.full_name} check runs", unit=" commits", total=len(shas)) as bar:
            for sha in shas:
                runs = self._patiently(lambda sha=sha: client.check_runs(repo.full_name, sha))
                counts["evidence"] += self._record(repo, check_run_facts(runs))
                bar.update(1)

    @staticmethod
    def _record(repo, facts) -> int:
        return (
            len(services.evidence_record(repository=repo, facts=facts, source=EvidenceSource.BACKFILL)) if facts else 0
        )

    def _apply(self, repo, pr) -> services.MergedPrOutcome:
        """The webhook's own treatment of a merged PR, flags included: the PR is read as it is now,
        so a hotfix whose label or title has since changed is flagged (or unflagged) as a delivery would."""
        event = merged_pull_request_event(
            pr, repository_full_name=repo.full_name, repository_id=repo.github_id, default_branch=repo.default_branch
        )
        return services.merged_pr_apply(
            repository=repo,
            event=event,
            changed="as the history import read it",
            open_postmortem=self._opens_postmortem(repo, pr.merged_at),
            write_back=self.write_back,
        )

    def _patiently(self, call):
        """Run `call`, waiting out rate limits and retrying transient errors a few times."""
        tries = 0
        while True:
            try:
                result = call()
                self._show_requests_left()
                return result
            except GitHubRateLimited as exc:
                self._pause(exc)
            except GitHubPermanentError as exc:
                raise CommandError(str(exc)) from exc
            except GitHubError as exc:
                tries += 1
                if tries >= MAX_TRANSIENT_TRIES:
                    raise CommandError(f"GitHub kept failing: {exc}") from exc
                time.sleep(2**tries)

    def _pause(self, limited: GitHubRateLimited) -> None:
        """Wait for the reset GitHub named (at least a second: its reset is a whole second)."""
        wait = max(1.0, limited.retry_after or 60.0)
        until = (datetime.now(UTC) + timedelta(seconds=wait)).strftime("%H:%M:%S")
        if self._bar is not None:
            self._bar.set_postfix_str(f"rate limit reached: paused until {until} UTC")
        self.stderr.write(f"GitHub rate limit reached; waiting {wait:.0f} s for the reset (until {until} UTC).")
        time.sleep(wait)
