-- id: sign_denied
-- title: Denied or failed signing attempts
-- description: Sign calls on the key, and reads of the secret that holds it, that failed or were
--   denied: someone trying to use the key without (or beyond) permission. Grouped per caller,
--   credential, address and UTC day.
-- severity: medium
-- kind: rule
-- rule: SIGN_DENIED
-- stage: use
-- scope: case
-- params:
-- mitre: T1553.002, T1078.004
-- owasp_nhi: NHI2:2025, NHI5:2025
SELECT min(ts) AS ts, who AS actor,
       any_value(principal) AS principal, credential_id, source_ip, NULL::VARCHAR AS run_id,
       format('{} {} {} on {} by {}{} ({})', count(*),
              string_agg(DISTINCT outcome, '/' ORDER BY outcome),
              CASE WHEN count(*) = 1 THEN 'attempt' ELSE 'attempts' END,
              string_agg(DISTINCT target, ', ' ORDER BY target),
              COALESCE(who, '(unknown)'),
              CASE WHEN source_ip IS NOT NULL THEN ' from ' || source_ip ELSE '' END,
              string_agg(DISTINCT COALESCE(native_action, action) || COALESCE(': ' || error_code, ''), ', '
                         ORDER BY COALESCE(native_action, action) || COALESCE(': ' || error_code, ''))) AS summary,
       arg_min(event_uid, ts) AS subject,
       list(c_evd('events', event_uid, file_id, record_no) ORDER BY ts, event_uid) AS evidence
FROM (
  SELECT *, COALESCE(principal, actor) AS who, c_day(ts) AS day FROM c_ev
  WHERE action IN ('key.sign', 'secret.read') AND outcome IN ('failure', 'denied')
)
GROUP BY who, credential_id, source_ip, day
