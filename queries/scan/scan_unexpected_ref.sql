-- id: scan_unexpected_ref
-- title: Signed or passed a secret from a new ref (every key)
-- description: Nightly scan over every key: a sign call whose OIDC session names a ref, a job passed
--   a secret, or a keyless signature, on a ref (release tags generalised to refs/tags/*) not seen
--   on that key in the baseline_days before it: a pull-request or feature branch reaching the key.
-- severity: high
-- kind: scan-rule
-- rule: UNEXPECTED_REF
-- scope: store
-- params:
-- mitre: T1195.002, T1553.002
-- owasp_nhi: NHI8:2025
SELECT n.scope, n.ts, n.actor,
       format('{} on ref {}{} (not seen on {} in the {} days before)',
              CASE n.action WHEN 'ci.job' THEN 'job passed ' || n.scope WHEN 'key.sign' THEN 'sign call' ELSE 'signature' END,
              n.raw, CASE WHEN n.run_id IS NOT NULL THEN ' (run ' || n.run_id || ')' ELSE '' END, n.scope, r.baseline_days) AS summary,
       n.uid AS subject,
       [c_evd(n.tbl, n.uid, n.file_id, n.record_no)] AS evidence
FROM s_novel n CROSS JOIN s_range r
WHERE n.fam = 'ref'
