"""The people on top of the report bench's data: teams, engineers and leads, owners, one big record.

Set-based SQL, re-runnable after each slice the report bench loads: users and memberships are
inserted once (ON CONFLICT DO NOTHING), owners are given only to rows that have none yet, so the
second slice's records get owners the same way the first slice's did.
"""

ENGINEERS = 200  # 40 per team of the report bench's 5 teams
BUSY = "bench-eng-5"  # an engineer of the first team who also owns 1% of all records and of all actions
LEAD = "bench-lead-1"  # a lead who is a member of the first team (20,000 records at full size)
BIG_RECORD_TITLE = "bench big record: many actions and hotfix PRs"
BIG_ACTIONS = 60
BIG_PRS = 30

# The report bench's hotfixes all fall in repositories 0, 10, 20, 30 and 40 (PR numbers ending in 0),
# which its setup gives to one team: one team would hold every record. Here repositories go to teams
# in blocks of ten, so each team owns one of them and a fifth of the records, as in an organisation.
TEAMS_SQL = """
UPDATE postmortems_repository r SET team_id = t.id
FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS idx FROM postmortems_team WHERE slug LIKE 'bench-%%') t
WHERE r.full_name LIKE 'bench/repo-%%' AND t.idx = (substr(r.full_name, 12)::int / 10) %% 5
  AND r.team_id IS DISTINCT FROM t.id;

UPDATE postmortems_postmortem p SET team_id = r.team_id
FROM postmortems_repository r
WHERE p.repository_id = r.id AND p.team_id IS DISTINCT FROM r.team_id;
"""

USERS_SQL = """
INSERT INTO postmortems_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active,
    date_joined, github_login)
SELECT '!', false, 'bench-eng-' || u, 'Engineer', u::text, '', false, true, now(), 'bench-eng-' || u
FROM generate_series(1, %(engineers)s) u
UNION ALL
SELECT '!', false, 'bench-lead-' || u, 'Lead', u::text, '', false, true, now(), NULL FROM generate_series(1, 5) u
ON CONFLICT (username) DO NOTHING;

INSERT INTO postmortems_user_groups (user_id, group_id)
SELECT u.id, g.id FROM postmortems_user u JOIN auth_group g
  ON g.name = CASE WHEN u.username LIKE 'bench-lead-%%' THEN 'leads' ELSE 'engineers' END
WHERE u.username LIKE 'bench-%%'
ON CONFLICT DO NOTHING;

-- Engineer u is in team u %% 5; lead k in team k - 1 (so bench-lead-1 leads the first team).
INSERT INTO postmortems_team_members (team_id, user_id)
SELECT t.id, u.id
FROM postmortems_user u
JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS idx FROM postmortems_team WHERE slug LIKE 'bench-%%') t
  ON t.idx = CASE WHEN u.username LIKE 'bench-lead-%%' THEN substr(u.username, 12)::int - 1
                  ELSE substr(u.username, 11)::int %% 5 END
WHERE u.username LIKE 'bench-%%'
ON CONFLICT DO NOTHING;
"""

# Each record is owned by one of its team's 40 engineers in turn; the busy engineer takes 1% more
# from every team (owners see their records whatever the team). Reviewers are the team's lead.
OWNERS_SQL = """
WITH engineers AS (
  SELECT m.team_id, m.user_id, row_number() OVER (PARTITION BY m.team_id ORDER BY m.user_id) - 1 AS idx
  FROM postmortems_team_members m JOIN postmortems_user u ON u.id = m.user_id
  WHERE u.username LIKE 'bench-eng-%%'
), leads AS (
  SELECT m.team_id, m.user_id FROM postmortems_team_members m JOIN postmortems_user u ON u.id = m.user_id
  WHERE u.username LIKE 'bench-lead-%%'
)
UPDATE postmortems_postmortem p
SET owner_id = CASE WHEN p.id %% 100 = 7 THEN (SELECT id FROM postmortems_user WHERE username = %(busy)s)
                    ELSE e.user_id END,
    reviewer_id = CASE WHEN p.status IN ('in_review', 'approved') THEN l.user_id END
FROM engineers e, leads l
WHERE p.owner_id IS NULL AND p.team_id = e.team_id AND p.team_id = l.team_id
  AND e.idx = (p.id / 7) %% 40;

-- Actions belong to their record's owner, except 1%% that the busy engineer owns.
UPDATE postmortems_preventionaction a
SET owner_id = CASE WHEN a.id %% 100 = 11 THEN (SELECT id FROM postmortems_user WHERE username = %(busy)s)
                    ELSE p.owner_id END
FROM postmortems_postmortem p
WHERE a.owner_id IS NULL AND p.id = a.postmortem_id;
"""

# One draft of the busy engineer's team with many actions and hotfix PRs (PR numbers past the
# report bench's), owned by the busy engineer; the actions' owners are spread over the team.
BIG_RECORD_SQL = """
INSERT INTO postmortems_postmortem (title, status, severity, summary, impact, detected_at, resolved_at,
    detection_method, caught_in, trigger, root_cause, category_id, repository_id, team_id, owner_id, due_at,
    submitted_at, approved_at, dismissed_at, dismissal_reason, checklist_version_id, introduced_by_id,
    recurred_despite_prevention, gap_kind, gap_skipped, gap_ineffective, gap_missing, anchor_at,
    needs_dismissal_review, created_at, updated_at)
SELECT %(title)s, 'draft', 'SEV1', 'A long outage fixed in many steps.', 'Checkout down for 3 hours',
       now() - interval '3 days', now() - interval '2 days', 'automated_alert', 'staging', 'code',
       'bench root cause', p.category_id, p.repository_id, p.team_id, u.id, now() + interval '2 days',
       NULL, NULL, NULL, '', p.checklist_version_id, NULL, false, 'none', false, false, false,
       now() - interval '2 days', false, now() - interval '2 days', now()
FROM postmortems_postmortem p, postmortems_user u
WHERE u.username = %(busy)s AND p.owner_id = u.id AND p.team_id = (
    SELECT t.team_id FROM postmortems_team_members t WHERE t.user_id = u.id LIMIT 1)
  AND NOT EXISTS (SELECT 1 FROM postmortems_postmortem WHERE title = %(title)s)
ORDER BY p.id LIMIT 1;

INSERT INTO postmortems_mergedpullrequest (repository_id, number, title, author_login, merged_at, merge_commit_sha,
    base_branch, head_branch, head_repository, labels, is_hotfix, html_url, recorded_at, head_sha,
    staging_verification, staging_reason, staging_evidence_ids, staging_override, staging_override_reason)
SELECT big.repository_id, 2000000 + i, 'Hotfix step ' || i, 'bench-eng-' || (5 + 5 * (i %% 8)),
       now() - interval '2 days' + make_interval(mins => i * 5), md5('big' || i) || left(md5('bm' || i), 8),
       'main', 'hotfix/step-' || i, '', '["hotfix"]'::jsonb, true, '', now(),
       md5('bh' || i) || left(md5('bhh' || i), 8), 'pending', '', '[]', '', ''
FROM postmortems_postmortem big, generate_series(1, %(prs)s) i
WHERE big.title = %(title)s AND NOT EXISTS (
    SELECT 1 FROM postmortems_hotfixpullrequest h WHERE h.postmortem_id = big.id);

INSERT INTO postmortems_hotfixpullrequest (merged_pr_id, repository_id, postmortem_id, no_longer_hotfix,
    comment_state, commit_status, commit_status_state, writeback_error, writeback_attempts, created_at)
SELECT m.id, m.repository_id, big.id, false, 'not_sent', '', 'not_sent', '', 0, now()
FROM postmortems_mergedpullrequest m, postmortems_postmortem big
WHERE big.title = %(title)s AND m.repository_id = big.repository_id AND m.number > 2000000
  AND NOT EXISTS (SELECT 1 FROM postmortems_hotfixpullrequest h WHERE h.merged_pr_id = m.id);

INSERT INTO postmortems_preventionaction (postmortem_id, owner_id, description, kind, due_date, status,
    wont_do_reason, completed_at, evidence_url, expires_at, created_at, updated_at)
SELECT big.id, e.user_id, 'Prevention step ' || i || ': guard the path that broke',
       (ARRAY['process','documentation','temporary_mitigation'])[i %% 3 + 1], (now() + make_interval(days => i))::date,
       (ARRAY['open','in_progress','done','open'])[i %% 4 + 1], '',
       CASE WHEN i %% 4 = 2 THEN now() END, '', CASE WHEN i %% 3 = 2 THEN (now() + interval '10 days')::date END,
       now() - interval '1 day', now()
FROM postmortems_postmortem big
CROSS JOIN generate_series(1, %(actions)s) i
JOIN LATERAL (SELECT m.user_id FROM postmortems_team_members m WHERE m.team_id = big.team_id
              ORDER BY m.user_id OFFSET i %% 8 LIMIT 1) e ON true
WHERE big.title = %(title)s AND NOT EXISTS (
    SELECT 1 FROM postmortems_preventionaction a WHERE a.postmortem_id = big.id);

INSERT INTO postmortems_checklistassessment (postmortem_id, item_id, status, would_have_caught, ineffective, note,
    evidence, evidence_reason, evidence_status, override_reason, source)
SELECT big.id, i.id, CASE WHEN i.position %% 2 = 1 THEN 'skipped' ELSE 'followed' END,
       CASE WHEN i.position %% 2 = 1 THEN true END, false, 'bench note', '[]', '', '', '', 'person'
FROM postmortems_postmortem big JOIN postmortems_checklistitem i ON i.version_id = big.checklist_version_id
WHERE big.title = %(title)s
ON CONFLICT DO NOTHING;

INSERT INTO postmortems_postmortem_prior_occurrences (from_postmortem_id, to_postmortem_id)
SELECT big.id, p.id FROM postmortems_postmortem big
JOIN postmortems_postmortem p ON p.repository_id = big.repository_id AND p.id < big.id AND p.id %% 1000 = 1
WHERE big.title = %(title)s
ON CONFLICT DO NOTHING;
"""


def load_people(cursor) -> None:
    """Users, teams' members, owners of the records and actions loaded so far, and the big record."""
    params = {"engineers": ENGINEERS, "busy": BUSY, "title": BIG_RECORD_TITLE, "actions": BIG_ACTIONS, "prs": BIG_PRS}
    cursor.execute(TEAMS_SQL, params)
    cursor.execute(USERS_SQL, params)
    cursor.execute(OWNERS_SQL, params)
    cursor.execute(BIG_RECORD_SQL, params)
    cursor.execute("VACUUM ANALYZE")  # the owners' UPDATE rewrote every record and action, as autovacuum would
