"""Writes to postmortems: opening, editing, linking PRs and every workflow move."""

from __future__ import annotations

import copy
import re
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Min, Q
from django.utils import timezone

from ..choices import PostmortemStatus, ReviewEventKind
from ..models import (
    FailureCategory,
    HotfixPullRequest,
    MergedPullRequest,
    Postmortem,
    Repository,
    ReviewEvent,
    Team,
    User,
)
from ..selectors import checklist_version_in_force, postmortem_involvement
from ..workflow import (
    PRIOR_OCCURRENCE_WINDOW,
    Reasons,
    Transition,
    WorkflowError,
    can_edit,
    category_reasons,
    check_link_pr,
    check_transition,
    filing_reasons,
    hours_reasons,
    introduced_by_reasons,
    merged,
    placement_reasons,
    prevention_failed,
    submission_reasons,
    time_reasons,
    unknown_field_reasons,
)
from ._common import require, saved_by
from .checklist_evidence import checklist_evidence_apply
from .slack_digest import slack_record_opened_schedule
from .writeback import writeback_schedule


def user_for_github_login(login: str | None) -> User | None:
    if not login:
        return None
    return User.objects.filter(github_login__iexact=login, is_active=True).first()


def postmortem_refresh_anchor(postmortem: Postmortem) -> None:
    """Place the record in its report month: earliest hotfix merge, else resolved_at."""
    earliest = postmortem.hotfix_prs.aggregate(first=Min("merged_pr__merged_at"))["first"]
    postmortem.anchor_at = earliest or postmortem.resolved_at
    Postmortem.objects.filter(pk=postmortem.pk).update(anchor_at=postmortem.anchor_at)


def _record_event(postmortem: Postmortem, kind: str, actor: User | None, comment: str = "") -> None:
    ReviewEvent.objects.create(postmortem=postmortem, kind=kind, actor=actor, comment=comment)


# A title that already says "hotfix" up front ("[hotfix] x", "Hotfix - x", "HOTFIX x", "hot fix: x") or as a
# bracketed tag anywhere ("x (hotfix)") keeps its own word; "Hotfixes are bad" does not say it.
_SAYS_HOTFIX = re.compile(r"(?i)^\W*hot[-_ ]?fix\b|[\[(]\s*hot[-_ ]?fix\s*[\])]")


def _title_for_hotfix(pr_title: str) -> str:
    # "Hotfix: fix the loader" stays as it is; "Fix the loader" becomes "Hotfix: Fix the loader".
    title = pr_title.strip() or "Untitled hotfix"
    if not _SAYS_HOTFIX.search(title):
        title = f"Hotfix: {title}"
    return title[:300]


def postmortem_open_for_hotfix(*, merged_pr: MergedPullRequest) -> tuple[Postmortem, bool]:
    """Open a draft postmortem for a merged hotfix PR, exactly once per PR.

    Returns the record and whether it was created now. Two workers racing on the same
    PR both end up with the one record: the unique hotfix row decides.
    """
    existing = HotfixPullRequest.objects.select_related("postmortem").filter(merged_pr=merged_pr).first()
    if existing:
        return existing.postmortem, False
    repository = merged_pr.repository
    try:
        with transaction.atomic():
            postmortem = Postmortem.objects.create(
                title=_title_for_hotfix(merged_pr.title),
                repository=repository,
                team=repository.team,
                owner=user_for_github_login(merged_pr.author_login),
                due_at=merged_pr.merged_at + timedelta(days=repository.postmortem_due_days),
                checklist_version=checklist_version_in_force(repository),
                anchor_at=merged_pr.merged_at,
            )
            HotfixPullRequest.objects.create(merged_pr=merged_pr, postmortem=postmortem)
            # The PR comment and the `pending` status, once the record is committed.
            writeback_schedule(postmortem=postmortem)
            slack_record_opened_schedule(postmortem=postmortem, merged_pr=merged_pr)  # and the team's channel
    except IntegrityError:
        existing = HotfixPullRequest.objects.select_related("postmortem").get(merged_pr=merged_pr)
        return existing.postmortem, False
    return postmortem, True


def postmortem_create(
    *,
    actor: User,
    title: str,
    repository: Repository | None = None,
    team: Team | None = None,
    contributing_categories: list[FailureCategory] | None = None,
    **fields: Any,
) -> Postmortem:
    """Open a draft by hand, for an incident without a hotfix PR. The creator owns it unless told otherwise."""
    days = repository.postmortem_due_days if repository else 5
    owner = fields.pop("owner", None)
    postmortem = Postmortem(
        repository=repository,
        team=team or (repository.team if repository else None),
        owner=owner or actor,
        due_at=timezone.now() + timedelta(days=days),
        checklist_version=checklist_version_in_force(repository),
    )
    where = filing_reasons(actor, repository=repository, team=team, owner=owner)
    _apply_fields(postmortem, {"title": title, **fields}, contributing_categories, verb="set", refused=where)
    with transaction.atomic():
        saved_by(postmortem, actor)
        postmortem.save()
        if contributing_categories:
            postmortem.contributing_categories.set(contributing_categories)
        postmortem_refresh_anchor(postmortem)
    return postmortem


def _apply_fields(
    postmortem: Postmortem,
    fields: dict[str, Any],
    contributing: list[FailureCategory] | None,
    *,
    verb: str,
    refused: Reasons,
) -> None:
    """Set `fields` on `postmortem` once every rule about them agrees; else WorkflowError with all reasons.

    `refused` carries what the caller's own rules already said, so every reason is shown at once.
    """
    reasons = merged(refused, unknown_field_reasons(fields, verb=verb))
    if "title" in fields:
        fields["title"] = (fields["title"] or "").strip()[:300]
        if not fields["title"]:
            reasons = merged(reasons, {"title": ["Give the postmortem a title."]})
    current_contributing = () if contributing is None or not postmortem.pk else _contributing_ids(postmortem)
    reasons = merged(
        reasons,
        category_reasons(
            category=fields.get("category"),
            contributing=contributing,
            current_category_id=postmortem.category_id,
            current_contributing_ids=current_contributing,
        ),
    )
    # Check the record as it would be, on a copy: a refusal leaves the caller's instance alone.
    candidate = copy.copy(postmortem)
    for name, value in fields.items():
        setattr(candidate, name, value)
    reasons = merged(reasons, time_reasons(candidate))
    reasons = merged(reasons, hours_reasons("effort_hours", candidate.effort_hours))
    if {"introduced_by", "repository"} & set(fields):
        fixed_at = (
            postmortem.hotfix_prs.aggregate(first=Min("merged_pr__merged_at"))["first"] if postmortem.pk else None
        )
        reasons = merged(
            reasons, introduced_by_reasons(candidate.introduced_by, candidate.repository_id, fixed_at=fixed_at)
        )
    if reasons:
        raise WorkflowError(reasons)
    for name, value in fields.items():
        setattr(postmortem, name, value)


def _contributing_ids(postmortem: Postmortem) -> list[int]:
    return list(postmortem.contributing_categories.values_list("pk", flat=True))


def postmortem_update(
    *,
    postmortem: Postmortem,
    actor: User,
    contributing_categories: list[FailureCategory] | None = None,
    **fields: Any,
) -> Postmortem:
    """Change the editable fields of a draft. Engineers edit their own; leads any draft."""
    require(can_edit(actor, postmortem), "Only the owner or a lead can edit a draft postmortem.")
    # Re-owning and re-teaming are a lead's call; an owner cannot hand a record away or move it out of sight.
    moves = placement_reasons(actor, postmortem, fields)
    introduced_before = postmortem.introduced_by_id
    _apply_fields(postmortem, fields, contributing_categories, verb="changed", refused=moves)
    with transaction.atomic():
        saved_by(postmortem, actor)
        postmortem.save()
        if contributing_categories is not None:
            postmortem.contributing_categories.set(contributing_categories)
        postmortem_refresh_anchor(postmortem)
        if postmortem.introduced_by_id != introduced_before:  # SPEC §10: the evidence steps answer themselves
            checklist_evidence_apply(postmortem=postmortem)
    return postmortem


def postmortem_link_hotfix_pr(*, postmortem: Postmortem, merged_pr: MergedPullRequest, actor: User) -> Postmortem:
    """Cover another hotfix PR with this record (two PRs, one incident).

    If the PR already had its own draft, that draft is dismissed as merged into this one
    (a lead's move: engineers link only PRs no record covers yet, of their own teams).
    """
    require(can_edit(actor, postmortem), "Only the owner or a lead can edit a draft postmortem.")
    with transaction.atomic():
        hotfix = HotfixPullRequest.objects.select_for_update().filter(merged_pr=merged_pr).first()
        check_link_pr(actor, postmortem, merged_pr, covered_by=hotfix.postmortem_id if hotfix else None)
        if hotfix is None:
            hotfix = HotfixPullRequest.objects.create(merged_pr=merged_pr, postmortem=postmortem)
            MergedPullRequest.objects.filter(pk=merged_pr.pk).update(is_hotfix=True)
        elif hotfix.postmortem_id != postmortem.pk:
            _move_hotfix(hotfix, into=postmortem, actor=actor)
        if postmortem.repository_id is None:
            postmortem.repository = merged_pr.repository
            postmortem.team = postmortem.team or merged_pr.repository.team
            saved_by(postmortem, actor)
            postmortem.save(update_fields=["repository", "team", "updated_at"])
        postmortem_refresh_anchor(postmortem)
    return postmortem


def _move_hotfix(hotfix: HotfixPullRequest, *, into: Postmortem, actor: User) -> None:
    previous = Postmortem.objects.select_for_update().get(pk=hotfix.postmortem_id)
    if previous.status not in (PostmortemStatus.DRAFT, PostmortemStatus.DISMISSED):
        raise WorkflowError({"hotfix_prs": [f"This PR is covered by #{previous.pk}, which is {previous.status}."]})
    if previous.actions.exists() or previous.assessments.exists():
        raise WorkflowError(
            {"hotfix_prs": [f"This PR's own record #{previous.pk} already has work in it; dismiss it first."]}
        )
    hotfix.postmortem = into
    hotfix.save(update_fields=["postmortem"])
    if previous.status == PostmortemStatus.DRAFT and not previous.hotfix_prs.exists():
        reason = f"Merged into #{into.pk}: one incident, one record."
        previous.status = PostmortemStatus.DISMISSED
        previous.dismissed_at = timezone.now()
        previous.dismissal_reason = reason
        saved_by(previous, actor)
        previous.save()
        _record_event(previous, ReviewEventKind.DISMISSED, actor, reason)
    postmortem_refresh_anchor(previous)


# --- workflow moves --------------------------------------------------------------


def _locked(postmortem: Postmortem) -> Postmortem:
    return Postmortem.objects.select_for_update().get(pk=postmortem.pk)


def postmortem_submission_reasons(postmortem: Postmortem) -> dict[str, list[str]]:
    """What still stops this record from being submitted (empty when it is ready)."""
    version = postmortem.checklist_version
    return submission_reasons(
        postmortem,
        actions=list(postmortem.actions.select_related("replaced_by")),
        checklist_items=list(version.items.all()) if version else [],
        assessments=list(postmortem.assessments.all()),
    )


def postmortem_submit(*, postmortem: Postmortem, actor: User, now: datetime | None = None) -> Postmortem:
    """Send a complete draft to review; links prior occurrences of its failure category."""
    now = now or timezone.now()
    with transaction.atomic():
        postmortem = _locked(postmortem)
        target = check_transition(actor, postmortem, Transition.SUBMIT)
        reasons = postmortem_submission_reasons(postmortem)
        if reasons:
            raise WorkflowError(reasons)
        postmortem.status = target
        postmortem.submitted_at = now
        postmortem_refresh_anchor(postmortem)
        _link_prior_occurrences(postmortem)
        saved_by(postmortem, actor)
        postmortem.save()
        _record_event(postmortem, ReviewEventKind.SUBMITTED, actor)
    return postmortem


def _link_prior_occurrences(postmortem: Postmortem) -> None:
    """Earlier records of the same category in the same repository (or team) within 180 days."""
    anchor = postmortem.anchor_at or postmortem.resolved_at or timezone.now()
    scope = Q(repository_id=postmortem.repository_id) if postmortem.repository_id else Q(pk__in=[])
    if postmortem.team_id:
        scope |= Q(team_id=postmortem.team_id)
    if postmortem.repository_id is None and postmortem.team_id is None:
        scope = Q(repository__isnull=True, team__isnull=True)
    priors = list(
        Postmortem.objects.filter(
            scope,
            category_id=postmortem.category_id,
            anchor_at__gte=anchor - PRIOR_OCCURRENCE_WINDOW,
            anchor_at__lt=anchor,
        )
        .exclude(pk=postmortem.pk)
        .exclude(status=PostmortemStatus.DISMISSED)
        .prefetch_related("actions")
    )
    postmortem.prior_occurrences.set(priors)
    postmortem.recurred_despite_prevention = prevention_failed(
        [[(action.status, action.completed_at) for action in prior.actions.all()] for prior in priors],
        incident_at=postmortem.detected_at or anchor,
    )


def postmortem_approve(*, postmortem: Postmortem, actor: User, now: datetime | None = None) -> Postmortem:
    """A lead approves a record in review they did not file, own or submit; it becomes read-only."""
    with transaction.atomic():
        postmortem = _locked(postmortem)
        involvement = postmortem_involvement(postmortem)
        postmortem.status = check_transition(actor, postmortem, Transition.APPROVE, involvement)
        postmortem.approved_at = now or timezone.now()
        postmortem.reviewer = actor
        saved_by(postmortem, actor)
        postmortem.save()
        _record_event(postmortem, ReviewEventKind.APPROVED, actor)
        writeback_schedule(postmortem=postmortem)  # `postmortem` status turns `success`
    return postmortem


def postmortem_request_changes(*, postmortem: Postmortem, actor: User, comment: str) -> Postmortem:
    """A lead sends a record in review back to its owner, saying what to change."""
    comment = (comment or "").strip()
    with transaction.atomic():
        postmortem = _locked(postmortem)
        target = check_transition(actor, postmortem, Transition.REQUEST_CHANGES)
        if not comment:
            raise WorkflowError({"comment": ["Say what needs to change."]})
        postmortem.status = target
        postmortem.reviewer = actor
        postmortem.submitted_at = None
        saved_by(postmortem, actor)
        postmortem.save()
        _record_event(postmortem, ReviewEventKind.CHANGES_REQUESTED, actor, comment)
    return postmortem


def postmortem_dismiss(*, postmortem: Postmortem, actor: User, reason: str) -> Postmortem:
    """A lead closes a record whose PR turned out not to be a hotfix, saying why."""
    reason = (reason or "").strip()
    with transaction.atomic():
        postmortem = _locked(postmortem)
        target = check_transition(actor, postmortem, Transition.DISMISS)
        if not reason:
            raise WorkflowError({"reason": ["Say why this record is dismissed."]})
        postmortem.status = target
        postmortem.dismissed_at = timezone.now()
        postmortem.dismissal_reason = reason
        postmortem.needs_dismissal_review = False
        saved_by(postmortem, actor)
        postmortem.save()
        _record_event(postmortem, ReviewEventKind.DISMISSED, actor, reason)
        writeback_schedule(postmortem=postmortem)  # clear the `pending` status on the merge commit
    return postmortem


def postmortem_flag_not_hotfix(*, hotfix: HotfixPullRequest, reason: str) -> None:
    """A PR stopped looking like a hotfix: keep the record, ask a lead to decide. Once."""
    with transaction.atomic():
        updated = HotfixPullRequest.objects.filter(pk=hotfix.pk, no_longer_hotfix=False).update(no_longer_hotfix=True)
        if not updated:
            return
        postmortem = _locked(hotfix.postmortem)
        if postmortem.status in (PostmortemStatus.DRAFT, PostmortemStatus.IN_REVIEW):
            postmortem.needs_dismissal_review = True
            postmortem.save(update_fields=["needs_dismissal_review", "updated_at"])
        _record_event(postmortem, ReviewEventKind.FLAGGED, None, reason)


def postmortem_unflag_hotfix(*, hotfix: HotfixPullRequest) -> None:
    """The PR looks like a hotfix again (label put back): clear the flag."""
    with transaction.atomic():
        if not HotfixPullRequest.objects.filter(pk=hotfix.pk, no_longer_hotfix=True).update(no_longer_hotfix=False):
            return
        if not HotfixPullRequest.objects.filter(postmortem_id=hotfix.postmortem_id, no_longer_hotfix=True).exists():
            Postmortem.objects.filter(pk=hotfix.postmortem_id).update(needs_dismissal_review=False)
