-- id: timeline
-- title: Timeline of the case across sources
-- description: One time-ordered timeline of everything on the key — cloud and vault audit events,
--   CI jobs passed its secret and the runs its signatures name, transparency-log entries, the
--   sessions behind its sign calls, and the suspicious actors' other activity — each row with its
--   source, evidence pointer and the rules that cite it.
-- severity: info
-- kind: analysis
-- scope: case
-- params: range_from:timestamptz, range_to:timestamptz
-- mitre:
-- owasp_nhi:
WITH cited AS (
  SELECT e.id, list(DISTINCT rule ORDER BY rule) AS rules
  FROM (SELECT rule, unnest(evidence) AS e FROM c_finding) GROUP BY e.id
), rows AS (
  SELECT e.ts, e.source, e.action, e.native_action, e.outcome, COALESCE(e.principal, e.actor) AS actor, e.target,
         concat_ws(' ', CASE WHEN e.source_ip IS NOT NULL THEN 'from ' || e.source_ip END,
                   CASE WHEN e.credential_id IS NOT NULL THEN 'credential ' || e.credential_id END,
                   CASE WHEN e.repo IS NOT NULL THEN 'repo ' || e.repo END,
                   CASE WHEN e.run_id IS NOT NULL THEN 'run ' || e.run_id END,
                   CASE WHEN e.secrets IS NOT NULL THEN 'secrets ' || array_to_string(e.secrets, ',') END,
                   CASE WHEN e.error_code IS NOT NULL THEN 'error ' || e.error_code END) AS detail,
         'events' AS tbl, e.event_uid AS id, e.file_id, e.record_no
  FROM c_ev e
  UNION ALL
  SELECT s.integrated_time, 'rekor', 'signature', s.kind, 'success', a.signer, c_digest(s.artifact_digest),
         format('log index {}, {} signing{}', COALESCE(CAST(s.log_index AS VARCHAR), '?'), a.mode,
                CASE WHEN a.run_id IS NOT NULL THEN ', run ' || a.run_id ELSE '' END),
         'signatures', s.entry_uuid, s.file_id, s.record_no
  FROM c_sig s JOIN c_attr a USING (entry_uuid)
  UNION ALL
  SELECT b.started_at, b.source, 'ci.' || b.level, b.job_name, 'success', b.actor, b.wf,
         concat_ws(' ', 'run ' || b.run_id, 'ref ' || b.ref, 'ended ' || c_t(b.ended_at),
                   CASE WHEN b.passed THEN 'passed ' || array_to_string(b.passed_secrets, ',') END),
         b.tbl, b.uid, b.file_id, b.record_no
  FROM c_build b
  WHERE b.tbl = 'ci_runs' AND (b.passed OR b.uid IN (SELECT build_uid FROM c_attr))
  UNION ALL
  SELECT c.ts, c.source, c.action, c.native_action, 'success', COALESCE(c.principal, c.actor), c.credential_id,
         concat_ws(' ', 'issued ' || c.credential_id, 'repo ' || c.repo, 'ref ' || c.ref),
         'events', c.event_uid, c.file_id, c.record_no
  FROM c_cred c
  UNION ALL
  SELECT l.ts, l.source, l.action, any_value(l.native_action), any_value(l.outcome), any_value(l.actor), any_value(l.target),
         'via ' || string_agg(DISTINCT l.pivot_kind || ' ' || l."pivot", ', ' ORDER BY l.pivot_kind || ' ' || l."pivot"),
         'events', l.event_uid, any_value(l.file_id), any_value(l.record_no)
  FROM c_lateral l
  WHERE l.event_uid NOT IN (SELECT event_uid FROM c_ev) AND l.event_uid NOT IN (SELECT event_uid FROM c_cred)
  GROUP BY l.ts, l.source, l.action, l.event_uid
)
SELECT r.ts, r.source, r.action, r.native_action, r.outcome, r.actor, r.target, r.detail,
       COALESCE(cited.rules, []::VARCHAR[]) AS rules, r.tbl, r.id, r.file_id, r.record_no
FROM rows r LEFT JOIN cited ON cited.id = r.id
WHERE ($range_from IS NULL OR r.ts >= CAST($range_from AS TIMESTAMPTZ))
  AND ($range_to IS NULL OR r.ts <= CAST($range_to AS TIMESTAMPTZ))
ORDER BY r.ts, r.source, r.id
