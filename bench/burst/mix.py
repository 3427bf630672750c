"""The deliveries of the burst benchmark, built from GitHub's real example payloads.

For `prs` PRs merged into the default branch of Codertocat/Hello-World (every 5th a
hotfix by label), ten minutes apart:

- pull_request: `opened` and `synchronize` before the merge (ignored), the merging
  `closed`, the same `closed` again under a new delivery id, `labeled` after the merge
  for hotfixes;
- evidence about the PR's commits, the way a pipeline with a `stage-eu` staging and a
  `prod-eu` production environment (the repository maps them) reports it:
  a status `ci/build` pending then success on the head commit, a workflow run `CI`
  (re-run for every 6th PR), a check run `lint`; the staging deployment of the head
  commit in progress then successful, the `downstream-e2e` check run on it created
  (ignored: not completed) then completed, a commit status `ci/e2e`; the production
  deployment of the merge commit in progress then successful; the staging deployment
  then `inactive` (ignored: replaced). Every 4th PR never ran in staging (no staging
  deployment, no `downstream-e2e`), every 7th failed `downstream-e2e`.

Evidence deliveries are then sent a second time under a new delivery id (the same fact
from an organisation hook), and deliveries of both kinds are redelivered with their
own id, until each kind reaches its share; everything is shuffled with a fixed seed, so
facts about one PR race each other and their PR.

`Mix.expected_evidence` is the set of (source_key, status) rows the tracker must end up
with, computed here from what was sent — by SPEC §10's keying, not by the product's code.
"""

from __future__ import annotations

import copy
import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

HOTFIX_EVERY = 5
NO_STAGING_EVERY = 4
FAILED_E2E_EVERY = 7
RERUN_EVERY = 6
STAGING_ENV, PRODUCTION_ENV = "stage-eu", "prod-eu"
REQUIRED_CHECK = "downstream-e2e"
MERGED_FROM = datetime(2026, 3, 1, tzinfo=UTC)
MERGE_SPACING = timedelta(minutes=10)
# Evidence deliveries per PR delivery in the burst: 40,000 beside 10,000.
EVIDENCE_PER_PR_DELIVERY = 4
SAME_FACT_NEW_ID_SHARE = 0.3


@dataclass
class Mix:
    items: list[tuple[str, str, bytes]] = field(default_factory=list)  # (delivery id, event, body), send order
    expected_evidence: set[tuple[str, str]] = field(default_factory=set)
    prs: int = 0

    @property
    def hotfixes(self) -> int:
        return self.prs // HOTFIX_EVERY

    def count(self, events: set[str]) -> int:
        return sum(1 for _, event, _ in self.items if event in events)

    def expected_verdicts(self) -> dict[int, str]:
        """SPEC §10's answer for each PR once everything is in (the warm-up made staging evidence known before
        any of them): verified when it ran in staging and passed `downstream-e2e` there, else skipped."""
        return {
            n: "skipped" if n % NO_STAGING_EVERY == 0 or n % FAILED_E2E_EVERY == 0 else "verified"
            for n in range(1, self.prs + 1)
        }


def _load(fixtures: Path, name: str) -> dict:
    return json.loads((fixtures / name).read_text())


def _at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def head_sha(number: int) -> str:
    return f"a{number:039x}"


def merge_sha(number: int) -> str:
    return f"{number:040x}"


class _Builder:
    def __init__(self, fixtures: Path) -> None:
        self.pr = _load(fixtures, "pull_request.closed.json")
        self.repository = self.pr["repository"]  # every evidence payload is about the PRs' repository
        self.deployment_status = _load(fixtures, "deployment_status.json")
        self.check_run = _load(fixtures, "check_run.completed.json")
        self.workflow_run = _load(fixtures, "workflow_run.completed.json")
        self.status = _load(fixtures, "status.json")
        self.pr_items: list[tuple[str, str, bytes]] = []
        self.evidence_items: list[tuple[str, str, bytes]] = []
        self.expected: set[tuple[str, str]] = set()

    def pull_request(self, number: int, action: str, kind: str, *, merged: bool, hotfix: bool) -> None:
        payload = copy.deepcopy(self.pr)
        pr = payload["pull_request"]
        payload["action"], payload["number"] = action, number
        pr.update(number=number, title=f"Fix batch job {number}", state="closed" if merged else "open")
        pr.update(merged=merged, merged_at=_at(merged_at(number)) if merged else None)
        pr["merge_commit_sha"] = merge_sha(number)
        pr["head"]["sha"] = head_sha(number)
        pr["html_url"] = f"https://github.com/Codertocat/Hello-World/pull/{number}"
        pr["labels"] = [{"name": "hotfix", "color": "d73a4a", "default": False}] if hotfix and merged else []
        self.pr_items.append((f"burst-{number}-{kind}", "pull_request", json.dumps(payload).encode()))

    def _evidence(self, delivery_id: str, event: str, payload: dict, key: tuple[str, str] | None) -> None:
        payload["repository"] = self.repository
        self.evidence_items.append((delivery_id, event, json.dumps(payload).encode()))
        if key is not None:
            self.expected.add(key)

    def deployment(
        self, ident: str, *, deployment_id: int, status_id: int, sha: str, env: str, state: str, at: datetime
    ) -> None:
        payload = copy.deepcopy(self.deployment_status)
        payload["deployment"].update(id=deployment_id, sha=sha, environment=env, original_environment=env)
        payload["deployment_status"].update(
            id=status_id, state=state, environment=env, created_at=_at(at), updated_at=_at(at)
        )
        status = {"in_progress": "in_progress", "success": "success"}.get(state)
        key = (f"deployment_status:{status_id}", status) if status else None  # `inactive` is no new fact
        self._evidence(f"burst-{ident}", "deployment_status", payload, key)

    def check(self, ident: str, *, run_id: int, sha: str, name: str, conclusion: str | None, at: datetime) -> None:
        payload = copy.deepcopy(self.check_run)
        completed = conclusion is not None
        payload["action"] = "completed" if completed else "created"
        payload["check_run"].update(
            id=run_id,
            head_sha=sha,
            name=name,
            status="completed" if completed else "queued",
            conclusion=conclusion,
            started_at=_at(at),
            completed_at=_at(at) if completed else None,
            html_url=f"https://github.com/Codertocat/Hello-World/runs/{run_id}",
        )
        key = (f"check_run:{run_id}", conclusion) if completed else None  # not completed: proves nothing yet
        self._evidence(f"burst-{ident}", "check_run", payload, key)

    def workflow(self, ident: str, *, run_id: int, attempt: int, sha: str, name: str, at: datetime) -> None:
        payload = copy.deepcopy(self.workflow_run)
        payload["workflow_run"].update(
            id=run_id,
            run_attempt=attempt,
            head_sha=sha,
            name=name,
            conclusion="success",
            updated_at=_at(at),
            head_branch="feature",
            html_url=f"https://github.com/Codertocat/Hello-World/actions/runs/{run_id}",
        )
        self._evidence(f"burst-{ident}", "workflow_run", payload, (f"workflow_run:{run_id}:{attempt}", "success"))

    def commit_status(self, ident: str, *, status_id: int, sha: str, context: str, state: str, at: datetime) -> None:
        payload = copy.deepcopy(self.status)
        payload.update(
            id=status_id,
            sha=sha,
            context=context,
            state=state,
            created_at=_at(at),
            updated_at=_at(at),
            target_url=f"https://ci.example.com/builds/{status_id}",
        )
        self._evidence(f"burst-{ident}", "status", payload, (f"status:{status_id}", state))


def merged_at(number: int) -> datetime:
    return MERGED_FROM + number * MERGE_SPACING


def _pr_deliveries(builder: _Builder, number: int) -> None:
    hotfix = number % HOTFIX_EVERY == 0
    builder.pull_request(number, "opened", "opened", merged=False, hotfix=False)
    builder.pull_request(number, "synchronize", "sync", merged=False, hotfix=False)
    builder.pull_request(number, "closed", "closed", merged=True, hotfix=hotfix)
    builder.pull_request(number, "closed", "closed-again", merged=True, hotfix=hotfix)
    if hotfix:
        builder.pull_request(number, "labeled", "labeled", merged=True, hotfix=True)


def _evidence_deliveries(b: _Builder, n: int) -> None:
    """The facts a pipeline reports about PR `n` (ids unique per PR: n * 100 + a small offset)."""
    head, merge, merged = head_sha(n), merge_sha(n), merged_at(n)
    before = lambda minutes: merged - timedelta(minutes=minutes)  # noqa: E731
    b.commit_status(
        f"{n}-build-pending", status_id=n * 100 + 1, sha=head, context="ci/build", state="pending", at=before(60)
    )
    b.commit_status(f"{n}-build", status_id=n * 100 + 2, sha=head, context="ci/build", state="success", at=before(55))
    b.workflow(f"{n}-ci", run_id=n * 100 + 3, attempt=1, sha=head, name="CI", at=before(55))
    if n % RERUN_EVERY == 0:
        b.workflow(f"{n}-ci-rerun", run_id=n * 100 + 3, attempt=2, sha=head, name="CI", at=before(52))
    b.check(f"{n}-lint", run_id=n * 100 + 4, sha=head, name="lint", conclusion="success", at=before(54))
    if n % NO_STAGING_EVERY != 0:
        staging = {"deployment_id": n * 100 + 5, "sha": head, "env": STAGING_ENV}
        b.deployment(f"{n}-stg-running", status_id=n * 100 + 6, state="in_progress", at=before(45), **staging)
        b.deployment(f"{n}-stg", status_id=n * 100 + 7, state="success", at=before(40), **staging)
        b.check(f"{n}-e2e-created", run_id=n * 100 + 8, sha=head, name=REQUIRED_CHECK, conclusion=None, at=before(39))
        e2e = "failure" if n % FAILED_E2E_EVERY == 0 else "success"
        b.check(f"{n}-e2e", run_id=n * 100 + 8, sha=head, name=REQUIRED_CHECK, conclusion=e2e, at=before(30))
        b.commit_status(
            f"{n}-e2e-status", status_id=n * 100 + 9, sha=head, context="ci/e2e", state="success", at=before(30)
        )
        b.deployment(
            f"{n}-stg-inactive", status_id=n * 100 + 12, state="inactive", at=merged + timedelta(minutes=6), **staging
        )
    production = {"deployment_id": n * 100 + 10, "sha": merge, "env": PRODUCTION_ENV}
    b.deployment(
        f"{n}-prod-running", status_id=n * 100 + 11, state="in_progress", at=merged + timedelta(minutes=4), **production
    )
    b.deployment(f"{n}-prod", status_id=n * 100 + 13, state="success", at=merged + timedelta(minutes=5), **production)


def _fill(rng: random.Random, items: list, total: int, same_fact_share: float = 0.0) -> list:
    """`items` plus copies up to `total`: first the same body under a new id, then redeliveries of an id."""
    out = list(items)
    copies = min(max(0, total - len(out)), int(len(items) * same_fact_share))
    for index, (delivery_id, event, body) in enumerate(rng.sample(items, copies)):
        out.append((f"{delivery_id}-org-hook-{index}", event, body))
    out += [rng.choice(items) for _ in range(max(0, total - len(out)))]
    return out[:total]


def build(fixtures: Path, *, prs: int, pr_deliveries: int, evidence_deliveries: int, seed: int = 7) -> Mix:
    """The shuffled mix; raises when the totals are too small for the PRs' own deliveries."""
    builder = _Builder(fixtures)
    for number in range(1, prs + 1):
        _pr_deliveries(builder, number)
        _evidence_deliveries(builder, number)
    for kind, made, total in (
        ("PR", builder.pr_items, pr_deliveries),
        ("evidence", builder.evidence_items, evidence_deliveries),
    ):
        if total < len(made):
            raise SystemExit(f"{total} {kind} deliveries cannot carry the {len(made)} distinct ones of {prs} PRs")
    rng = random.Random(seed)
    items = _fill(rng, builder.pr_items, pr_deliveries) + _fill(
        rng, builder.evidence_items, evidence_deliveries, SAME_FACT_NEW_ID_SHARE
    )
    rng.shuffle(items)
    return Mix(items=items, expected_evidence=builder.expected, prs=prs)


def warm_up(fixtures: Path) -> tuple[tuple[str, str, bytes], tuple[str, str]]:
    """One staging deployment from before every PR, sent and processed before the timed part: the repository
    has reported staging evidence for a while, as a real one would (so no PR is `unknown`)."""
    builder = _Builder(fixtures)
    builder.deployment(
        "warm-up",
        deployment_id=1,
        status_id=1,
        sha="b" * 40,
        env=STAGING_ENV,
        state="success",
        at=MERGED_FROM - timedelta(days=30),
    )
    return builder.evidence_items[0], builder.expected.pop()
