"""The burst benchmark's checks and its section of bench/RESULTS.md."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from bench.burst import mix
from bench.results_file import replace_section
from bench.webhook.runner import machine

HEADING_PREFIX = "## Burst:"  # finds this section whatever its heading said before
HEADING = f"{HEADING_PREFIX} pull_request and evidence deliveries, then the drain (issues 7, 13, 17)"
END = "<!-- bench:burst:end -->"
BACKLOG_GOAL, EMPTY_GOAL_S = 1000, 10.0  # SPEC §7, paced mode
EVIDENCE_EVENTS = {"deployment_status", "check_run", "workflow_run", "status"}


@dataclass
class ModeResult:
    name: str
    mix: mix.Mix
    sent: object  # runner.Sent
    drained: bool
    started: float
    emptied_at: float
    samples: list[tuple[float, int, int, int]]
    final: dict[str, int]
    stored_ids: set[str]
    evidence_keys: list[tuple[str, str]]
    expected_extra: set[tuple[str, str]]
    verdicts: dict[int, str]
    cpu: dict[str, float]  # CPU seconds used while the clock ran, by role

    @property
    def drain_s(self) -> float:
        return self.emptied_at - self.started

    @property
    def after_last_s(self) -> float:
        return self.emptied_at - self.sent.last_request_at

    @property
    def done(self) -> int:
        return self.final["processed"] + self.final["ignored"] - 1  # the warm-up delivery was before the clock

    @property
    def max_backlog(self) -> tuple[int, int, int, int]:
        """The largest pending + queued + taken, and its parts."""
        worst = max(self.samples, key=lambda s: s[1] + s[2] + s[3], default=(0, 0, 0, 0))
        return worst[1] + worst[2] + worst[3], worst[1], worst[2], worst[3]

    def checks(self) -> dict[str, bool]:
        expected = self.mix.expected_evidence | self.expected_extra
        want_verdicts = self.mix.expected_verdicts()
        checks = {
            "every accepted delivery stored": self.sent.accepted <= self.stored_ids,
            "backlog empty (nothing pending, no message queued or taken)": self.drained,
            "no delivery failed or pending": self.final["failed"] == 0 and self.final["pending"] == 0,
            "every delivery tried exactly once (attempts = 1)": self.final["not_tried_once"] == 0,
            f"evidence rows = the {len(expected)} distinct facts sent, each once": sorted(self.evidence_keys)
            == sorted(expected),
            f"every PR recorded once ({self.mix.prs})": self.final["merged_prs"]
            == self.final["distinct_prs"]
            == self.mix.prs,
            "every PR's staging verification as SPEC §10 gives it": self.verdicts == want_verdicts,
            f"every hotfix with exactly one postmortem ({self.mix.hotfixes})": self.final["hotfix_prs"]
            == self.final["postmortems"]
            == self.mix.hotfixes
            and self.final["hotfixes_not_one_postmortem"] == 0,
            "no 5xx or connection errors": not any(s >= 500 or s == 0 for s in self.sent.statuses),
        }
        if self.name == "paced":
            checks[f"backlog never above {BACKLOG_GOAL}"] = self.max_backlog[0] <= BACKLOG_GOAL
            checks[f"backlog empty within {EMPTY_GOAL_S:.0f} s of the last request"] = (
                self.drained and self.after_last_s <= EMPTY_GOAL_S
            )
        return checks


def mode_lines(result: ModeResult, args) -> str:
    the_mix, sent, final = result.mix, result.sent, result.final
    answers = ", ".join(f"{code or 'error'}: {n}" for code, n in sorted(sent.statuses.items()))
    evidence = the_mix.count(EVIDENCE_EVENTS)
    total, pending, queued, taken = result.max_backlog
    verdicts = Counter(result.verdicts.values())
    lines = [
        f"### {result.name}: {len(the_mix.items)} deliveries "
        f"({len(the_mix.items) - evidence} pull_request, {evidence} evidence) for {the_mix.prs} PRs"
        + (f", paced at {args.rate:.0f}/s" if result.name == "paced" else ", as fast as the intake takes them"),
        "",
        "| measure | value |",
        "| --- | --- |",
        f"| answers | {answers} |",
        f"| intake (baseline) | {len(the_mix.items) / sent.seconds:.0f} req/s ({sent.seconds:.1f} s)"
        + (f"; at worst {sent.max_lag:.2f} s behind its slot |" if result.name == "paced" else " |"),
        f"| processing | {result.done / result.drain_s:.0f} deliveries/s, first request → backlog empty "
        f"({result.done / result.drain_s / (len(the_mix.items) / sent.seconds):.2f}× the intake rate) |",
        f"| drain (first request → backlog empty) | {result.drain_s:.1f} s |",
        f"| backlog empty after the last request | {result.after_last_s:.1f} s |",
        f"| largest backlog sampled (every {0.5} s) | {total} (pending {pending}, queued messages {queued}, "
        f"taken {taken}) |",
        f"| deliveries stored / accepted with 202 | {final['deliveries'] - 1} / {len(sent.accepted)} |",
        f"| processed / ignored / failed / pending | {final['processed'] - 1} / {final['ignored']} / "
        f"{final['failed']} / {final['pending']} |",
        f"| deliveries tried more than once | {final['attempts_over_one']} |",
        f"| evidence rows (expected distinct facts) | {final['evidence'] - 1} ({len(the_mix.expected_evidence)}) |",
        f"| merged PRs / distinct; staging verification | {final['merged_prs']} / {final['distinct_prs']}; "
        + ", ".join(f"{status} {n}" for status, n in sorted(verdicts.items()))
        + " |",
        f"| hotfix PRs / postmortems | {final['hotfix_prs']} / {final['postmortems']} |",
        f"| CPU per delivery processed (ms) | {cpu_text(result)} |",
        "",
        *[f"- {'✔' if ok else '✘ FAILED'} {name}" for name, ok in result.checks().items()],
    ]
    return "\n".join(lines)


def cpu_text(result: ModeResult) -> str:
    """Each role's CPU per delivery, and how much of the machine all of them had while the clock ran."""
    per = ", ".join(f"{role} {seconds * 1000 / result.done:.1f}" for role, seconds in sorted(result.cpu.items()))
    share = sum(result.cpu.values()) / (result.drain_s * (os.cpu_count() or 1))
    return f"{per}; together {share:.0%} of the machine's CPU time over the drain"


def section(results: list[ModeResult], args) -> str:
    lines = [
        HEADING,
        "",
        f"- Command: `bench/burst/run` (modes {args.modes}; {args.clients} client threads with keep-alive; gunicorn "
        f"gthread {args.gunicorn_workers} workers × {args.threads} threads; one Celery worker with "
        f"{args.concurrency} processes; DEBUG off; PostgreSQL `{args.db}` (a fresh copy of a migrated template per "
        f"mode), Redis `{args.redis_url.rsplit('/', 1)[-1]}`; no GitHub write-back)",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine()}; client, gunicorn, workers, PostgreSQL and Redis share it; load average at the "
        f"end {os.getloadavg()[0]:.1f} (other work on the host counts against these numbers)",
        "- Mix (`bench/burst/mix.py`, from GitHub's example payloads): per PR merged into `master`, pull_request "
        "opened, synchronize, closed (merged), the same closed under a new id, labeled for every 5th (hotfix); "
        "statuses, workflow runs (some re-run), check runs, staging (`stage-eu`) and production (`prod-eu`) "
        "deployment statuses and the `downstream-e2e` check the repository requires, some not completed or "
        "`inactive` (ignored); every 4th PR never in staging, every 7th failed `downstream-e2e`; 30% of the "
        "evidence sent again under a new id (another hook), the rest of each share redeliveries of an earlier "
        "id; shuffled. Before the clock starts, one older staging deployment (the repository's history).",
        "- Baseline: the intake rate of the same run; processing is given as a ratio of it.",
        "",
        *["\n".join([mode_lines(result, args), ""]) for result in results],
        END,
    ]
    return "\n".join(lines)


def write_results(section_text: str) -> None:
    replace_section(section_text, starts_with=HEADING_PREFIX, ends_with=END)
