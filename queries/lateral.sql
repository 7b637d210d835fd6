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
WITH ev AS (
  SELECT e.event_uid, e.source, e.ts, e.action, e.native_action, e.outcome, e.actor, e.principal, e.credential_id,
         e.issued_credential_id, e.source_ip, e.run_id, e.target, e.file_id, e.record_no
  FROM events e
  WHERE (e.action LIKE 'key.%' OR e.action LIKE 'secret.%' OR e.action IN ('credential.create', 'credential.assume'))
    AND ($window_start IS NULL OR e.ts >= CAST($window_start AS TIMESTAMPTZ))
    AND (e.target IS NULL OR (e.target NOT IN (SELECT target FROM c_key) AND e.target NOT IN (SELECT name FROM c_secret)))
), hits AS (
  SELECT p.value AS "pivot", p.kind AS pivot_kind, ev.* FROM ev JOIN c_pivot p ON p.kind = 'principal' AND ev.principal = p.value
  UNION ALL
  SELECT p.value, p.kind, ev.* FROM ev JOIN c_pivot p ON p.kind = 'credential' AND ev.credential_id = p.value
  UNION ALL
  SELECT p.value, p.kind, ev.* FROM ev JOIN c_pivot p ON p.kind = 'address' AND ev.source_ip = p.value
  UNION ALL
  SELECT p.value, p.kind, ev.* FROM ev JOIN c_pivot p ON p.kind = 'run' AND ev.run_id = p.value
)
SELECT "pivot", pivot_kind, ts, source, action, target, COALESCE(principal, actor) AS actor, native_action, outcome,
       principal, credential_id, issued_credential_id, source_ip, run_id, event_uid, file_id, record_no
FROM hits
ORDER BY ts, pivot_kind, "pivot", event_uid
