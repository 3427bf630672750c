"""A repository's history for the fake GitHub to serve: closed PRs, deployments, their statuses, check runs.

`History.build` makes a year of it (N merged PRs into `main`, every `hotfix_every`-th a
hotfix by label, some closed unmerged or into another branch, some merged before the
window, a few of those updated since) and `History.serve(fake)` answers the REST endpoints the backfill reads, paged the
way GitHub pages them (`per_page`, `page`, a `Link: rel="next"` header):

- `GET /repos/{o}/{r}/pulls?state=&base=&sort=updated&direction=desc` — list payloads, labels included;
- `GET /repos/{o}/{r}/deployments?environment=` — newest first, per environment or all;
- `GET /repos/{o}/{r}/deployments/{id}/statuses`, `GET /repos/{o}/{r}/commits/{sha}/check-runs`.

Payloads are the recorded REST examples with the fields that differ filled in; nested
objects that never differ (users, repositories) are shared between items, not copied,
so 10,000 PRs fit in memory. `kind_of` names what a recorded request asked for, so
benchmarks and tests can count requests by kind.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from tests.github.fake_github import FakeGitHub, Received, Reply

STAMP = "%Y-%m-%dT%H:%M:%SZ"
PER_PAGE_DEFAULT, PER_PAGE_MAX = 30, 100


def sha_of(*parts: object) -> str:
    return hashlib.sha1(" ".join(map(str, parts)).encode()).hexdigest()


@dataclass(frozen=True)
class Pull:
    number: int
    base: str
    updated_at: datetime
    merged_at: datetime | None
    hotfix: bool
    head_sha: str
    merge_sha: str


@dataclass(frozen=True)
class Deployment:
    id: int
    environment: str
    sha: str
    created_at: datetime


@dataclass
class History:
    full_name: str
    start: datetime
    end: datetime
    pulls: list[Pull] = field(default_factory=list)  # most recently updated first, as the list sorts them
    deployments: list[Deployment] = field(default_factory=list)  # newest first
    # A hotfix PR's number → the merged PR that introduced its defect (what a lead records).
    introducing: dict[int, int] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        full_name: str,
        *,
        merged: int,
        start: datetime,
        end: datetime,
        hotfix_every: int = 20,
        deploy_every: int = 10,
    ) -> History:
        """`merged` PRs merged into main evenly over [start, end], deployments to staging then production
        every `deploy_every` merges and to preview in between; history before `start` as well."""
        history = cls(full_name=full_name, start=start, end=end)
        step = (end - start) / merged
        pulls: list[Pull] = []
        deployments: list[Deployment] = []
        before = merged // 10  # merged before the window, over more than the deployments' lookback
        others = merged + before  # closed unmerged PRs and PRs into a release branch are numbered after these
        for i in range(-before, merged):
            number = i + before + 1
            merged_at = start + step * i + timedelta(seconds=1)
            hotfix = i >= 0 and number % hotfix_every == 0
            # Now and then an old PR is updated again (a late comment): it comes early in the list, merged long ago.
            updated_at = merged_at + timedelta(days=60) if i < 0 and i % 20 == 0 else merged_at
            pulls.append(Pull(number, "main", updated_at, merged_at, hotfix, sha_of("head", number), sha_of(number)))
            if hotfix:
                history.introducing[number] = number - 7
            if i % 25 == 0:  # now and then one closed without merging, and one merged into a release branch
                pulls.append(Pull(others + 1, "main", merged_at, None, False, sha_of("head", others + 1), ""))
                pulls.append(Pull(others + 2, "release", merged_at, merged_at, False, sha_of("head", others + 2), ""))
                others += 2
            if (i + 1) % deploy_every == 0:
                for offset, env in enumerate(("staging", "production")):
                    at = merged_at + timedelta(minutes=10 * (offset + 1))
                    deployments.append(Deployment(len(deployments) + 1, env, sha_of(number), at))
            elif (i + 1) % deploy_every == deploy_every // 2:
                deployments.append(Deployment(len(deployments) + 1, "preview", sha_of("head", number), merged_at))
        history.pulls = sorted(pulls, key=lambda p: p.updated_at, reverse=True)
        history.deployments = sorted(deployments, key=lambda d: d.created_at, reverse=True)
        return history

    # --- what the window holds -------------------------------------------------

    def merged_in_window(self, base: str = "main") -> list[Pull]:
        return [p for p in self.pulls if p.base == base and p.merged_at and self.start <= p.merged_at <= self.end]

    def hotfixes(self) -> list[Pull]:
        return [p for p in self.merged_in_window() if p.hotfix]

    def by_number(self) -> dict[int, Pull]:
        return {p.number: p for p in self.pulls}

    # --- serving ---------------------------------------------------------------

    def serve(self, fake: FakeGitHub) -> None:
        repo = rf"/repos/{re.escape(self.full_name)}"
        self._fake = fake
        self._pr_template = fake.fixture("pulls.list.200.json")[0]
        self._deployment_template = fake.fixture("repos.list-deployments.200.json")[0]
        self._status_template = fake.fixture("repos.list-deployment-statuses.200.json")[0]
        self._run_template = fake.fixture("checks.list-for-ref.200.json")["check_runs"][0]
        info = fake.fixture("repos.get.200.json")
        info.update(full_name=self.full_name, name=self.full_name.split("/")[1], default_branch="main")
        fake.route("GET", repo, Reply(200, info))
        fake.route("GET", rf"{repo}/pulls", self._pulls)
        fake.route("GET", rf"{repo}/deployments", self._deployments)
        fake.route("GET", rf"{repo}/deployments/\d+/statuses", self._statuses)
        fake.route("GET", rf"{repo}/commits/[0-9a-f]{{40}}/check-runs", self._check_runs)

    def _page(self, request: Received, items: list, render) -> Reply:
        split = urlsplit(request.path)
        query = {k: v[0] for k, v in parse_qs(split.query).items()}
        per_page = min(int(query.get("per_page", PER_PAGE_DEFAULT)), PER_PAGE_MAX)
        page = int(query.get("page", 1))
        headers = {}
        if page * per_page < len(items):
            following = dict(query, per_page=str(per_page), page=str(page + 1))
            link = "&".join(f"{k}={v}" for k, v in following.items())
            headers["Link"] = f'<{self._fake.base_url}{split.path}?{link}>; rel="next"'
        return Reply(200, [render(item) for item in items[(page - 1) * per_page : page * per_page]], headers)

    def _pulls(self, request: Received) -> Reply:
        query = {k: v[0] for k, v in parse_qs(urlsplit(request.path).query).items()}
        # Every PR here is closed; sorted by update, newest first, as the backfill asks.
        state, base = query.get("state", "open"), query.get("base")
        listed = [p for p in self.pulls if state in ("closed", "all") and (base is None or p.base == base)]
        return self._page(request, listed, self._pull_payload)

    def _pull_payload(self, pull: Pull) -> dict:
        t = self._pr_template
        url = f"{self._fake.base_url}/repos/{self.full_name}/pulls/{pull.number}"
        closed_at = (pull.merged_at or pull.updated_at).strftime(STAMP)
        return dict(
            t,
            id=10_000_000 + pull.number,
            number=pull.number,
            url=url,
            html_url=f"https://github.com/{self.full_name}/pull/{pull.number}",
            state="closed",
            title=f"{'Hotfix' if pull.hotfix else 'Change'} {pull.number}",
            user=dict(t["user"], login=f"dev{pull.number % 40}"),
            labels=[{"id": 1, "name": "hotfix", "color": "d73a4a", "default": False}] if pull.hotfix else [],
            created_at=((pull.merged_at or pull.updated_at) - timedelta(hours=3)).strftime(STAMP),
            updated_at=pull.updated_at.strftime(STAMP),
            closed_at=closed_at,
            merged_at=closed_at if pull.merged_at else None,
            merge_commit_sha=pull.merge_sha or None,
            head=dict(t["head"], ref=f"change-{pull.number}", sha=pull.head_sha),
            base=dict(t["base"], ref=pull.base),
        )

    def _deployments(self, request: Received) -> Reply:
        environment = parse_qs(urlsplit(request.path).query).get("environment", [None])[0]
        listed = [d for d in self.deployments if environment is None or d.environment == environment]
        return self._page(request, listed, self._deployment_payload)

    def _deployment_payload(self, deployment: Deployment) -> dict:
        return dict(
            self._deployment_template,
            id=deployment.id,
            url=f"{self._fake.base_url}/repos/{self.full_name}/deployments/{deployment.id}",
            sha=deployment.sha,
            ref="main",
            environment=deployment.environment,
            original_environment=deployment.environment,
            created_at=deployment.created_at.strftime(STAMP),
            updated_at=deployment.created_at.strftime(STAMP),
        )

    def _statuses(self, request: Received) -> Reply:
        """Two statuses a deployment, newest first: success, then the in_progress before it."""
        deployment_id = int(re.search(r"/deployments/(\d+)/", request.path).group(1))
        deployment = next((d for d in self.deployments if d.id == deployment_id), None)
        if deployment is None:
            return Reply(404, {"message": "Not Found"})
        statuses = []
        for n, state in enumerate(("success", "in_progress")):
            at = (deployment.created_at + timedelta(minutes=5 * (1 - n))).strftime(STAMP)
            statuses.append(
                dict(
                    self._status_template,
                    id=deployment_id * 10 + 2 - n,
                    state=state,
                    environment=deployment.environment,
                    created_at=at,
                    updated_at=at,
                    deployment_url=f"{self._fake.base_url}/repos/{self.full_name}/deployments/{deployment_id}",
                )
            )
        return Reply(200, statuses)

    def _check_runs(self, request: Received) -> Reply:
        """Two completed runs on every commit: the build and the staging end-to-end suite."""
        sha = re.search(r"/commits/([0-9a-f]{40})/", request.path).group(1)
        runs = [
            dict(
                self._run_template,
                id=int(sha[:12], 16) * 2 + n,
                head_sha=sha,
                name=name,
                status="completed",
                conclusion="success",
                completed_at=self.start.strftime(STAMP),
                pull_requests=[],
            )
            for n, name in enumerate(("build", "downstream-e2e"))
        ]
        return Reply(200, {"total_count": len(runs), "check_runs": runs})


KINDS = (
    ("repository", r"/repos/[^/]+/[^/]+"),
    ("PR list pages", r"/repos/[^/]+/[^/]+/pulls"),
    ("single PR", r"/repos/[^/]+/[^/]+/pulls/\d+(/.*)?"),
    ("deployment list pages", r"/repos/[^/]+/[^/]+/deployments"),
    ("single deployment", r"/repos/[^/]+/[^/]+/deployments/\d+"),
    ("deployment statuses", r"/repos/[^/]+/[^/]+/deployments/\d+/statuses"),
    ("check runs", r"/repos/[^/]+/[^/]+/commits/[0-9a-f]{40}/check-runs"),
    ("commit", r"/repos/[^/]+/[^/]+/commits/[0-9a-f]{40}(/.*)?"),
    ("rate limit", r"/rate_limit"),
)


def kind_of(request: Received) -> str:
    """What a recorded request asked for (the first matching kind; writes and anything else are "other")."""
    if request.method == "GET":
        path = urlsplit(request.path).path
        for kind, pattern in KINDS:
            if re.fullmatch(pattern, path):
                return kind
    return f"other ({request.method})"
