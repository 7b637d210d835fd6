-- id: window
-- title: Exposure window of the key
-- description: The bounds of the window in which the key could have been misused, each with the
--   record behind it. earliest_possible: the last creation or rotation of the key material before
--   the first finding (else the earliest record of the key); first_evidence: the earliest
--   anomalous use (a finding on the key; a finding about a CI job handed the key's secret only
--   when nothing was used); first_exposure (an evidence row only): the earliest such finding;
--   contained_at: when the last of the key's aliases in use in the window was revoked (each
--   alias's first key disable, delete or rotation, secret rotation, deletion or rewrite, or CI
--   secret change at or after the first finding; one row per alias, an alias never revoked leaves
--   the window open); last_use: the last signature or successful sign call. Analyst overrides
--   (case window.from / window.to) win. Column alias names the alias of a contained_at row.
-- severity: info
-- kind: analysis
-- scope: case
-- params: window_from:timestamptz, window_to:timestamptz
-- mitre:
-- owasp_nhi:
WITH uses AS (
  -- An exposure is a finding about a CI job handed the key's secret (SECRET_TO_UNEXPECTED_JOB, and
  -- the novelty rules about that job): it says when the key could have left, not that it was used.
  SELECT ts, rule, summary, evidence[1] AS ev, severity, COALESCE(subject IN (SELECT uid FROM c_build), false) AS exposure
  FROM c_finding WHERE stage = 'use'
), fe AS (
  -- The first evidence is the earliest anomalous use; an exposure only when nothing was used.
  SELECT * FROM uses
  ORDER BY exposure, ts, list_position(['critical', 'high', 'medium', 'low', 'info'], severity), rule, summary LIMIT 1
), fx AS (
  SELECT * FROM uses WHERE exposure
  ORDER BY ts, rule <> 'SECRET_TO_UNEXPECTED_JOB', list_position(['critical', 'high', 'medium', 'low', 'info'], severity), rule, summary LIMIT 1
), anchor AS (
  -- Revocations count from the earliest finding of either kind.
  SELECT COALESCE((SELECT min(ts) FROM uses), CAST($window_from AS TIMESTAMPTZ)) AS t
), material AS (
  SELECT ts, source, event_uid, file_id, record_no, COALESCE(native_action, action) AS what, target
  FROM c_ev
  WHERE outcome = 'success' AND (action IN ('key.create', 'key.rotate', 'secret.write', 'secret.rotate')
        OR (action = 'ci.secret_change' AND NOT regexp_matches(lower(COALESCE(native_action, '')), 'remove|delete|destroy')))
), containment AS (
  SELECT ts, source, event_uid, file_id, record_no, COALESCE(native_action, action) AS what, target, COALESCE(principal, actor) AS who
  FROM c_ev
  WHERE outcome = 'success'
    AND action IN ('key.disable', 'key.delete', 'key.rotate', 'secret.rotate', 'secret.delete', 'secret.write', 'ci.secret_change')
), firstrec AS (
  SELECT * FROM (
    SELECT ts, source, 'events' AS tbl, event_uid AS id, file_id, record_no FROM c_ev
    UNION ALL SELECT integrated_time, 'rekor', 'signatures', entry_uuid, file_id, record_no FROM c_sig
  ) ORDER BY ts, id LIMIT 1
), last_material AS (
  SELECT m.* FROM material m, anchor WHERE m.ts < anchor.t ORDER BY m.ts DESC, m.event_uid LIMIT 1
), ep AS (
  SELECT COALESCE(CAST($window_from AS TIMESTAMPTZ), (SELECT ts FROM last_material), (SELECT ts FROM firstrec)) AS t
), aliases AS (
  -- The names of the key in use in the window: key targets (an alias ARN is its key's other name),
  -- secrets read or written, CI secrets passed to jobs.
  SELECT DISTINCT target AS alias FROM c_ev, ep
  WHERE via IN ('key', 'secret') AND target IS NOT NULL AND target NOT LIKE 'arn:%:alias/%' AND c_ev.ts >= ep.t
  UNION
  SELECT DISTINCT unnest(passed_secrets) FROM c_build, ep WHERE passed AND c_build.started_at >= ep.t
), per_alias AS (
  SELECT a.alias, c.* EXCLUDE (target, rn)
  FROM aliases a
  LEFT JOIN (SELECT c.*, row_number() OVER (PARTITION BY c.target ORDER BY c.ts, c.event_uid) AS rn
             FROM containment c, anchor WHERE c.ts >= anchor.t) c
    ON c.target = a.alias AND c.rn = 1
), lastuse AS (
  SELECT * FROM (
    SELECT ts, source, 'events' AS tbl, event_uid AS id, file_id, record_no,
           format('{} on {} by {}', COALESCE(native_action, action), target, COALESCE(principal, actor, '(unknown)')) AS what
    FROM c_ev WHERE action = 'key.sign' AND outcome = 'success'
    UNION ALL
    SELECT integrated_time, 'rekor', 'signatures', entry_uuid, file_id, record_no,
           format('{} entry {} (log index {})', kind, left(entry_uuid, 16), COALESCE(CAST(log_index AS VARCHAR), '?'))
    FROM c_sig
  ) ORDER BY ts DESC, id LIMIT 1
), cited AS (
  SELECT 'first_exposure' AS bound, * FROM fx UNION ALL SELECT 'first_evidence', * FROM fe
), cited_src AS (
  SELECT c.*, CASE c.ev.tbl WHEN 'signatures' THEN 'rekor'
                            WHEN 'ci_runs' THEN (SELECT any_value(source) FROM c_build WHERE uid = c.ev.id)
                            ELSE (SELECT any_value(source) FROM events WHERE event_uid = c.ev.id) END AS source
  FROM cited c
)
SELECT 'earliest_possible' AS bound, CAST($window_from AS TIMESTAMPTZ) AS ts, 'case' AS source, 'case' AS tbl, 'window.from' AS id,
       NULL::INTEGER AS file_id, NULL::BIGINT AS record_no, 'analyst override (case window.from)' AS summary, NULL::VARCHAR AS alias
WHERE $window_from IS NOT NULL
UNION ALL
SELECT 'earliest_possible', m.ts, m.source, 'events', m.event_uid, m.file_id, m.record_no,
       format('last creation or rotation of the key material before the first finding: {} on {}', m.what, m.target), NULL
FROM last_material m WHERE $window_from IS NULL
UNION ALL
SELECT 'earliest_possible', f.ts, f.source, f.tbl, f.id, f.file_id, f.record_no,
       'no creation or rotation of the key material before the first finding is in the logs: earliest record of the key', NULL
FROM firstrec f, anchor
WHERE $window_from IS NULL AND anchor.t IS NOT NULL AND NOT EXISTS (SELECT 1 FROM last_material)
UNION ALL
SELECT c.bound, c.ts, c.source, c.ev.tbl, c.ev.id, c.ev.file_id, c.ev.record_no, c.rule || ': ' || c.summary, NULL
FROM cited_src c
UNION ALL
SELECT 'contained_at', CAST($window_to AS TIMESTAMPTZ), 'case', 'case', 'window.to', NULL, NULL, 'analyst override (case window.to)', NULL
WHERE $window_to IS NOT NULL
UNION ALL
SELECT * FROM (
  SELECT 'contained_at', p.ts, COALESCE(p.source, 'case'), CASE WHEN p.ts IS NULL THEN 'alias' ELSE 'events' END,
         COALESCE(p.event_uid, p.alias), p.file_id, p.record_no,
         CASE WHEN p.ts IS NULL THEN format('no revocation of {} after the first finding', p.alias)
              ELSE format('{} on {} by {}', p.what, p.alias, COALESCE(p.who, '(unknown)')) END,
         p.alias
  FROM per_alias p, anchor WHERE $window_to IS NULL AND anchor.t IS NOT NULL
  ORDER BY p.ts NULLS LAST, p.alias
)
UNION ALL
SELECT 'last_use', l.ts, l.source, l.tbl, l.id, l.file_id, l.record_no, l.what, NULL FROM lastuse l
