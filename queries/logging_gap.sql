-- id: logging_gap
-- title: A log source fell silent inside the window
-- description: A source (CloudTrail, GitHub audit, Vault audit, …) that normally reports went
--   silent inside the window for longer than max(gap_hours, 3 × the 95th percentile of its own
--   silences in the baseline_days before). "Normally" needs at least 24 earlier silences to
--   compare with. A trail stopped or an audit device disabled hides what happened meanwhile.
-- severity: medium
-- kind: rule
-- rule: LOGGING_GAP
-- stage: window
-- scope: case
-- params: window_start:timestamptz, window_end:timestamptz, gap_hours:integer=6, baseline_days:integer=30
-- mitre: T1562.008
-- owasp_nhi:
WITH h AS (
  SELECT source, h, lag(h) OVER (PARTITION BY source ORDER BY h) AS prev FROM c_src_hour
), g AS (
  -- Silence between two active hours, in whole hours (0 for a source that reports every hour).
  SELECT source, prev, h, h - prev - 1 AS silent_h FROM h WHERE prev IS NOT NULL
), t AS (
  SELECT g.*,
         count(*) OVER w AS n_before,
         quantile_cont(silent_h, 0.95) OVER w AS p95_before
  FROM g
  WINDOW w AS (PARTITION BY source ORDER BY h RANGE BETWEEN 24 * CAST($baseline_days AS BIGINT) PRECEDING AND 1 PRECEDING)
), gaps AS (
  SELECT * FROM t
  WHERE n_before >= 24 AND silent_h > GREATEST(CAST($gap_hours AS DOUBLE), 3 * p95_before)
    AND ($window_start IS NULL OR c_hour_ts(h) > CAST($window_start AS TIMESTAMPTZ))
    AND ($window_end IS NULL OR c_hour_ts(prev + 1) < CAST($window_end AS TIMESTAMPTZ))
    AND ($window_start IS NOT NULL OR $window_end IS NOT NULL)
), edges AS (
  -- The last record before the silence and the first after it, as evidence.
  SELECT g.source, g.h, 'before' AS side, arg_max(e.event_uid, (e.ts, e.event_uid)) AS uid,
         arg_max(e.file_id, (e.ts, e.event_uid)) AS file_id, arg_max(e.record_no, (e.ts, e.event_uid)) AS record_no, max(e.ts) AS ts
  FROM gaps g JOIN events e ON e.source = g.source AND e.ts >= c_hour_ts(g.prev) AND e.ts < c_hour_ts(g.prev + 1)
  GROUP BY g.source, g.h
  UNION ALL
  SELECT g.source, g.h, 'after', arg_min(e.event_uid, (e.ts, e.event_uid)), arg_min(e.file_id, (e.ts, e.event_uid)),
         arg_min(e.record_no, (e.ts, e.event_uid)), min(e.ts)
  FROM gaps g JOIN events e ON e.source = g.source AND e.ts >= c_hour_ts(g.h) AND e.ts < c_hour_ts(g.h + 1)
  GROUP BY g.source, g.h
)
SELECT b.ts AS ts, g.source AS actor, NULL::VARCHAR AS principal, NULL::VARCHAR AS credential_id,
       NULL::VARCHAR AS source_ip, NULL::VARCHAR AS run_id,
       format('{} reported nothing from {} to {} (about {} h; in the {} days before, 95% of its silences were under {} h)',
              g.source, c_t(b.ts), c_t(a.ts), CAST(round(c_secs(b.ts, a.ts) / 3600) AS BIGINT), $baseline_days,
              CAST(ceil(g.p95_before) + 1 AS BIGINT)) AS summary,
       b.uid AS subject,
       [c_evd('events', b.uid, b.file_id, b.record_no), c_evd('events', a.uid, a.file_id, a.record_no)] AS evidence
FROM gaps g
JOIN edges b ON b.source = g.source AND b.h = g.h AND b.side = 'before'
JOIN edges a ON a.source = g.source AND a.h = g.h AND a.side = 'after'
