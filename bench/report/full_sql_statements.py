"""The statements of `full_sql.py`: plain PostgreSQL, one per family of tables, for every report number.

Parameters are those of `full_sql.report_parameters` (month bounds and "as of" instants
computed in Python by the report's own calendar code, so only the SQL is compared).
"""

# The trend months, oldest first, numbered 1..12: [start, end) in TIME_ZONE, computed in Python as the API does.
MONTHS_CTE = """
months (label, month_start, month_end, month_number) AS (
    SELECT * FROM unnest(%(labels)s::text[], %(starts)s::timestamptz[], %(ends)s::timestamptz[]) WITH ORDINALITY
)"""

# 1. Merged PRs per trend month: deployments, and hotfixes net of those whose postmortem was dismissed.
PULL_REQUESTS_SQL = f"""
WITH {MONTHS_CTE},
dismissed_hotfixes AS MATERIALIZED (
    -- A flagged PR whose postmortem a lead dismissed was not a hotfix; it stays a deployment.
    SELECT m.merged_at
    FROM postmortems_postmortem p
    JOIN postmortems_hotfixpullrequest h ON h.postmortem_id = p.id
    JOIN postmortems_mergedpullrequest m ON m.id = h.merged_pr_id
    WHERE p.status = 'dismissed' AND m.is_hotfix
      AND m.merged_at >= %(window_start)s AND m.merged_at < %(end)s
)
SELECT mo.label,
       merged.deployments,
       merged.flagged - (SELECT count(*) FROM dismissed_hotfixes d
                         WHERE d.merged_at >= mo.month_start AND d.merged_at < mo.month_end) AS hotfixes
FROM months mo
CROSS JOIN LATERAL (
    -- An index-only range scan of merged_pr_merged_cover_idx per month.
    SELECT count(*) AS deployments, count(*) FILTER (WHERE pr.is_hotfix) AS flagged
    FROM postmortems_mergedpullrequest pr
    WHERE pr.merged_at >= mo.month_start AND pr.merged_at < mo.month_end
) merged
ORDER BY mo.month_start
"""

# The earliest hotfix merge of postmortem p (one or two index probes).
FIRST_MERGE_LATERAL = """
    CROSS JOIN LATERAL (
        SELECT min(m.merged_at) AS first_merge
        FROM postmortems_hotfixpullrequest h
        JOIN postmortems_mergedpullrequest m ON m.id = h.merged_pr_id
        WHERE h.postmortem_id = p.id
    ) f"""

# 2. The postmortem headline of this month and the previous one, and this month's defect lifetime.
# One row; columns end in _previous or _current.
HEADLINE_SQL = f"""
WITH by_instant AS (
    -- created_at has no index and overdue looks at every record: one sequential scan for all of it.
    SELECT
        count(*) FILTER (WHERE created_at >= %(previous_start)s AND created_at < %(start)s) AS opened_previous,
        count(*) FILTER (WHERE created_at >= %(start)s AND created_at < %(end)s) AS opened_current,
        count(*) FILTER (WHERE approved_at >= %(previous_start)s AND approved_at < %(start)s) AS approved_previous,
        count(*) FILTER (WHERE approved_at >= %(start)s AND approved_at < %(end)s) AS approved_current,
        -- Overdue as of the month's end: due and created before it, not approved before it.
        count(*) FILTER (WHERE due_at < %(previous_as_of)s AND created_at < %(previous_as_of)s
                           AND (approved_at IS NULL OR approved_at >= %(previous_as_of)s)) AS overdue_previous,
        count(*) FILTER (WHERE due_at < %(as_of)s AND created_at < %(as_of)s
                           AND (approved_at IS NULL OR approved_at >= %(as_of)s)) AS overdue_current,
        count(*) FILTER (WHERE due_at >= %(previous_start)s AND due_at < %(start)s) AS due_previous,
        count(*) FILTER (WHERE due_at >= %(start)s AND due_at < %(end)s) AS due_current,
        count(*) FILTER (WHERE due_at >= %(previous_start)s AND due_at < %(start)s
                           AND approved_at <= due_at) AS sla_met_previous,
        count(*) FILTER (WHERE due_at >= %(start)s AND due_at < %(end)s AND approved_at <= due_at) AS sla_met_current
    FROM postmortems_postmortem
    WHERE status <> 'dismissed'
),
anchored AS (
    -- The postmortems of the two months, through postmortem_anchor_idx.
    SELECT
        count(*) FILTER (WHERE anchor_at < %(start)s AND recurred_despite_prevention) AS recurred_previous,
        count(*) FILTER (WHERE anchor_at >= %(start)s AND recurred_despite_prevention) AS recurred_current,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - detected_at)::float8)
            FILTER (WHERE anchor_at < %(start)s) AS mttr_median_previous,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - detected_at)::float8)
            FILTER (WHERE anchor_at < %(start)s) AS mttr_p90_previous,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - detected_at)::float8)
            FILTER (WHERE anchor_at >= %(start)s) AS mttr_median_current,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - detected_at)::float8)
            FILTER (WHERE anchor_at >= %(start)s) AS mttr_p90_current
    FROM postmortems_postmortem
    WHERE status <> 'dismissed' AND anchor_at >= %(previous_start)s AND anchor_at < %(end)s
),
approval AS (
    -- Approved in the two months (postmortem_approved_idx): approval − earliest hotfix merge.
    SELECT
        percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM p.approved_at - f.first_merge)::float8)
            FILTER (WHERE p.approved_at < %(start)s) AS approval_median_previous,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM p.approved_at - f.first_merge)::float8)
            FILTER (WHERE p.approved_at >= %(start)s) AS approval_median_current
    FROM postmortems_postmortem p
    {FIRST_MERGE_LATERAL}
    WHERE p.status <> 'dismissed' AND p.approved_at >= %(previous_start)s AND p.approved_at < %(end)s
      AND f.first_merge IS NOT NULL
),
lifetime AS (
    -- Defects of this month's postmortems: introducing PR merged → earliest hotfix merged.
    SELECT
        count(*) AS lifetime_count,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM f.first_merge - intro.merged_at)::float8)
            AS lifetime_median,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM f.first_merge - intro.merged_at)::float8)
            AS lifetime_p90
    FROM postmortems_postmortem p
    JOIN postmortems_mergedpullrequest intro ON intro.id = p.introduced_by_id
    {FIRST_MERGE_LATERAL}
    WHERE p.status <> 'dismissed' AND p.anchor_at >= %(start)s AND p.anchor_at < %(end)s
      AND f.first_merge IS NOT NULL
)
SELECT * FROM by_instant, anchored, approval, lifetime
"""

# 3. Postmortems per (month, failure category) over the trend and the two months before it, each
# marked recurring (≥ 2 in the month, or present in one of the two months before) with the months,
# of the last three, in which the category occurs. Ordered for the report: most frequent first.
CATEGORIES_SQL = """
WITH per_month AS (
    SELECT date_trunc('month', p.anchor_at AT TIME ZONE %(tz)s) AS month, p.category_id, count(*) AS n
    FROM postmortems_postmortem p
    WHERE p.status <> 'dismissed' AND p.anchor_at >= %(early_start)s AND p.anchor_at < %(end)s
    GROUP BY 1, 2
)
SELECT to_char(pm.month, 'YYYY-MM') AS month,
       c.slug,
       coalesce(c.name, %(uncategorised_name)s) AS name,
       pm.n,
       c.slug IS NOT NULL AND (pm.n >= 2 OR count(*) OVER two_before > 0) AS recurring,
       array_agg(to_char(pm.month, 'YYYY-MM')) OVER last_three AS months_present
FROM per_month pm
LEFT JOIN postmortems_failurecategory c ON c.id = pm.category_id
WINDOW two_before AS (PARTITION BY pm.category_id ORDER BY pm.month
                      RANGE BETWEEN interval '2 months' PRECEDING AND interval '1 month' PRECEDING),
       last_three AS (PARTITION BY pm.category_id ORDER BY pm.month
                      RANGE BETWEEN interval '2 months' PRECEDING AND CURRENT ROW)
ORDER BY pm.month, pm.n DESC, coalesce(c.name, %(uncategorised_name)s) COLLATE "C"
"""

# 4. Per trend month: postmortems, per detection method and per checklist gap kind (a record may
# have several gap kinds and counts once under each).
PROFILE_SQL = f"""
WITH {MONTHS_CTE}
SELECT mo.label,
       count(p.id) AS total,
       count(p.id) FILTER (WHERE p.detection_method = 'automated_alert') AS automated_alert,
       count(p.id) FILTER (WHERE p.detection_method = 'automated_check') AS automated_check,
       count(p.id) FILTER (WHERE p.detection_method = 'manual_check') AS manual_check,
       count(p.id) FILTER (WHERE p.detection_method = 'customer_report') AS customer_report,
       count(p.id) FILTER (WHERE p.detection_method = 'engineer_noticed') AS engineer_noticed,
       count(p.id) FILTER (WHERE p.detection_method = '') AS not_recorded,
       count(p.id) FILTER (WHERE p.gap_skipped) AS gap_skipped,
       count(p.id) FILTER (WHERE p.gap_ineffective) AS gap_ineffective,
       count(p.id) FILTER (WHERE p.gap_missing) AS gap_missing,
       count(p.id) FILTER (WHERE p.gap_kind = 'none') AS gap_none,
       count(p.id) FILTER (WHERE p.gap_kind = '') AS gap_not_assessed
FROM months mo
LEFT JOIN postmortems_postmortem p
       ON p.anchor_at >= mo.month_start AND p.anchor_at < mo.month_end AND p.status <> 'dismissed'
GROUP BY mo.label, mo.month_start
ORDER BY mo.month_start
"""

# 5. Per (trend month of the postmortem, checklist item text): skipped, skipped where it would have
# caught the incident, ineffective. Counted per item id first, then merged by text so a step keeps
# its history across template versions. Ordered for the report: biggest gaps first.
CHECKLIST_ITEMS_SQL = """
WITH per_item AS (
    SELECT date_trunc('month', p.anchor_at AT TIME ZONE %(tz)s) AS month, a.item_id,
           count(*) FILTER (WHERE a.status = 'skipped') AS skipped,
           count(*) FILTER (WHERE a.status = 'skipped' AND a.would_have_caught) AS skipped_would_have_caught,
           count(*) FILTER (WHERE a.status = 'followed' AND a.ineffective) AS ineffective
    FROM postmortems_postmortem p
    JOIN postmortems_checklistassessment a ON a.postmortem_id = p.id
    WHERE p.status <> 'dismissed' AND p.anchor_at >= %(window_start)s AND p.anchor_at < %(end)s
    GROUP BY 1, 2
)
SELECT to_char(pi.month, 'YYYY-MM') AS month,
       i.text AS item,
       sum(pi.skipped)::int AS skipped,
       sum(pi.skipped_would_have_caught)::int AS skipped_would_have_caught,
       sum(pi.ineffective)::int AS ineffective
FROM per_item pi
JOIN postmortems_checklistitem i ON i.id = pi.item_id
GROUP BY pi.month, i.text
ORDER BY pi.month, sum(pi.skipped + pi.ineffective) DESC, i.text COLLATE "C"
"""

# 6. Steps no checklist had, proposed this month (one row each: the text is the finding).
MISSING_ITEMS_SQL = """
SELECT mi.text, mi.postmortem_id, mi.proposed_at, mi.promoted_to_id IS NOT NULL AS promoted
FROM postmortems_missingchecklistitem mi
WHERE mi.proposed_at >= %(start)s AND mi.proposed_at < %(end)s
  AND NOT EXISTS (SELECT 1 FROM postmortems_postmortem p WHERE p.id = mi.postmortem_id AND p.status = 'dismissed')
ORDER BY mi.proposed_at, mi.id
"""

# 7. Prevention actions per trend month: created, completed, due (not won't-do) and done by the due
# date; and the backlog at each month's end: open past due, open temporary mitigations, expired ones.
ACTIONS_SQL = f"""
WITH {MONTHS_CTE},
dismissed AS MATERIALIZED (
    SELECT id FROM postmortems_postmortem WHERE status = 'dismissed'
),
created AS (
    SELECT to_char(a.created_at AT TIME ZONE %(tz)s, 'YYYY-MM') AS label, count(*) AS n
    FROM postmortems_preventionaction a
    WHERE a.created_at >= %(window_start)s AND a.created_at < %(end)s
      AND a.postmortem_id NOT IN (SELECT id FROM dismissed)
    GROUP BY 1
),
completed AS (
    SELECT to_char(a.completed_at AT TIME ZONE %(tz)s, 'YYYY-MM') AS label, count(*) AS n
    FROM postmortems_preventionaction a
    WHERE a.status = 'done' AND a.completed_at >= %(window_start)s AND a.completed_at < %(end)s
      AND a.postmortem_id NOT IN (SELECT id FROM dismissed)
    GROUP BY 1
),
due AS (
    -- due_date is a local date; done on time means completed on or before it, in TIME_ZONE.
    SELECT to_char(a.due_date, 'YYYY-MM') AS label, count(*) AS n,
           count(*) FILTER (WHERE a.status = 'done'
                              AND (a.completed_at AT TIME ZONE %(tz)s)::date <= a.due_date) AS done_on_time
    FROM postmortems_preventionaction a
    WHERE a.due_date >= %(window_first_day)s AND a.due_date < %(window_after_day)s AND a.status <> 'wont_do'
      AND a.postmortem_id NOT IN (SELECT id FROM dismissed)
    GROUP BY 1
),
open_spans AS (
    -- The backlog at each month's end, without joining every action to every month: an action is
    -- open at the end of trend month k (1..12) when created before as_of[k] and not completed by it,
    -- so the months that count it form a range. width_bucket(x, sorted bounds) is the number of
    -- bounds <= x. Only actions open now, or done after the first month's end, can be counted at all.
    SELECT width_bucket(a.created_at, %(as_ofs)s::timestamptz[]) + 1 AS open_from,
           CASE WHEN a.status = 'done' THEN width_bucket(a.completed_at, %(as_ofs)s::timestamptz[])
                ELSE %(trend_months)s END AS open_until,
           width_bucket(a.due_date, %(as_of_dates)s::date[]) + 1 AS past_due_from,
           a.kind = 'temporary_mitigation' AS mitigation,
           width_bucket(a.expires_at, %(as_of_dates)s::date[]) + 1 AS expired_from,
           count(*) AS n
    FROM postmortems_preventionaction a
    WHERE (a.status IN ('open', 'in_progress') OR (a.status = 'done' AND a.completed_at >= %(first_as_of)s))
      AND a.created_at < %(last_as_of)s
      AND a.postmortem_id NOT IN (SELECT id FROM dismissed)
    GROUP BY 1, 2, 3, 4, 5
),
backlog AS (
    SELECT mo.month_number,
           sum(s.n) FILTER (WHERE mo.month_number >= s.past_due_from)::bigint AS open_past_due,
           sum(s.n) FILTER (WHERE s.mitigation)::bigint AS open_mitigations,
           sum(s.n) FILTER (WHERE s.mitigation AND mo.month_number >= s.expired_from)::bigint AS expired_mitigations
    FROM open_spans s
    JOIN months mo ON mo.month_number BETWEEN s.open_from AND s.open_until
    GROUP BY mo.month_number
)
SELECT mo.label,
       coalesce(created.n, 0) AS created,
       coalesce(completed.n, 0) AS completed,
       coalesce(due.n, 0) AS due,
       coalesce(due.done_on_time, 0) AS done_on_time,
       coalesce(backlog.open_past_due, 0) AS open_past_due,
       coalesce(backlog.open_mitigations, 0) AS open_mitigations,
       coalesce(backlog.expired_mitigations, 0) AS expired_mitigations
FROM months mo
LEFT JOIN created USING (label)
LEFT JOIN completed USING (label)
LEFT JOIN due USING (label)
LEFT JOIN backlog USING (month_number)
ORDER BY mo.month_start
"""

# 8. SPEC §10: staging verification per trend month — the answer that holds (a lead's override, else the
# computed one) of production merges, of hotfix PRs (net of dismissed ones), of the postmortems' introducing PRs.
STAGING_ANSWER = "coalesce(nullif({t}.staging_override, ''), {t}.staging_verification)"
STAGING_COUNTS = ",\n".join(
    f"count(*) FILTER (WHERE {{where}}{STAGING_ANSWER} = '{answer}') AS {{prefix}}{answer}"
    for answer in ("verified", "skipped", "unknown", "pending")
)
STAGING_SQL = f"""
WITH {MONTHS_CTE}
SELECT mo.label, merged.*, hotfix.*, introducing.*
FROM months mo
CROSS JOIN LATERAL (
    SELECT {STAGING_COUNTS.format(t="pr", where="", prefix="merges_")}
    FROM postmortems_mergedpullrequest pr
    WHERE pr.merged_at >= mo.month_start AND pr.merged_at < mo.month_end
) merged
CROSS JOIN LATERAL (
    SELECT {STAGING_COUNTS.format(t="pr", where="", prefix="hotfix_")}
    FROM postmortems_mergedpullrequest pr
    WHERE pr.merged_at >= mo.month_start AND pr.merged_at < mo.month_end AND pr.is_hotfix
      AND NOT EXISTS (SELECT 1 FROM postmortems_hotfixpullrequest h
                      JOIN postmortems_postmortem p ON p.id = h.postmortem_id
                      WHERE h.merged_pr_id = pr.id AND p.status = 'dismissed')
) hotfix
CROSS JOIN LATERAL (
    SELECT {STAGING_COUNTS.format(t="i", where="", prefix="introducing_")}
    FROM postmortems_postmortem p
    JOIN postmortems_mergedpullrequest i ON i.id = p.introduced_by_id
    WHERE p.anchor_at >= mo.month_start AND p.anchor_at < mo.month_end AND p.status <> 'dismissed'
) introducing
ORDER BY mo.month_start
"""

STATEMENTS = {
    "pull_requests": PULL_REQUESTS_SQL,
    "headline": HEADLINE_SQL,
    "categories": CATEGORIES_SQL,
    "profile": PROFILE_SQL,
    "checklist_items": CHECKLIST_ITEMS_SQL,
    "missing_items": MISSING_ITEMS_SQL,
    "actions": ACTIONS_SQL,
    "staging": STAGING_SQL,
}
