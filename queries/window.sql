-- id: window
-- title: Exposure window of the key
-- description: The bounds of the window in which the key could have been misused, each with the
--   record behind it. earliest_possible: the last creation or rotation of the key material before
--   the first evidence (else the earliest record of the key); first_evidence: the earliest
--   anomalous use (a finding on the key); contained_at: the first revocation at or after it (key
--   disabled, deleted or rotated; secret rotated, deleted or changed in CI); last_use: the last
--   signature or successful sign call. Analyst overrides (case window.from / window.to) win.
-- severity: info
-- kind: analysis
-- scope: case
-- params: window_from:timestamptz, window_to:timestamptz
-- mitre:
-- owasp_nhi:
WITH fe AS (
  SELECT ts, rule, summary, evidence[1] AS ev FROM c_finding WHERE stage = 'use'
  ORDER BY ts, list_position(['critical', 'high', 'medium', 'low', 'info'], severity), rule, summary LIMIT 1
), anchor AS (
  SELECT COALESCE((SELECT ts FROM fe), CAST($window_from AS TIMESTAMPTZ)) AS t
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
), fe_src AS (
  SELECT CASE fe.ev.tbl WHEN 'signatures' THEN 'rekor'
                        WHEN 'ci_runs' THEN (SELECT any_value(source) FROM c_build WHERE uid = fe.ev.id)
                        ELSE (SELECT any_value(source) FROM events WHERE event_uid = fe.ev.id) END AS source
  FROM fe
)
SELECT 'earliest_possible' AS bound, CAST($window_from AS TIMESTAMPTZ) AS ts, 'case' AS source, 'case' AS tbl, 'window.from' AS id,
       NULL::INTEGER AS file_id, NULL::BIGINT AS record_no, 'analyst override (case window.from)' AS summary
WHERE $window_from IS NOT NULL
UNION ALL
SELECT * FROM (
  SELECT 'earliest_possible', m.ts, m.source, 'events', m.event_uid, m.file_id, m.record_no,
         format('last creation or rotation of the key material before the first evidence: {} on {}', m.what, m.target)
  FROM material m, anchor WHERE $window_from IS NULL AND m.ts < anchor.t ORDER BY m.ts DESC, m.event_uid LIMIT 1
)
UNION ALL
SELECT 'earliest_possible', f.ts, f.source, f.tbl, f.id, f.file_id, f.record_no,
       'no creation or rotation of the key material before the first evidence is in the logs: earliest record of the key'
FROM firstrec f, anchor
WHERE $window_from IS NULL AND anchor.t IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM material m WHERE m.ts < anchor.t)
UNION ALL
SELECT 'first_evidence', fe.ts, fe_src.source, fe.ev.tbl, fe.ev.id, fe.ev.file_id, fe.ev.record_no, fe.rule || ': ' || fe.summary
FROM fe, fe_src
UNION ALL
SELECT 'contained_at', CAST($window_to AS TIMESTAMPTZ), 'case', 'case', 'window.to', NULL, NULL, 'analyst override (case window.to)'
WHERE $window_to IS NOT NULL
UNION ALL
SELECT * FROM (
  SELECT 'contained_at', c.ts, c.source, 'events', c.event_uid, c.file_id, c.record_no,
         format('{} on {} by {}', c.what, c.target, COALESCE(c.who, '(unknown)'))
  FROM containment c, anchor WHERE $window_to IS NULL AND c.ts >= anchor.t ORDER BY c.ts, c.event_uid LIMIT 1
)
UNION ALL
SELECT 'last_use', l.ts, l.source, l.tbl, l.id, l.file_id, l.record_no, l.what FROM lastuse l
