"""What a backfill may cost in GitHub requests (SPEC §7), and the state it starts from; for the tests and
`bench/backfill`.

- PRs: at most N/50 + 3 × hotfixes requests (the repository, PR list pages, any single PR),
  N the PRs merged into the production branch in the window;
- deployments: listed a page at a time per environment read, newest first, down to the first
  deployment before the window's lookback — ⌈newer ones / per page⌉ + 1 pages at most;
- statuses: one request per deployment in the window (with its lookback), none twice;
- check runs: only the commits (head and merge) of the hotfix PRs and of the PRs recorded as
  having introduced their defects, one request each — never one per merged commit.

Any other request (a single deployment, a commit, /rate_limit, a write) has no budget.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from postmortems import services
from postmortems.github.api_types import PullRequestInfo
from postmortems.github.events import merged_pull_request_event
from postmortems.management.commands.import_github_history import DEPLOYMENT_LOOKBACK
from postmortems.models import MergedPullRequest, Postmortem, Repository
from tests.github.fake_github import Received
from tests.github.fake_history import History, Pull, kind_of

PER_PAGE = 100
PR_KINDS = ("repository", "PR list pages", "single PR")


@dataclass(frozen=True)
class Part:
    name: str
    made: int
    budget: int

    @property
    def ratio(self) -> float:
        return self.made / self.budget if self.budget else math.inf if self.made else 0.0


@dataclass(frozen=True)
class Cost:
    by_kind: Counter
    parts: tuple[Part, ...]
    # Requests the budget rules out whatever their number: a check-run read of a commit that is
    # neither a hotfix's nor an introducing PR's; statuses read twice, or of a deployment out of the window.
    stray_check_commits: frozenset[str]
    stray_status_reads: int

    @property
    def total(self) -> Part:
        return Part("all", sum(p.made for p in self.parts), sum(p.budget for p in self.parts))

    @property
    def within(self) -> bool:
        stray = self.stray_check_commits or self.stray_status_reads
        return all(p.made <= p.budget for p in self.parts) and not stray


def record_known_hotfixes(history: History, repository: Repository) -> int:
    """What the webhook and the leads left before the backfill: each hotfix PR of the window recorded with its
    draft, and its postmortem naming the merged PR that introduced the defect. Returns how many were named."""
    by_number = history.by_number()
    named = 0
    for hotfix in history.hotfixes():
        introducing = by_number[history.introducing[hotfix.number]]
        for pull in (introducing, hotfix):
            event = merged_pull_request_event(
                _info(pull, history.full_name),
                repository_full_name=history.full_name,
                repository_id=None,
                default_branch="main",
            )
            services.merged_pr_apply(repository=repository, event=event, write_back=False)
        named += Postmortem.objects.filter(hotfix_prs__merged_pr__number=hotfix.number).update(
            introduced_by=MergedPullRequest.objects.get(repository=repository, number=introducing.number)
        )
    return named


def _info(pull: Pull, full_name: str) -> PullRequestInfo:
    return PullRequestInfo(
        number=pull.number,
        title=f"{'Hotfix' if pull.hotfix else 'Change'} {pull.number}",
        author_login=f"dev{pull.number % 40}",
        merged_at=pull.merged_at,
        updated_at=pull.updated_at,
        merge_commit_sha=pull.merge_sha,
        base_branch=pull.base,
        head_branch=f"change-{pull.number}",
        head_repository=full_name,
        labels=("hotfix",) if pull.hotfix else (),
        html_url=f"https://github.com/{full_name}/pull/{pull.number}",
        head_sha=pull.head_sha,
    )


def allowed_check_commits(history: History) -> set[str]:
    by_number = history.by_number()
    pulls = history.hotfixes()
    pulls += [by_number[history.introducing[p.number]] for p in pulls]
    return {sha for p in pulls for sha in (p.head_sha, p.merge_sha) if sha}


def cost(history: History, requests: list[Received], *, environments: list[str]) -> Cost:
    """The requests made against the budget for a backfill of `history`'s window, the repository naming
    `environments` as staging or production (with none named, every deployment is listed at once)."""
    answered = [r for r in requests if r.status != 403]  # a refused request is asked again after the reset
    by_kind = Counter(kind_of(r) for r in answered)
    since = history.start - DEPLOYMENT_LOOKBACK  # how far back staging counts (the command's choice)
    pages = 0
    in_window: set[int] = set()
    for environment in environments or [None]:
        listed = [d for d in history.deployments if environment is None or d.environment == environment]
        pages += math.ceil(sum(d.created_at >= since for d in listed) / PER_PAGE) + 1
        in_window.update(d.id for d in listed if since <= d.created_at <= history.end)
    status_reads = Counter(
        int(re.search(r"/deployments/(\d+)/", r.path).group(1)) for r in answered if kind_of(r) == "deployment statuses"
    )
    allowed = allowed_check_commits(history)
    read = {re.search(r"/commits/([0-9a-f]{40})/", r.path).group(1) for r in answered if kind_of(r) == "check runs"}
    hotfixes = len(history.hotfixes())
    parts = (
        Part("PRs", sum(by_kind[k] for k in PR_KINDS), len(history.merged_in_window()) // 50 + 3 * hotfixes),
        Part("deployment list pages", by_kind["deployment list pages"], pages),
        Part("deployment statuses", by_kind["deployment statuses"], len(in_window)),
        Part("check runs", by_kind["check runs"], len(allowed)),
        Part("anything else", sum(n for k, n in by_kind.items() if k not in _BUDGETED), 0),
    )
    return Cost(
        by_kind=by_kind,
        parts=parts,
        stray_check_commits=frozenset(read - allowed),
        stray_status_reads=sum(1 for n in status_reads.values() if n > 1) + len(set(status_reads) - in_window),
    )


_BUDGETED = (*PR_KINDS, "deployment list pages", "deployment statuses", "check runs")
