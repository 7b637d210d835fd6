-- id: use_after_containment
-- title: Key used after containment
-- description: A signature with the key's fingerprint integrated after the window's containment,
--   or a successful sign call on a key after it was disabled or scheduled for deletion: the
--   revocation did not stop the key. Any such use keeps the window open.
-- severity: critical
-- kind: rule
-- rule: USE_AFTER_CONTAINMENT
-- stage: window
-- scope: case
-- params: contained_at:timestamptz
-- mitre: T1553.002, T1078
-- owasp_nhi: NHI1:2025
WITH c AS (
  SELECT CAST($contained_at AS TIMESTAMPTZ) AS t
), ce AS (
  -- The containment event itself, cited beside each use.
  SELECT e.event_uid, e.file_id, e.record_no, e.native_action FROM c_ev e, c
  WHERE e.ts = c.t AND e.outcome = 'success'
    AND e.action IN ('key.disable', 'key.delete', 'key.rotate', 'secret.rotate', 'secret.delete', 'secret.write', 'ci.secret_change')
  ORDER BY e.event_uid LIMIT 1
), kd AS (
  SELECT target, min(ts) AS t, arg_min(event_uid, ts) AS uid, arg_min(file_id, ts) AS file_id, arg_min(record_no, ts) AS record_no,
         arg_min(native_action, ts) AS native_action
  FROM c_ev, c
  WHERE c.t IS NOT NULL AND action IN ('key.disable', 'key.delete') AND outcome = 'success' AND ts >= c.t
  GROUP BY target
)
SELECT s.integrated_time AS ts, COALESCE(a.signer, '(unknown signer)') AS actor, a.principal, a.credential_id, a.source_ip, a.run_id,
       format('signature {} (log index {}) with the key''s fingerprint integrated at {}, after containment at {}',
              COALESCE(c_digest(s.artifact_digest), left(s.entry_uuid, 16)), COALESCE(CAST(s.log_index AS VARCHAR), '?'),
              c_t(s.integrated_time), c_t(c.t)) AS summary,
       s.entry_uuid AS subject,
       list_filter([c_evd('signatures', s.entry_uuid, s.file_id, s.record_no),
                    c_evd('events', (SELECT event_uid FROM ce), (SELECT file_id FROM ce), (SELECT record_no FROM ce))], e -> e.id IS NOT NULL) AS evidence
FROM c_sig s JOIN c_attr a USING (entry_uuid), c
WHERE c.t IS NOT NULL AND s.mode <> 'keyless' AND s.integrated_time > c.t
UNION ALL
SELECT e.ts, COALESCE(e.principal, e.actor, '(unknown)'), e.principal, e.credential_id, e.source_ip, e.run_id,
       format('successful {} on {} by {} at {}, after {} at {}', COALESCE(e.native_action, e.action), e.target,
              COALESCE(e.principal, e.actor, '(unknown)'), c_t(e.ts), COALESCE(kd.native_action, 'disable'), c_t(kd.t)),
       e.event_uid,
       [c_evd('events', e.event_uid, e.file_id, e.record_no), c_evd('events', kd.uid, kd.file_id, kd.record_no)]
FROM c_ev e JOIN kd ON e.target = kd.target AND e.ts > kd.t
WHERE e.action = 'key.sign' AND e.outcome = 'success'
