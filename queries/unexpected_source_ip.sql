-- id: unexpected_source_ip
-- title: Key used from a new address or client
-- description: A sign call or read of the key's secret from a source address, or with a client
--   (user-agent product token), not seen on this key in the baseline_days before the event
--   itself. Judged only where a full baseline exists for that source.
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
), hits AS (
  SELECT *, CASE WHEN fam = 'ip' THEN 'source address ' || val ELSE 'client ' || val END AS what FROM u
  WHERE (prev_ts IS NULL OR c_days_after(prev_ts, ts, $baseline_days))
    AND NOT c_days_after(ts, fam_first, -$baseline_days)
)
-- One finding per use, naming everything new about it.
SELECT ts, any_value(actor) AS actor, any_value(principal) AS principal, any_value(credential_id) AS credential_id,
       any_value(source_ip) AS source_ip, any_value(run_id) AS run_id,
       format('new {}: {} by {} (not seen on this key in the {} days before)',
              string_agg(what, ', new ' ORDER BY fam DESC),
              CASE any_value(action) WHEN 'key.sign' THEN 'signed with the key' ELSE 'read the key''s secret' END,
              COALESCE(any_value(actor), '(unknown)'), $baseline_days) AS summary,
       uid AS subject,
       [c_evd(tbl, uid, any_value(file_id), any_value(record_no))] AS evidence
FROM hits
GROUP BY tbl, uid, ts
