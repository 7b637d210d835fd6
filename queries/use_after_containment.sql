-- id: use_after_containment
-- title: Key used after containment
-- description: A signature with the key's fingerprint integrated after the window's containment
--   (the private key is out: only downstream distrust stops it), or an attempt to sign with or read
--   one of the key's aliases after that alias was revoked — except the expected principals picking
--   up rotated material. A successful use keeps the window open; refused attempts show the
--   attacker still trying.
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
), last_revocation AS (
  -- The revocation that completed containment, cited beside each later entry.
  SELECT k.event_uid, e.file_id, e.record_no FROM c_contained k JOIN c_ev e USING (event_uid), c
  WHERE k.ts = c.t ORDER BY k.event_uid LIMIT 1
), attempts AS (
  SELECT e.*, k.ts AS revoked_at, k.event_uid AS k_uid, r.file_id AS k_file, r.record_no AS k_rec,
         COALESCE(r.native_action, r.action) AS revoked_by, r.action AS revocation
  FROM c_ev e
  JOIN c_contained k ON k.alias = e.target AND e.ts > k.ts
  JOIN c_ev r ON r.event_uid = k.event_uid
  CROSS JOIN c_x x
  WHERE e.action IN ('key.sign', 'secret.read')
    -- Expected consumers reading or signing with rotated material are the rotation working.
    AND NOT (e.outcome = 'success' AND c_match(COALESCE(e.principal, e.actor), x.principals)
             AND r.action IN ('key.rotate', 'secret.rotate', 'secret.write', 'ci.secret_change'))
)
SELECT s.integrated_time AS ts, COALESCE(a.signer, '(unknown signer)') AS actor, a.principal, a.credential_id, a.source_ip, a.run_id,
       format('signature {} (log index {}) with the key''s fingerprint integrated at {}, after containment at {}',
              COALESCE(c_digest(s.artifact_digest), left(s.entry_uuid, 16)), COALESCE(CAST(s.log_index AS VARCHAR), '?'),
              c_t(s.integrated_time), c_t(c.t)) AS summary,
       s.entry_uuid AS subject,
       list_filter([c_evd('signatures', s.entry_uuid, s.file_id, s.record_no),
                    c_evd('events', (SELECT event_uid FROM last_revocation), (SELECT file_id FROM last_revocation),
                          (SELECT record_no FROM last_revocation))], e -> e.id IS NOT NULL) AS evidence
FROM c_sig s JOIN c_attr a USING (entry_uuid), c
WHERE c.t IS NOT NULL AND s.mode <> 'keyless' AND s.integrated_time > c.t
UNION ALL
SELECT t.ts, COALESCE(t.principal, t.actor, '(unknown)'), t.principal, t.credential_id, t.source_ip, t.run_id,
       format('{} {} on {} by {}{} at {}, after {} at {}', CASE WHEN t.outcome = 'success' THEN 'successful' ELSE t.outcome END,
              COALESCE(t.native_action, t.action), t.target, COALESCE(t.principal, t.actor, '(unknown)'),
              CASE WHEN t.source_ip IS NOT NULL THEN ' from ' || t.source_ip ELSE '' END, c_t(t.ts), t.revoked_by, c_t(t.revoked_at)),
       t.event_uid,
       [c_evd('events', t.event_uid, t.file_id, t.record_no), c_evd('events', t.k_uid, t.k_file, t.k_rec)]
FROM attempts t
