-- id: scan_sign_denied
-- title: Denied or failed signing attempts (every key)
-- description: Nightly scan over every key and secret: sign calls and secret reads that failed or
--   were denied, grouped per key, caller, credential, address and UTC day. A group is reported when
--   it holds a new attempt; its evidence is every attempt of that day in the store.
-- severity: medium
-- kind: scan-rule
-- rule: SIGN_DENIED
-- scope: store
-- params:
-- mitre: T1553.002, T1078.004
-- owasp_nhi: NHI2:2025, NHI5:2025
SELECT scope, min(ts) AS ts, who AS actor,
       format('{} {} {} on {} by {}{} ({})', count(*),
              string_agg(DISTINCT outcome, '/' ORDER BY outcome),
              CASE WHEN count(*) = 1 THEN 'attempt' ELSE 'attempts' END,
              scope, COALESCE(who, '(unknown)'),
              CASE WHEN source_ip IS NOT NULL THEN ' from ' || source_ip ELSE '' END,
              string_agg(DISTINCT COALESCE(native_action, action) || COALESCE(': ' || error_code, ''), ', ')) AS summary,
       arg_min(event_uid, (ts, event_uid)) AS subject,
       list(c_evd('events', event_uid, file_id, record_no) ORDER BY ts, event_uid) AS evidence
FROM (
  SELECT *, COALESCE(principal, actor) AS who, c_day(ts) AS day FROM s_keyev
  WHERE action IN ('key.sign', 'secret.read') AND outcome IN ('failure', 'denied')
)
GROUP BY scope, who, credential_id, source_ip, day
HAVING bool_or(is_new)
