-- id: scan_unknown_signer
-- title: Unknown signer, identity, issuer or runner (every key)
-- description: Nightly scan over every key and signer: a principal that signed with a key or read a
--   secret, a job runner type that was passed a secret, or a keyless identity, OIDC issuer or
--   runner environment signing for a repository, that was not seen on that key in the
--   baseline_days before the use itself (new-terms detection). Judged only where the key has a
--   full baseline of that kind of use.
-- severity: high
-- kind: scan-rule
-- rule: UNKNOWN_SIGNER
-- scope: store
-- params:
-- mitre: T1078.004, T1553.002
-- owasp_nhi: NHI2:2025, NHI5:2025
WITH n AS (
  SELECT *,
         CASE WHEN fam = 'issuer' THEN 'OIDC issuer' WHEN fam = 'runner' AND grp = 'keyless' THEN 'runner environment'
              WHEN fam = 'runner' THEN 'runner type' WHEN grp = 'keyless' THEN 'signing identity' ELSE 'principal' END || ' ' || raw AS what
  FROM s_novel WHERE fam IN ('signer', 'issuer', 'runner')
)
SELECT n.scope, n.ts, any_value(n.actor) AS actor,
       format('new {} {} {} (not seen on it in the {} days before)',
              string_agg(n.what, ' and new ' ORDER BY n.what),
              CASE any_value(n.action) WHEN 'key.sign' THEN 'signed with' WHEN 'secret.read' THEN 'read'
                                       WHEN 'ci.job' THEN 'ran a job that was passed' ELSE 'signed for' END,
              n.scope, any_value(r.baseline_days)) AS summary,
       n.uid AS subject,
       [c_evd(n.tbl, n.uid, any_value(n.file_id), any_value(n.record_no))] AS evidence
FROM n CROSS JOIN s_range r
GROUP BY n.scope, n.tbl, n.uid, n.ts
