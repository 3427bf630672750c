"""Reading the deliveries that are deployment evidence into typed, frozen events (SPEC §10). No writes here.

`deployment_status`, `check_run` and `workflow_run` (completed), `status` and `push`.
GitHub's values are mapped to ours exactly as §10 lists them; every field is untrusted:
shas must be 40 hex, URLs are kept only when https, names are bounded, and a time in
the future is refused. What the facts mean for our records is `services.evidence`'s
business. (Kept apart from `events.py`, which reads pull requests, to keep both short.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ..choices import EvidenceKind, EvidenceStatus
from ..untrusted import safe_link
from .client import CheckRunInfo, DeploymentInfo, DeploymentStatusInfo
from .events import BadPayload
from .events import _get as get_field  # the one reader of payload fields, shared
from .names import is_sha

NO_COMMIT = "0" * 40  # `before` of a new branch, `after` of a deleted one
MAX_NAME = 255
MAX_URL = 500
# Clocks differ a little; a fact dated further ahead than this is refused, not believed.
CLOCK_SKEW = timedelta(minutes=5)

# GitHub's values to ours, exactly as SPEC §10 lists them.
CHECK_CONCLUSIONS: dict[str, str] = {
    "success": EvidenceStatus.SUCCESS,
    **dict.fromkeys(("failure", "timed_out", "action_required", "startup_failure"), EvidenceStatus.FAILURE),
    **dict.fromkeys(("cancelled", "skipped", "stale", "neutral"), EvidenceStatus.CANCELLED),
}
# `inactive` (a later deployment replaced this one) is not a new fact: absent on purpose.
# `waiting` (for a reviewer's approval) is one more way of not having started.
DEPLOYMENT_STATES: dict[str, str] = {
    **{state: state for state in ("success", "failure", "error", "in_progress")},
    **dict.fromkeys(("queued", "pending", "waiting"), EvidenceStatus.PENDING),
}
IGNORED_DEPLOYMENT_STATES = frozenset({"inactive"})
COMMIT_STATES: dict[str, str] = {state: state for state in ("success", "failure", "error", "pending")}


def https_or_blank(value: object) -> str:
    """`value` when it may be stored and shown as a link (`untrusted.safe_link`) and fits the column, else ""."""
    link = safe_link(value)
    return link if len(link) <= MAX_URL else ""


@dataclass(frozen=True)
class EvidenceFact:
    """One fact about a commit, as a delivery reports it; the service stores it and gives it a stage."""

    kind: str
    sha: str
    status: str
    occurred_at: datetime
    source_key: str
    environment: str = ""
    name: str = ""
    url: str = ""


@dataclass(frozen=True)
class EvidenceEvent:
    """A `deployment_status`, `check_run`, `workflow_run` or `status` delivery; no facts when it says nothing new."""

    repository_full_name: str
    repository_id: int | None
    default_branch: str
    facts: tuple[EvidenceFact, ...]


@dataclass(frozen=True)
class PushEvent:
    """A `push` delivery: the branch (blank for a tag) and the commits it brought, oldest first."""

    repository_full_name: str
    repository_id: int | None
    default_branch: str
    branch: str
    before: str
    after: str
    commits: tuple[str, ...]
    pushed_at: datetime
    compare_url: str

    @property
    def brought(self) -> tuple[str, ...]:
        """Every commit the push brought: its `commits` and `after` (nothing when it deleted the branch)."""
        if self.after == NO_COMMIT:
            return ()
        return self.commits if self.after in self.commits else (*self.commits, self.after)


def _object(payload: Any) -> dict:
    if not isinstance(payload, dict):
        raise BadPayload("The payload is not a JSON object.")
    return payload


def _sha(data: Any, path: str) -> str:
    value = get_field(data, path, str).lower()
    if not is_sha(value):
        raise BadPayload(f"`{path}` is not a 40-character hex commit sha.")
    return value


def _name(data: Any, path: str, *, required: bool = True) -> str:
    value = (get_field(data, path, str, required=required) or "").strip()
    if len(value) > MAX_NAME:
        raise BadPayload(f"`{path}` is longer than {MAX_NAME} characters.")
    return value


def _positive_id(data: Any, path: str) -> int:
    value = get_field(data, path, int)
    if value < 1:
        raise BadPayload(f"`{path}` is not a positive id.")
    return value


def _moment(data: Any, paths: tuple[str, ...]) -> datetime:
    """The first of `paths` that is present: an aware date and time, not in the future."""
    raw = next((v for p in paths if (v := get_field(data, p, str, required=False))), None)
    if raw is None:
        raise BadPayload(f"`{paths[0]}` is missing.")
    try:
        moment = parse_datetime(raw)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise BadPayload(f"`{raw[:40]}` is not a date and time with an offset.")
    if moment > timezone.now() + CLOCK_SKEW:
        raise BadPayload(f"{moment.isoformat()} is in the future.")
    return moment


def _repository(payload: dict) -> dict:
    return {
        "repository_full_name": get_field(payload, "repository.full_name", str),
        "repository_id": get_field(payload, "repository.id", int, required=False),
        "default_branch": get_field(payload, "repository.default_branch", str, required=False) or "main",
    }


def _status(value: str, table: dict[str, str], what: str) -> str:
    if value not in table:
        raise BadPayload(f"Unknown {what} `{value[:40]}`.")
    return str(table[value])


def _fact_event(payload: dict, fact: EvidenceFact) -> EvidenceEvent:
    return EvidenceEvent(**_repository(payload), facts=(fact,))


def parse_deployment_status(payload: Any) -> EvidenceEvent | None:
    """A `deployment_status` delivery: the deployment's sha and environment, in its new state.

    None when the state is `inactive`: a later deployment replaced this one, which says
    nothing new about this commit.
    """
    payload = _object(payload)
    state = get_field(payload, "deployment_status.state", str)
    if state in IGNORED_DEPLOYMENT_STATES:
        return None
    environment = _name(payload, "deployment.environment", required=False)
    environment = environment or _name(payload, "deployment_status.environment", required=False)
    if not environment:
        raise BadPayload("`deployment.environment` is missing.")
    status = payload["deployment_status"]
    fact = EvidenceFact(
        kind=EvidenceKind.DEPLOYMENT,
        sha=_sha(payload, "deployment.sha"),
        status=_status(state, DEPLOYMENT_STATES, "deployment state"),
        occurred_at=_moment(payload, ("deployment_status.updated_at", "deployment_status.created_at")),
        source_key=f"deployment_status:{_positive_id(payload, 'deployment_status.id')}",
        environment=environment,
        url=https_or_blank(status.get("log_url")) or https_or_blank(status.get("target_url")),
    )
    return _fact_event(payload, fact)


def _check_fact(payload: dict, *, sha: str, conclusion: str, name: str, at: str, key: str, url: str) -> EvidenceFact:
    if not name:
        raise BadPayload("The check has no name.")
    return EvidenceFact(
        kind=EvidenceKind.CHECK,
        sha=sha,
        status=_status(conclusion, CHECK_CONCLUSIONS, "check conclusion"),
        occurred_at=_moment(payload, (at,)),
        source_key=key,
        name=name,
        url=https_or_blank(url),
    )


def parse_check_run(payload: Any) -> EvidenceEvent | None:
    """A `check_run` delivery; None unless `completed` (a queued or running check proves nothing yet)."""
    payload = _object(payload)
    if get_field(payload, "action", str) != "completed":
        return None
    fact = _check_fact(
        payload,
        sha=_sha(payload, "check_run.head_sha"),
        conclusion=get_field(payload, "check_run.conclusion", str),
        name=_name(payload, "check_run.name"),
        at="check_run.completed_at",
        key=f"check_run:{_positive_id(payload, 'check_run.id')}",
        url=get_field(payload, "check_run.html_url", str, required=False),
    )
    return _fact_event(payload, fact)


def parse_workflow_run(payload: Any) -> EvidenceEvent | None:
    """A `workflow_run` delivery; None unless `completed`. A re-run is a new attempt, so a new fact."""
    payload = _object(payload)
    if get_field(payload, "action", str) != "completed":
        return None
    attempt = get_field(payload, "workflow_run.run_attempt", int, required=False)
    attempt = 1 if attempt is None else attempt  # older deliveries predate re-runs
    if attempt < 1:
        raise BadPayload("`workflow_run.run_attempt` is not a positive number.")
    # GitHub leaves the run's own name empty at times; the workflow's name is the one people know.
    name = _name(payload, "workflow_run.name", required=False) or _name(payload, "workflow.name", required=False)
    fact = _check_fact(
        payload,
        sha=_sha(payload, "workflow_run.head_sha"),
        conclusion=get_field(payload, "workflow_run.conclusion", str),
        name=name,
        at="workflow_run.updated_at",
        key=f"workflow_run:{_positive_id(payload, 'workflow_run.id')}:{attempt}",
        url=get_field(payload, "workflow_run.html_url", str, required=False),
    )
    return _fact_event(payload, fact)


def parse_status(payload: Any) -> EvidenceEvent:
    """A `status` delivery (a commit status): its sha, context, state and target URL."""
    payload = _object(payload)
    context = _name(payload, "context")
    if not context:
        raise BadPayload("`context` is empty.")
    fact = EvidenceFact(
        kind=EvidenceKind.CHECK,
        sha=_sha(payload, "sha"),
        status=_status(get_field(payload, "state", str), COMMIT_STATES, "commit status state"),
        occurred_at=_moment(payload, ("updated_at", "created_at")),
        source_key=f"status:{_positive_id(payload, 'id')}",
        name=context,
        url=https_or_blank(payload.get("target_url")),
    )
    return _fact_event(payload, fact)


# GitHub lists at most this many commits in one push delivery; more is not GitHub talking.
MAX_PUSH_COMMITS = 2048


def _push_time(payload: dict) -> datetime:
    """When the push happened: `repository.pushed_at` (seconds since the epoch in push deliveries),
    else the head commit's time."""
    pushed_at = get_field(payload, "repository.pushed_at", (int, str), required=False)
    if isinstance(pushed_at, int) and not isinstance(pushed_at, bool):
        try:
            moment = datetime.fromtimestamp(pushed_at, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise BadPayload("`repository.pushed_at` is not a time.") from None
        if moment > timezone.now() + CLOCK_SKEW:
            raise BadPayload(f"{moment.isoformat()} is in the future.")
        return moment
    return _moment(payload, ("repository.pushed_at", "head_commit.timestamp"))


def _commit_id(commit: Any) -> str:
    value = commit.get("id") if isinstance(commit, dict) else None
    if not is_sha(value):
        raise BadPayload("`commits[].id` is not a 40-character hex commit sha.")
    return value.lower()


def parse_push(payload: Any) -> PushEvent | None:
    """A `push` delivery to a branch; None for a tag (it deploys nothing by itself)."""
    payload = _object(payload)
    ref = get_field(payload, "ref", str)
    if not ref.startswith("refs/heads/"):
        return None
    branch = ref.removeprefix("refs/heads/")
    if not branch or len(branch) > MAX_NAME:
        raise BadPayload("`ref` does not name a branch we can store.")
    commits = get_field(payload, "commits", list, required=False) or []
    if len(commits) > MAX_PUSH_COMMITS:
        raise BadPayload(f"`commits` lists more than {MAX_PUSH_COMMITS} commits.")
    ids = tuple(dict.fromkeys(_commit_id(commit) for commit in commits))  # in order, once each
    return PushEvent(
        **_repository(payload),
        branch=branch,
        before=_sha(payload, "before"),
        after=_sha(payload, "after"),
        commits=ids,
        pushed_at=_push_time(payload),
        compare_url=https_or_blank(payload.get("compare")),
    )


# --- the backfill (import_github_history): the same facts, read through the REST API ------


def deployment_facts(deployment: DeploymentInfo, statuses: list[DeploymentStatusInfo]) -> list[EvidenceFact]:
    """A listed deployment's statuses as facts, keyed as `deployment_status` deliveries are (so both are one row)."""
    if not deployment.sha or not deployment.environment:
        return []
    return [
        EvidenceFact(
            kind=EvidenceKind.DEPLOYMENT,
            sha=deployment.sha,
            status=str(DEPLOYMENT_STATES[status.state]),
            occurred_at=status.created_at or deployment.created_at,
            source_key=f"deployment_status:{status.id}",
            environment=deployment.environment[:MAX_NAME],
            url=https_or_blank(status.log_url) or https_or_blank(status.target_url),
        )
        for status in statuses
        if status.state in DEPLOYMENT_STATES and (status.created_at or deployment.created_at)
    ]


def check_run_facts(runs: list[CheckRunInfo]) -> list[EvidenceFact]:
    """Completed check runs as facts, keyed as `check_run` deliveries are."""
    return [
        EvidenceFact(
            kind=EvidenceKind.CHECK,
            sha=run.head_sha,
            status=str(CHECK_CONCLUSIONS[run.conclusion]),
            occurred_at=run.completed_at,
            source_key=f"check_run:{run.id}",
            name=run.name[:MAX_NAME],
            url=https_or_blank(run.html_url),
        )
        for run in runs
        if run.status == "completed"
        and run.conclusion in CHECK_CONCLUSIONS
        and run.completed_at
        and run.head_sha
        and run.name
    ]
