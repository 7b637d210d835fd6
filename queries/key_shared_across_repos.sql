-- id: key_shared_across_repos
-- title: One signing key used by several repositories
-- description: The key signed for, or its secret was passed to jobs of, more than one repository
--   (jobs passed the secret, keyless signatures' source repositories, KMS sign sessions' repos).
--   A compromise of any of them is a compromise of all. Governance finding over the whole history.
-- severity: medium
-- kind: rule
-- rule: KEY_SHARED_ACROSS_REPOS
-- stage: governance
-- scope: case
-- params:
-- mitre:
-- owasp_nhi: NHI9:2025
WITH r AS (
  SELECT lower(repo) AS repo, started_at AS ts, tbl, uid, file_id, record_no, actor FROM c_build WHERE passed AND repo IS NOT NULL
  UNION ALL
  SELECT lower(repo), integrated_time, 'signatures', entry_uuid, file_id, record_no, san FROM c_sig WHERE repo IS NOT NULL
  UNION ALL
  SELECT lower(x.repo), x.ts, 'events', x.event_uid, e.file_id, e.record_no, COALESCE(x.principal, x.actor)
  FROM c_signctx x JOIN c_ev e USING (event_uid) WHERE x.repo IS NOT NULL AND x.outcome = 'success'
), firsts AS (
  SELECT repo, min(ts) AS ts, arg_min(c_evd(tbl, uid, file_id, record_no), (ts, uid)) AS ev, arg_min(actor, (ts, uid)) AS actor
  FROM r GROUP BY repo
)
SELECT max(ts) AS ts, arg_max(actor, ts) AS actor, NULL::VARCHAR AS principal, NULL::VARCHAR AS credential_id,
       NULL::VARCHAR AS source_ip, NULL::VARCHAR AS run_id,
       format('the key is used by {} repositories: {}', count(*), string_agg(repo, ', ' ORDER BY ts, repo)) AS summary,
       arg_max(ev.id, ts) AS subject,
       list(ev ORDER BY ts, repo) AS evidence
FROM firsts
HAVING count(*) > 1
