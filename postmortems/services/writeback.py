"""Telling GitHub about our records: the PR comment and the commit statuses (SPEC §4).

Each effect is scheduled after commit and run by a Celery task. The record itself is
never touched by a GitHub failure: only the write-back columns of the hotfix row,
which the record page and the admin show.

An effect is made once even when its answer is lost (GitHub timed out after storing
the comment, or the worker was killed before the comment's id was stored): every
comment carries a hidden marker naming its kind and its hotfix PR, and the PR's
comments are searched for it before one is created. Statuses need no marker: GitHub
keeps the latest per context, so setting one twice changes nothing.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .. import queue
from ..choices import PostmortemStatus, WritebackState
from ..github.client import (
    GitHubClient,
    GitHubError,
    GitHubPermanentError,
    GitHubTransientError,
    client_for,
    github_configured,
)
from ..models import OPEN_STATUSES, HotfixPullRequest, MergedPullRequest, Postmortem, Repository
from ..selectors import overdue_postmortems

logger = logging.getLogger(__name__)

STATUS_CONTEXT = "postmortem"
DEBT_CONTEXT = "postmortem-debt"
MAX_RETRY_DELAY = 3600.0
# The tasks of `tasks.py` that run these effects, by name (see `queue.py`).
WRITEBACK_TASK = "postmortems.github_writeback"
DEBT_STATUS_TASK = "postmortems.github_debt_status"
DEBT_REFRESH_TASK = "postmortems.github_debt_refresh"
REMINDER_COMMENT_TASK = "postmortems.github_reminder_comment"


@dataclass(frozen=True)
class WritebackOutcome:
    """What the task should do next: nothing, or try again after `retry_after` seconds."""

    retry_after: float | None = None


def record_url(postmortem: Postmortem) -> str:
    return f"{settings.SITE_URL}/postmortems/{postmortem.pk}/"


def retry_delay(retries: int, hint: float | None) -> float:
    """Exponential back-off with jitter, never sooner than GitHub's own hint."""
    backoff = min(MAX_RETRY_DELAY, 30.0 * 2**retries)
    return min(MAX_RETRY_DELAY, max(backoff, hint or 0.0) + random.uniform(0, 0.25 * backoff))


def writeback_enabled(repository: Repository) -> bool:
    """GitHub credentials (token or App), the repository's switch, and a repository still ours (active)."""
    return github_configured() and repository.writeback_enabled and repository.active


def writeback_schedule(*, postmortem: Postmortem) -> None:
    """After commit, bring GitHub up to date for every hotfix PR of this record.

    Called when a record opens, is approved or is dismissed. A past-due record approved or
    dismissed pays a debt of its repository, so the `postmortem-debt` of its open PRs is
    refreshed too. (A record opened past due, by a backfill, is the daily run's to find:
    a backfill opening fifty of them must not refresh every open PR fifty times.)
    """
    for hotfix_pk in HotfixPullRequest.objects.filter(postmortem=postmortem).values_list("pk", flat=True):
        queue.enqueue(WRITEBACK_TASK, hotfix_pk)
    past_due = postmortem.due_at is not None and postmortem.due_at < timezone.now()
    if past_due and postmortem.status not in OPEN_STATUSES:
        debt_refresh_schedule(repository=postmortem.repository)


def debt_refresh_schedule(*, repository: Repository | None) -> None:
    """After commit, set `postmortem-debt` again on every open PR of a repository whose debt changed."""
    if repository is not None and repository.debt_status_enabled and writeback_enabled(repository):
        queue.enqueue(DEBT_REFRESH_TASK, repository.pk)


def writeback_withhold(*, merged_pr: MergedPullRequest) -> None:
    """Write nothing on GitHub for this hotfix PR, now or later: no comment, no status, no reminder.

    For history imported without `--write-back`. The states say so on the record page; a
    write-back already scheduled finds them and does nothing.
    """
    HotfixPullRequest.objects.filter(merged_pr=merged_pr).update(
        comment_state=WritebackState.DISABLED, commit_status_state=WritebackState.DISABLED
    )


def debt_status_schedule(*, repository: Repository, head_sha: str, number: int) -> None:
    """After commit, set `postmortem-debt` on a new PR's head, if the repository asks for it."""
    if repository.debt_status_enabled and writeback_enabled(repository):
        queue.enqueue(DEBT_STATUS_TASK, repository.pk, head_sha, number)


def comment_body(postmortem: Postmortem) -> str:
    due = timezone.localtime(postmortem.due_at)
    return (
        f"This hotfix needs a postmortem: [postmortem #{postmortem.pk}]({record_url(postmortem)}), "
        f"due **{due:%Y-%m-%d %H:%M %Z}**.\n\n"
        "Record the root cause, the failure category, prevention actions with owners and due dates, "
        "and which deploy checklist steps were skipped or missing."
    )


# The kinds of comment we write on a hotfix PR, one of each at most.
OPENING_COMMENT = "needs-postmortem"
REMINDER_COMMENT = "overdue-reminder"


def comment_marker(kind: str, hotfix: HotfixPullRequest) -> str:
    """What identifies our comment of `kind` on this hotfix PR; the trailing space keeps hotfix=1 from hotfix=12."""
    return f"postmortem-tracker:{kind} hotfix={hotfix.pk} "


def _comment_once(client: GitHubClient, hotfix: HotfixPullRequest, kind: str, body: str) -> int:
    """The id of our `kind` comment on the hotfix PR: the one already there (an earlier try whose
    answer was lost), else a new one carrying the marker in an HTML comment GitHub does not show."""
    merged_pr = hotfix.merged_pr
    marker = comment_marker(kind, hotfix)
    comment = client.find_comment(merged_pr.repository.full_name, merged_pr.number, marker)
    if comment is None:
        marked = f"{body}\n\n<!-- {marker}record={hotfix.postmortem_id} -->"
        comment = client.create_comment(merged_pr.repository.full_name, merged_pr.number, marked)
    return comment.id


def _desired_status(postmortem: Postmortem) -> tuple[str, str]:
    if postmortem.status == PostmortemStatus.APPROVED:
        return "success", f"Postmortem #{postmortem.pk} approved"
    if postmortem.status == PostmortemStatus.DISMISSED:
        return "success", f"Postmortem #{postmortem.pk} dismissed: not a hotfix"
    due = timezone.localtime(postmortem.due_at)
    return "pending", f"Postmortem #{postmortem.pk} open, due {due:%Y-%m-%d}"


def _failure_state(exc: GitHubError, final_attempt: bool) -> str:
    if isinstance(exc, GitHubTransientError) and not final_attempt:
        return WritebackState.PENDING
    return WritebackState.FAILED


def hotfix_writeback(*, hotfix_pk: int, final_attempt: bool = False) -> WritebackOutcome:
    """Post the PR comment (once) and the `postmortem` status for one hotfix PR.

    The hotfix row is locked while we talk to GitHub, so two tasks never post the
    comment twice; its id is stored on the row. A part `disabled` when the record
    opened (write-back off for the repository, no token, history imported without
    `--write-back`) stays so: GitHub hears nothing of that hotfix PR later either.
    """
    with transaction.atomic():
        hotfix = (
            HotfixPullRequest.objects.select_for_update(of=("self",))
            .select_related("merged_pr__repository", "postmortem")
            .filter(pk=hotfix_pk)
            .first()
        )
        if hotfix is None or hotfix.comment_state == hotfix.commit_status_state == WritebackState.DISABLED:
            return WritebackOutcome()
        if not writeback_enabled(hotfix.merged_pr.repository):
            _mark_disabled(hotfix)
            return WritebackOutcome()
        client, attempt = client_for(hotfix.merged_pr.repository), _Attempt(final=final_attempt)
        _post_comment(client, hotfix, attempt)
        _set_status(client, hotfix, attempt)
        hotfix.writeback_error = "\n".join(attempt.errors)[:4000]
        hotfix.writeback_attempts += 1
        hotfix.writeback_updated_at = timezone.now()
        hotfix.save(
            update_fields=[
                "comment_id",
                "comment_state",
                "commit_status",
                "commit_status_state",
                "writeback_error",
                "writeback_attempts",
                "writeback_updated_at",
            ]
        )
    return WritebackOutcome(retry_after=attempt.hint)


@dataclass
class _Attempt:
    """What went wrong in one write-back run, and how long GitHub asked us to wait."""

    final: bool
    errors: list[str] = field(default_factory=list)
    hint: float | None = None

    def failed(self, what: str, exc: GitHubError) -> str:
        """Note the error; the state the failed part is left in."""
        self.errors.append(f"{what}: {exc}")
        self.hint = _hint(exc, self.hint)
        return _failure_state(exc, self.final)


def _post_comment(client: GitHubClient, hotfix: HotfixPullRequest, attempt: _Attempt) -> None:
    postmortem = hotfix.postmortem
    if hotfix.comment_id is not None or hotfix.comment_state == WritebackState.DISABLED:
        return
    if postmortem.status not in OPEN_STATUSES:
        return
    try:
        hotfix.comment_id = _comment_once(client, hotfix, OPENING_COMMENT, comment_body(postmortem))
        hotfix.comment_state = WritebackState.DONE
    except GitHubError as exc:
        hotfix.comment_state = attempt.failed("comment", exc)


def _set_status(client: GitHubClient, hotfix: HotfixPullRequest, attempt: _Attempt) -> None:
    merged_pr, postmortem = hotfix.merged_pr, hotfix.postmortem
    state, description = _desired_status(postmortem)
    if hotfix.commit_status_state == WritebackState.DISABLED:
        return
    if hotfix.commit_status == state and hotfix.commit_status_state == WritebackState.DONE:
        return
    if not merged_pr.merge_commit_sha:
        hotfix.commit_status_state = WritebackState.FAILED
        attempt.errors.append("status: the PR has no merge commit to put a status on.")
        return
    try:
        client.create_status(
            merged_pr.repository.full_name,
            merged_pr.merge_commit_sha,
            state=state,
            context=STATUS_CONTEXT,
            target_url=record_url(postmortem),
            description=description,
        )
        hotfix.commit_status, hotfix.commit_status_state = state, WritebackState.DONE
    except GitHubError as exc:
        hotfix.commit_status_state = attempt.failed("status", exc)


def _hint(exc: GitHubError, current: float | None) -> float | None:
    """The retry hint of a transient error (0 when GitHub gave none); None for permanent ones."""
    if isinstance(exc, GitHubPermanentError):
        return current
    return max(current or 0.0, exc.retry_after or 0.0)


def _mark_disabled(hotfix: HotfixPullRequest) -> None:
    HotfixPullRequest.objects.filter(pk=hotfix.pk).exclude(comment_state=WritebackState.DONE).update(
        comment_state=WritebackState.DISABLED
    )
    HotfixPullRequest.objects.filter(pk=hotfix.pk).exclude(commit_status_state=WritebackState.DONE).update(
        commit_status_state=WritebackState.DISABLED
    )


def _debt_repository(repository_pk: int) -> Repository | None:
    repository = Repository.objects.filter(pk=repository_pk).first()
    if repository is None or not repository.debt_status_enabled or not writeback_enabled(repository):
        return None
    return repository


def _debt_status(repository: Repository) -> dict[str, str]:
    """The `postmortem-debt` status of the repository's PRs now: `failure` while it has overdue postmortems."""
    overdue = overdue_postmortems().filter(repository=repository).count()
    if overdue:
        state, description = "failure", f"{overdue} overdue postmortem{'s' if overdue != 1 else ''} in this repository"
    else:
        state, description = "success", "No overdue postmortems"
    return {
        "state": state,
        "context": DEBT_CONTEXT,
        "target_url": f"{settings.SITE_URL}/postmortems/?repository={repository.full_name}&overdue=true",
        "description": description,
    }


def _send_debt_status(client: GitHubClient, repository: Repository, head_sha: str, number: int, status: dict) -> None:
    """Set the status on one PR's head; a refusal (a PR gone, a head force-pushed away) is only logged."""
    try:
        client.create_status(repository.full_name, head_sha, **status)
    except GitHubPermanentError as exc:
        logger.warning("postmortem-debt status on %s#%s refused: %s", repository.full_name, number, exc)


def debt_status_send(*, repository_pk: int, head_sha: str, number: int) -> WritebackOutcome:
    """Set `postmortem-debt` on a PR's head: `failure` while the repository has overdue postmortems."""
    repository = _debt_repository(repository_pk)
    if repository is None:
        return WritebackOutcome()
    try:
        _send_debt_status(client_for(repository), repository, head_sha, number, _debt_status(repository))
    except GitHubTransientError as exc:
        return WritebackOutcome(retry_after=exc.retry_after or 0.0)
    return WritebackOutcome()


def debt_statuses_refresh(*, repository_pk: int) -> WritebackOutcome:
    """Set `postmortem-debt` on the head of every open PR into the repository's production branches.

    Run when the repository's debt changed (a past-due record opened, approved or
    dismissed; a record fell due), so a PR nobody pushes to stops failing once the debt
    is paid. A transient error asks for the whole run again: setting a status twice
    changes nothing on GitHub.
    """
    repository = _debt_repository(repository_pk)
    if repository is None:
        return WritebackOutcome()
    client, status = client_for(repository), _debt_status(repository)
    try:
        for base in repository.effective_production_branches:
            for pull in client.open_pull_heads(repository.full_name, base=base):
                _send_debt_status(client, repository, pull.head_sha, pull.number, status)
    except GitHubTransientError as exc:
        return WritebackOutcome(retry_after=exc.retry_after or 0.0)
    except GitHubPermanentError as exc:  # the list itself refused (repository gone, token without access)
        logger.warning("open PRs of %s could not be listed: %s", repository.full_name, exc)
    return WritebackOutcome()


def reminder_comment_schedule(*, postmortem: Postmortem) -> None:
    """After commit, remind on each hotfix PR of an overdue record — at most once per PR (SPEC §3)."""
    hotfixes = HotfixPullRequest.objects.filter(postmortem=postmortem, reminder_comment_id__isnull=True).exclude(
        comment_state=WritebackState.DISABLED  # no opening comment was made: no reminder either
    )
    if postmortem.repository is None or not writeback_enabled(postmortem.repository):
        return
    for hotfix_pk in hotfixes.values_list("pk", flat=True):
        queue.enqueue(REMINDER_COMMENT_TASK, hotfix_pk)


def reminder_body(postmortem: Postmortem) -> str:
    due = timezone.localtime(postmortem.due_at)
    return (
        f"Reminder: [postmortem #{postmortem.pk}]({record_url(postmortem)}) for this hotfix was due "
        f"**{due:%Y-%m-%d %H:%M %Z}** and has not been submitted yet."
    )


def hotfix_reminder_comment(*, hotfix_pk: int) -> WritebackOutcome:
    """Post the overdue reminder on a hotfix PR, once: its id is stored on the locked row."""
    with transaction.atomic():
        hotfix = (
            HotfixPullRequest.objects.select_for_update(of=("self",))
            .select_related("merged_pr__repository", "postmortem")
            .filter(pk=hotfix_pk)
            .first()
        )
        if hotfix is None or hotfix.reminder_comment_id is not None:
            return WritebackOutcome()
        if hotfix.comment_state == WritebackState.DISABLED:
            return WritebackOutcome()
        merged_pr, postmortem = hotfix.merged_pr, hotfix.postmortem
        if postmortem.status not in OPEN_STATUSES or not writeback_enabled(merged_pr.repository):
            return WritebackOutcome()
        try:
            hotfix.reminder_comment_id = _comment_once(
                client_for(merged_pr.repository), hotfix, REMINDER_COMMENT, reminder_body(postmortem)
            )
        except GitHubTransientError as exc:
            return WritebackOutcome(retry_after=exc.retry_after or 0.0)
        except GitHubPermanentError as exc:
            hotfix.writeback_error = f"reminder comment: {exc}"[:4000]
            hotfix.save(update_fields=["writeback_error"])
            return WritebackOutcome()
        hotfix.save(update_fields=["reminder_comment_id"])
    return WritebackOutcome()
