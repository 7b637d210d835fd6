-- id: access
-- title: Who could have used the key
-- description: Every principal, credential, workflow and keyless identity that read the key or its
--   secret, was passed it, or used it, with first and last seen, counts, the operations, and
--   whether the case expects it: the list to review and re-enrol.
-- severity: info
-- kind: analysis
-- scope: case
-- params:
-- mitre:
-- owasp_nhi: NHI5:2025
WITH r AS (
  SELECT 'principal' AS kind, COALESCE(principal, actor) AS who, COALESCE(native_action, action) AS how, ts, source, outcome
  FROM c_ev WHERE via IN ('key', 'secret')
  UNION ALL
  -- Credentials to revoke: long-lived ones. Session credentials (issued by an assume-role or a
  -- login, or AWS ASIA… keys) expire by themselves and are listed under their principal.
  SELECT 'credential', credential_id, COALESCE(native_action, action), ts, source, outcome
  FROM c_ev WHERE via IN ('key', 'secret') AND credential_id IS NOT NULL AND credential_id NOT LIKE 'ASIA%'
    AND credential_id NOT IN (SELECT credential_id FROM c_cred WHERE action IN ('credential.assume', 'auth.login'))
  UNION ALL
  SELECT 'workflow', COALESCE(wf, '(unknown workflow)'), 'passed ' || array_to_string(passed_secrets, ', '), started_at, source, 'success'
  FROM c_build WHERE passed
  UNION ALL
  SELECT 'identity', san, 'signed (keyless)', integrated_time, 'rekor', 'success' FROM c_sig WHERE mode = 'keyless' AND san IS NOT NULL
)
SELECT r.kind, r.who, list(DISTINCT r.how ORDER BY r.how) AS actions, min(r.ts) AS first_seen, max(r.ts) AS last_seen,
       count(*) AS count, count(*) FILTER (WHERE r.outcome <> 'success') AS failed,
       list(DISTINCT r.source ORDER BY r.source) AS sources,
       CASE r.kind WHEN 'principal' THEN c_match(r.who, any_value(x.principals))
                   WHEN 'workflow' THEN c_wf_match(NULL, r.who, any_value(x.workflows))
                   WHEN 'identity' THEN c_match(r.who, any_value(x.identities)) END AS expected
FROM r CROSS JOIN c_x x
WHERE r.who IS NOT NULL
GROUP BY r.kind, r.who
ORDER BY r.kind, first_seen, r.who
