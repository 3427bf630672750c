"""Who may do what (SPEC §3, §8): one rule for every door — page, form, API and admin action.

Visibility itself is a query (`selectors.visible_postmortems`); these functions answer
for one user and one record already loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..choices import PostmortemStatus, StagingOverride, StagingVerification
from .core import TRANSITIONS, NotAllowed, Reasons, Transition, WorkflowError, add_reason

if TYPE_CHECKING:
    from ..models import MergedPullRequest, Postmortem, PreventionAction, Repository, Team, User


def is_lead(user: User | None) -> bool:
    return bool(user and user.is_authenticated and user.is_lead)


def is_owner(user: User | None, postmortem: Postmortem) -> bool:
    return bool(user and user.is_authenticated and postmortem.owner_id == user.pk)


def in_team(user: User | None, team_id: int | None) -> bool:
    """Whether `user` is a member of the team (uses prefetched `teams` when there are)."""
    if not (user and user.is_authenticated) or team_id is None:
        return False
    return any(team.pk == team_id for team in user.teams.all())


def may_work_in(user: User | None, team_id: int | None) -> bool:
    """Leads work anywhere; an engineer in their own teams and where there is no team (visible to all)."""
    return is_lead(user) or (bool(user and user.is_authenticated) and (team_id is None or in_team(user, team_id)))


def can_see_repository(user: User | None, repository: Repository) -> bool:
    """Leads see every repository; engineers those of their teams and those of no team (as records, §8)."""
    return may_work_in(user, repository.team_id)


def can_post_evidence(user: User | None, repository: Repository) -> bool:
    """A person posts evidence (SPEC §10) for a repository they may see; pipelines use the repository's token."""
    return can_see_repository(user, repository)


@dataclass(frozen=True)
class Involvement:
    """Who filed a record (None: the system did) and everyone who ever submitted it."""

    filed_by_id: int | None = None
    submitter_ids: frozenset[int] = frozenset()

    def includes(self, user: User | None, postmortem: Postmortem) -> bool:
        if not (user and user.is_authenticated):
            return False
        return is_owner(user, postmortem) or user.pk == self.filed_by_id or user.pk in self.submitter_ids


def can_edit(user: User | None, postmortem: Postmortem) -> bool:
    """Owners (and leads) edit a draft; nothing else is editable."""
    if postmortem.status != PostmortemStatus.DRAFT:
        return False
    return is_owner(user, postmortem) or is_lead(user)


def can_transition(
    user: User | None, postmortem: Postmortem, transition: Transition, involvement: Involvement | None = None
) -> bool:
    """Whether `user` may make this move now. Approving needs `involvement` (unknown: refused)."""
    if postmortem.status not in TRANSITIONS[transition].sources:
        return False
    if transition is Transition.SUBMIT:
        return is_owner(user, postmortem) or is_lead(user)
    if transition is Transition.APPROVE:
        # Two people see every approved record: nobody approves what they filed, own or submitted.
        return is_lead(user) and involvement is not None and not involvement.includes(user, postmortem)
    if transition is Transition.REQUEST_CHANGES:
        return is_lead(user) and not is_owner(user, postmortem)
    return is_lead(user)


def can_change_action_status(user: User | None, action: PreventionAction, postmortem: Postmortem) -> bool:
    """Action status stays editable after approval; a dismissed record is closed."""
    if not (user and user.is_authenticated) or postmortem.status == PostmortemStatus.DISMISSED:
        return False
    return action.owner_id == user.pk or is_owner(user, postmortem) or is_lead(user)


def can_manage_settings(user: User | None) -> bool:
    """Categories, checklist templates and repository settings are for leads."""
    return is_lead(user)


def check_transition(
    user: User | None, postmortem: Postmortem, transition: Transition, involvement: Involvement | None = None
) -> str:
    """The target status, or NotAllowed/WorkflowError explaining why not."""
    move = TRANSITIONS[transition]
    if postmortem.status not in move.sources:
        raise WorkflowError(
            {"status": [f"Cannot {transition.value.replace('_', ' ')} a record that is {postmortem.status}."]}
        )
    if not can_transition(user, postmortem, transition, involvement):
        if transition is Transition.APPROVE and is_lead(user):
            raise NotAllowed("You cannot approve your own record, nor one you filed or submitted; another lead does.")
        if transition is Transition.REQUEST_CHANGES and is_owner(user, postmortem):
            raise NotAllowed("You cannot review your own postmortem.")
        raise NotAllowed(f"You may not {transition.value.replace('_', ' ')} this postmortem.")
    return move.target


def filing_reasons(user: User, *, repository: Repository | None, team: Team | None, owner: User | None) -> Reasons:
    """Opening a record by hand: an engineer files it for themselves, in their own teams (or in no team)."""
    reasons: Reasons = {}
    if is_lead(user):
        return reasons
    if owner is not None and owner.pk != user.pk:
        add_reason(reasons, "owner", "Only a lead opens a record for someone else.")
    if repository is not None and not may_work_in(user, repository.team_id):
        add_reason(reasons, "repository", "You can open records only in repositories of your teams (or of no team).")
    if team is not None and not in_team(user, team.pk):
        add_reason(reasons, "team", "You can open records only in your own teams.")
    return reasons


def placement_reasons(user: User, postmortem: Postmortem, fields: dict) -> Reasons:
    """Moving a record: only leads re-own or re-team it; an engineer moves it between their own repositories."""
    reasons: Reasons = {}
    if is_lead(user):
        return reasons
    owner, team, repository = fields.get("owner"), fields.get("team"), fields.get("repository")
    if "owner" in fields and (owner.pk if owner else None) != postmortem.owner_id:
        add_reason(reasons, "owner", "Only a lead can reassign a postmortem.")
    if "team" in fields and (team.pk if team else None) != postmortem.team_id:
        add_reason(reasons, "team", "Only a lead moves a record to another team.")
    moved = "repository" in fields and repository is not None and repository.pk != postmortem.repository_id
    if moved and not may_work_in(user, repository.team_id):
        add_reason(reasons, "repository", "You can move a record only to repositories of your teams (or of no team).")
    return reasons


def check_link_pr(user: User, postmortem: Postmortem, merged_pr: MergedPullRequest, covered_by: int | None) -> None:
    """Covering another hotfix PR with `postmortem`; NotAllowed or WorkflowError when it may not be.

    `covered_by` is the id of the record that covers the PR now, if any. Taking a PR
    from another record (which may dismiss that record) is a lead's move.
    """
    if not can_edit(user, postmortem):
        raise NotAllowed("Only the owner or a lead can edit a draft postmortem.")
    if not may_work_in(user, merged_pr.repository.team_id):
        raise NotAllowed("You can link only PRs of your teams' repositories (or of no team).")
    if covered_by is not None and covered_by != postmortem.pk and not is_lead(user):
        raise NotAllowed("This PR is covered by another record; moving it to this one is a lead's move.")
    if postmortem.repository_id is not None and merged_pr.repository_id != postmortem.repository_id:
        raise WorkflowError({"hotfix_prs": ["The PR belongs to another repository."]})


def can_override_staging(user: User | None, merged_pr: MergedPullRequest) -> bool:
    """A lead may answer over a computed `skipped` (SPEC §10); nothing else is a person's to change."""
    return is_lead(user) and merged_pr.staging_verification == StagingVerification.SKIPPED


def check_staging_override(user: User | None, merged_pr: MergedPullRequest, status: str, reason: str) -> None:
    """Overriding a merged PR's staging answer; NotAllowed or WorkflowError when it may not be."""
    if not is_lead(user):
        raise NotAllowed("Only a lead can override a staging verification.")
    reasons: Reasons = {}
    if merged_pr.staging_verification != StagingVerification.SKIPPED:
        add_reason(reasons, "status", "Only a skipped answer can be overridden; this one is computed from evidence.")
    if status not in StagingOverride.values:
        add_reason(reasons, "status", f"Choose one of: {', '.join(StagingOverride.values)}.")
    if not reason.strip():
        add_reason(reasons, "reason", "Say why the evidence is wrong here.")
    if reasons:
        raise WorkflowError(reasons)
