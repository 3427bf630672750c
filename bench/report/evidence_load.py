"""Deployment evidence for the report bench (SPEC §7, §10): two rows per merged PR, and the answers they give.

Per merged PR number i (merged at `m.merged_at`, repository `repo0 + i % 50`):

- at +10 minutes, a successful **staging deployment** of its merge commit — except in the
  five repositories that never report staging (i % 50 >= 45) and for one PR in seven
  (i % 7 = 3), which get a passing `ci` **check** on the merge commit instead;
- at +30 minutes, a **production deployment** of its merge commit: successful, except one
  in 97 which failed (that PR reaches production with a later deployment of its repository).

So 1,000,000 PRs bring 2,000,000 evidence rows. The stored answers are then computed in
one set-based statement by SPEC §10's rule as it applies to this data (no required
staging checks, no production-branch pushes, so a PR reaches production at the first
successful production deployment of its repository at or after its merge);
`check_against_rule` asks the product's own `verdict_for` about a random sample and
fails the run if any answer differs. One skipped PR in a hundred carries a lead's
override, so the report's "answer that holds" is exercised too.
"""

from __future__ import annotations

import random

EVIDENCE_SQL = """
INSERT INTO postmortems_evidence (repository_id, kind, sha, environment, stage, name, status, url, occurred_at,
    source, source_key, created_at)
SELECT m.repository_id, e.kind, m.merge_commit_sha, e.environment, e.stage, e.name, e.status, '',
       m.merged_at + e.after, 'github', 'bench:' || e.slot || ':' || m.number, now()
FROM postmortems_mergedpullrequest m
CROSS JOIN LATERAL (
    SELECT 1 AS slot, interval '10 minutes' AS after,
           CASE WHEN no_staging THEN 'check' ELSE 'deployment' END AS kind,
           CASE WHEN no_staging THEN '' ELSE 'staging' END AS environment,
           CASE WHEN no_staging THEN '' ELSE 'staging' END AS stage,
           CASE WHEN no_staging THEN 'ci' ELSE '' END AS name,
           'success' AS status
    FROM (SELECT m.number %% 50 >= 45 OR m.number %% 7 = 3 AS no_staging) s
    UNION ALL
    SELECT 2, interval '30 minutes', 'deployment', 'production', 'production', '',
           CASE WHEN m.number %% 97 = 0 THEN 'failure' ELSE 'success' END
) e
WHERE m.number >= %(lo)s AND m.number < %(hi)s
ORDER BY m.merged_at + e.after;  -- stored in the order the pipeline reported them
"""

# The rule of postmortems/verification.py for this data; recomputed for every PR after each
# load, because a later deployment can be the one that brings an earlier, failed PR to production.
VERDICTS_SQL = """
WITH first_staging AS (
    SELECT repository_id, min(occurred_at) AS at FROM postmortems_evidence
    WHERE kind = 'deployment' AND stage = 'staging' GROUP BY repository_id
), answers AS (
    SELECT m.id, r.reached,
           CASE WHEN r.reached IS NULL THEN 'pending'
                WHEN EXISTS (SELECT 1 FROM postmortems_evidence s
                             WHERE s.repository_id = m.repository_id AND s.sha IN (m.merge_commit_sha, m.head_sha)
                               AND s.kind = 'deployment' AND s.stage = 'staging' AND s.status = 'success'
                               AND s.occurred_at < r.reached) THEN 'verified'
                WHEN fs.at < r.reached THEN 'skipped'
                ELSE 'unknown' END AS answer
    FROM postmortems_mergedpullrequest m
    LEFT JOIN first_staging fs ON fs.repository_id = m.repository_id
    CROSS JOIN LATERAL (
        SELECT min(p.occurred_at) AS reached FROM postmortems_evidence p
        WHERE p.repository_id = m.repository_id AND p.stage = 'production' AND p.kind = 'deployment'
          AND p.status = 'success' AND p.occurred_at >= m.merged_at
    ) r
)
UPDATE postmortems_mergedpullrequest m
SET staging_verification = a.answer, reached_production_at = a.reached,
    staging_override = CASE WHEN a.answer = 'skipped' AND m.number %% 100 = 13 THEN 'verified' ELSE '' END,
    staging_override_reason = CASE WHEN a.answer = 'skipped' AND m.number %% 100 = 13
                                   THEN 'bench: deployed by hand, log attached' ELSE '' END
FROM answers a
WHERE a.id = m.id
"""

SAMPLE = 300


def load_evidence(cursor, lo: int, hi: int) -> None:
    """The evidence of PRs lo..hi-1, then every PR's stored answer."""
    cursor.execute(EVIDENCE_SQL, {"lo": lo, "hi": hi})
    cursor.execute(VERDICTS_SQL, {})


def check_against_rule(seed: int = 11) -> int:
    """Ask the product's rule about a random sample of PRs; raise if a stored answer differs. Returns how many."""
    from postmortems.models import MergedPullRequest
    from postmortems.services.verification import verdict_for

    ids = list(MergedPullRequest.objects.values_list("id", flat=True).order_by("id"))
    sample = random.Random(seed).sample(ids, min(SAMPLE, len(ids)))
    prs = MergedPullRequest.objects.filter(id__in=sample).select_related("repository")
    for pr in prs:
        verdict = verdict_for(pr)
        stored = (pr.staging_verification, pr.reached_production_at)
        assert (verdict.status, verdict.reached_production_at) == stored, (pr.number, verdict, stored)
    return len(sample)


def evidence_counts(cursor) -> dict[str, int]:
    cursor.execute("SELECT count(*), count(*) FILTER (WHERE kind = 'deployment') FROM postmortems_evidence")
    rows, deployments = cursor.fetchone()
    cursor.execute("SELECT staging_verification, count(*) FROM postmortems_mergedpullrequest GROUP BY 1 ORDER BY 1")
    return {"evidence": rows, "deployments": deployments, **dict(cursor.fetchall())}
