-- id: unexpected_ref
-- title: Signed or passed the key from an unexpected ref
-- description: A keyless signature, a sign call's OIDC session, or a job that was passed the key's
--   secret, on a ref (branch, tag, pull-request merge ref) outside the release path: not expected
--   and not seen on this key in the baseline_days before the event itself.
-- severity: high
-- kind: rule
-- rule: UNEXPECTED_REF
-- stage: use
-- scope: case
-- params: baseline_days:integer=30
-- mitre: T1195.002, T1553.002
-- owasp_nhi: NHI8:2025
WITH u AS (
  SELECT *,
         lag(ts) OVER (PARTITION BY fam, source, val ORDER BY ts, uid) AS prev_ts,
         min(ts) OVER (PARTITION BY fam, source) AS fam_first
  FROM c_use WHERE fam = 'ref'
)
SELECT u.ts, u.actor, u.principal, u.credential_id, u.source_ip, u.run_id,
       format('{} on ref {}{} (not an expected ref, and not seen on this key in the {} days before)',
              CASE u.action WHEN 'ci.job' THEN 'job passed the key''s secret' WHEN 'key.sign' THEN 'sign call' ELSE 'signature' END,
              u.raw, CASE WHEN u.run_id IS NOT NULL THEN ' (run ' || u.run_id || ')' ELSE '' END, $baseline_days) AS summary,
       u.uid AS subject,
       [c_evd(u.tbl, u.uid, u.file_id, u.record_no)] AS evidence
FROM u CROSS JOIN c_x x
WHERE NOT c_ref_match(u.raw, x.refs)
  AND (u.prev_ts IS NULL OR c_days_after(u.prev_ts, u.ts, $baseline_days))
  AND (x.explicit_refs OR NOT c_days_after(u.ts, u.fam_first, -$baseline_days))
