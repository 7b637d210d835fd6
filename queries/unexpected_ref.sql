-- id: unexpected_ref
-- title: Signed or passed the key from an unexpected ref
-- description: A keyless signature, a sign call's OIDC session, or a job that was passed the key's
--   secret, on a ref (branch, tag, pull-request merge ref) outside the release path: not expected
--   and not seen on this key in the baseline_days before the event itself. Pull-request runs count as
--   refs/pull/*/merge. The evidence is the new ref's uses in the 24 hours from its first, and the
--   entries the jobs among them signed.
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
), f AS (
  SELECT u.*,
         NOT c_ref_match(u.raw, x.refs)
         AND (u.prev_ts IS NULL OR c_days_after(u.prev_ts, u.ts, $baseline_days))
         AND (x.explicit_refs OR NOT c_days_after(u.ts, u.fam_first, -$baseline_days)) AS is_new
  FROM u CROSS JOIN c_x x
), ep AS (
  -- A new value opens an episode; its uses in the following 24 hours are the finding's evidence.
  SELECT f.*, sum(CAST(is_new AS INTEGER)) OVER (PARTITION BY fam, source, val ORDER BY ts, uid ROWS UNBOUNDED PRECEDING) AS ep_no
  FROM f
), starts AS (
  SELECT * FROM ep WHERE is_new
), members AS (
  SELECT DISTINCT s.tbl AS s_tbl, s.uid AS s_uid, e.ts, e.tbl, e.uid, e.file_id, e.record_no
  FROM starts s JOIN ep e ON e.fam = s.fam AND e.source = s.source AND e.val = s.val AND e.ep_no = s.ep_no
  WHERE epoch_us(e.ts) - epoch_us(s.ts) <= 86400000000
), attributed AS (
  -- A job on the new ref also answers for the signatures made by it.
  SELECT m.s_tbl, m.s_uid, s.integrated_time AS ts, 'signatures' AS tbl, s.entry_uuid AS uid, s.file_id, s.record_no
  FROM members m JOIN c_attr a ON a.build_uid = m.uid JOIN c_sig s USING (entry_uuid)
), evidence AS (
  SELECT s_tbl, s_uid, count(*) AS uses,
         list(c_evd(tbl, uid, file_id, record_no) ORDER BY ts, uid)[1:50] AS evidence
  FROM (SELECT * FROM members UNION SELECT * FROM attributed) GROUP BY s_tbl, s_uid
)
SELECT s.ts, s.actor, s.principal, s.credential_id, s.source_ip, s.run_id,
       format('{} on ref {}{} (not an expected ref, and not seen on this key in the {} days before){}',
              CASE s.action WHEN 'ci.job' THEN 'job passed the key''s secret' WHEN 'key.sign' THEN 'sign call' ELSE 'signature' END,
              s.raw, CASE WHEN s.run_id IS NOT NULL THEN ' (run ' || s.run_id || ')' ELSE '' END, $baseline_days,
              CASE WHEN e.uses > 1 THEN format('; {} records in the next 24 h', e.uses) ELSE '' END) AS summary,
       s.uid AS subject,
       e.evidence
FROM starts s JOIN evidence e ON e.s_tbl = s.tbl AND e.s_uid = s.uid
