-- id: unexpected_source_ip
-- title: Key used from a new address or client
-- description: A sign call or read of the key's secret from a source address, or with a client
--   (user-agent product token), not seen on this key in the baseline_days before the event
--   itself. Judged only where a full baseline exists for that source. The evidence is the new
--   value's uses in the 24 hours from its first.
-- severity: medium
-- kind: rule
-- rule: UNEXPECTED_SOURCE_IP
-- stage: use
-- scope: case
-- params: baseline_days:integer=30
-- mitre: T1078.004, T1550.001
-- owasp_nhi: NHI2:2025
WITH u AS (
  SELECT *,
         lag(ts) OVER (PARTITION BY fam, source, val ORDER BY ts, uid) AS prev_ts,
         min(ts) OVER (PARTITION BY fam, source) AS fam_first
  FROM c_use WHERE fam IN ('ip', 'client')
), f AS (
  SELECT *,
         (prev_ts IS NULL OR c_days_after(prev_ts, ts, $baseline_days)) AND NOT c_days_after(ts, fam_first, -$baseline_days) AS is_new,
         CASE WHEN fam = 'ip' THEN 'source address ' || val ELSE 'client ' || val END AS what
  FROM u
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
), evidence AS (
  SELECT s_tbl, s_uid, count(*) AS uses,
         list(c_evd(tbl, uid, file_id, record_no) ORDER BY ts, uid)[1:50] AS evidence
  FROM members GROUP BY s_tbl, s_uid
)
-- One finding per first use, naming everything new about it.
SELECT s.ts, any_value(s.actor) AS actor, any_value(s.principal) AS principal, any_value(s.credential_id) AS credential_id,
       any_value(s.source_ip) AS source_ip, any_value(s.run_id) AS run_id,
       format('new {}: {} by {} (not seen on this key in the {} days before){}',
              string_agg(DISTINCT s.what, ', new ' ORDER BY s.what),
              CASE any_value(s.action) WHEN 'key.sign' THEN 'signed with the key' ELSE 'read the key''s secret' END,
              COALESCE(any_value(s.actor), '(unknown)'), $baseline_days,
              CASE WHEN any_value(e.uses) > 1 THEN format('; {} uses in the next 24 h', any_value(e.uses)) ELSE '' END) AS summary,
       s.uid AS subject,
       any_value(e.evidence) AS evidence
FROM starts s JOIN evidence e ON e.s_tbl = s.tbl AND e.s_uid = s.uid
GROUP BY s.tbl, s.uid, s.ts
