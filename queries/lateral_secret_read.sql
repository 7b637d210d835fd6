-- id: lateral_secret_read
-- title: Suspicious actor read other secrets
-- description: An actor, credential, address or CI run that a finding on the key made suspicious
--   read, or tried to read, another secret (not the key's own) in or after the window: where else
--   the attacker's access reached. One finding per secret and reader.
-- severity: high
-- kind: rule
-- rule: LATERAL_SECRET_READ
-- stage: lateral
-- scope: case
-- params:
-- mitre: T1555.006, T1552
-- owasp_nhi: NHI5:2025, NHI9:2025
SELECT min(ts) AS ts, actor, any_value(principal) AS principal, any_value(credential_id) AS credential_id,
       any_value(source_ip) AS source_ip, any_value(run_id) AS run_id,
       format('{} {} secret {} ({} time{}{}; reached through {})', actor,
              CASE WHEN bool_or(outcome = 'success') THEN 'read' ELSE 'tried to read' END, target, count(DISTINCT event_uid),
              CASE WHEN count(DISTINCT event_uid) = 1 THEN '' ELSE 's' END,
              CASE WHEN bool_or(outcome <> 'success') THEN ', ' || count(DISTINCT event_uid) FILTER (WHERE outcome <> 'success') || ' refused' ELSE '' END,
              string_agg(DISTINCT pivot_kind || ' ' || "pivot", ', ' ORDER BY pivot_kind || ' ' || "pivot")) AS summary,
       arg_min(event_uid, ts) AS subject,
       list(DISTINCT c_evd('events', event_uid, file_id, record_no) ORDER BY c_evd('events', event_uid, file_id, record_no)) AS evidence
FROM c_lateral
WHERE action = 'secret.read'
GROUP BY target, actor
