-- id: scan_unexpected_source_ip
-- title: Key used from a new address or client (every key)
-- description: Nightly scan over every key: a sign call or a read of a secret from a source address,
--   or with a client (user-agent product token), not seen on that key in the baseline_days before
--   the use itself. Judged only where the key has a full baseline of uses.
-- severity: medium
-- kind: scan-rule
-- rule: UNEXPECTED_SOURCE_IP
-- scope: store
-- params:
-- mitre: T1078.004, T1550.001
-- owasp_nhi: NHI2:2025
SELECT n.scope, n.ts, any_value(n.actor) AS actor,
       format('new {}: {} {} by {} (not seen on it in the {} days before)',
              string_agg(CASE WHEN n.fam = 'ip' THEN 'source address ' || n.val ELSE 'client ' || n.val END, ', new ' ORDER BY n.fam DESC),
              CASE any_value(n.action) WHEN 'key.sign' THEN 'signed with' ELSE 'read' END, n.scope,
              COALESCE(any_value(n.actor), '(unknown)'), any_value(r.baseline_days)) AS summary,
       n.uid AS subject,
       [c_evd(n.tbl, n.uid, any_value(n.file_id), any_value(n.record_no))] AS evidence
FROM s_novel n CROSS JOIN s_range r
WHERE n.fam IN ('ip', 'client')
GROUP BY n.scope, n.tbl, n.uid, n.ts
