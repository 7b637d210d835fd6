-- id: new_credential
-- title: Credential created by a suspicious actor
-- description: A suspicious actor, credential, address or CI run (from a finding on the key)
--   created a credential — an access key, a service-account key, a login profile, a token — in or
--   after the window: persistence that outlives the key's rotation.
-- severity: high
-- kind: rule
-- rule: NEW_CREDENTIAL
-- stage: lateral
-- scope: case
-- params:
-- mitre: T1098.001, T1136.003
-- owasp_nhi: NHI1:2025, NHI7:2025
SELECT min(ts) AS ts, any_value(actor) AS actor, any_value(principal) AS principal, any_value(credential_id) AS credential_id,
       any_value(source_ip) AS source_ip, any_value(run_id) AS run_id,
       format('{} created credential {}{} with {} (reached through {})', any_value(actor),
              COALESCE(any_value(issued_credential_id), '(id not logged)'),
              CASE WHEN any_value(target) IS NOT NULL THEN ' for ' || any_value(target) ELSE '' END,
              any_value(native_action),
              string_agg(DISTINCT pivot_kind || ' ' || "pivot", ', ' ORDER BY pivot_kind || ' ' || "pivot")) AS summary,
       event_uid AS subject,
       [c_evd('events', event_uid, any_value(file_id), any_value(record_no))] AS evidence
FROM c_lateral
WHERE action = 'credential.create' AND outcome = 'success'
GROUP BY event_uid
