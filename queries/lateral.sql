-- id: lateral
-- title: Where else the suspicious actors went
-- description: For every suspicious principal, credential, source address and CI run (taken from
--   the findings on the key, plus credentials they were issued), everything else each touched in
--   and after the window: reads of other secrets, operations on other keys, credentials created
--   and roles assumed, across sources.
-- severity: info
-- kind: analysis
-- scope: case
-- params: window_start:timestamptz
-- mitre: T1555.006, T1098.001
-- owasp_nhi: NHI5:2025
WITH n AS (
  -- Narrow scan first (the pivot columns); the other columns are read for the hits only.
  SELECT rowid AS rid, principal, credential_id, source_ip, run_id FROM events
  WHERE (action LIKE 'key.%' OR action LIKE 'secret.%' OR action IN ('credential.create', 'credential.assume'))
    AND ($window_start IS NULL OR ts >= CAST($window_start AS TIMESTAMPTZ))
    AND (target IS NULL OR (target NOT IN (SELECT target FROM c_key) AND target NOT IN (SELECT name FROM c_secret)))
), hits AS (
  SELECT n.rid, p.value AS "pivot", p.kind AS pivot_kind FROM n JOIN c_pivot p ON p.kind = 'principal' AND n.principal = p.value
  UNION ALL
  SELECT n.rid, p.value, p.kind FROM n JOIN c_pivot p ON p.kind = 'credential' AND n.credential_id = p.value
  UNION ALL
  SELECT n.rid, p.value, p.kind FROM n JOIN c_pivot p ON p.kind = 'address' AND n.source_ip = p.value
  UNION ALL
  SELECT n.rid, p.value, p.kind FROM n JOIN c_pivot p ON p.kind = 'run' AND n.run_id = p.value
), ev AS (
  SELECT rowid AS rid, event_uid, source, ts, action, native_action, outcome, actor, principal, credential_id,
         issued_credential_id, source_ip, run_id, target, file_id, record_no
  FROM events WHERE rowid IN (SELECT rid FROM hits)
)
SELECT h."pivot", h.pivot_kind, ev.ts, ev.source, ev.action, ev.target, COALESCE(ev.principal, ev.actor) AS actor, ev.native_action, ev.outcome,
       ev.principal, ev.credential_id, ev.issued_credential_id, ev.source_ip, ev.run_id, ev.event_uid, ev.file_id, ev.record_no
FROM hits h JOIN ev USING (rid)
ORDER BY ev.ts, h.pivot_kind, h."pivot", ev.event_uid
