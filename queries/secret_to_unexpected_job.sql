-- id: secret_to_unexpected_job
-- title: Key's secret passed to a job outside the signing workflow
-- description: A CI job that was passed the secret holding the key (GitHub secrets_passed, GitLab
--   variables) while its workflow is not an expected signing workflow: the private key reached
--   code that was never meant to hold it. Needs expected (or inferred) workflows.
-- severity: high
-- kind: rule
-- rule: SECRET_TO_UNEXPECTED_JOB
-- stage: use
-- scope: case
-- params:
-- mitre: T1552.004, T1195.002
-- owasp_nhi: NHI8:2025, NHI5:2025
WITH jobs AS (
  SELECT b.* FROM c_build b CROSS JOIN c_x x
  WHERE b.passed AND len(x.workflows) > 0 AND NOT c_wf_match(NULL, b.wf, x.workflows)
), audit AS (
  -- The audit log's own record of the hand-over (prepared_workflow_job), beside the merged job row.
  SELECT DISTINCT j.run_id, j.wf, e.ts, e.event_uid, e.file_id, e.record_no
  FROM jobs j JOIN c_ev e ON e.via = 'job' AND e.run_id = j.run_id AND (e.repo IS NULL OR j.repo IS NULL OR lower(e.repo) = lower(j.repo))
  WHERE j.tbl = 'ci_runs'
), ev AS (
  SELECT run_id, wf, started_at AS ts, c_evd(tbl, uid, file_id, record_no) AS e FROM jobs
  UNION ALL SELECT run_id, wf, ts, c_evd('events', event_uid, file_id, record_no) FROM audit
)
SELECT min(b.started_at) AS ts,
       COALESCE(any_value(b.actor), '(unknown)') AS actor,
       NULL::VARCHAR AS principal, NULL::VARCHAR AS credential_id, NULL::VARCHAR AS source_ip, b.run_id,
       format('{} passed to {} (run {}, ref {}), which is not an expected signing workflow',
              array_to_string(list_sort(list_distinct(flatten(list(b.passed_secrets)))), ', '),
              COALESCE(b.wf, '(unknown workflow)'), COALESCE(b.run_id, '?'),
              CASE WHEN any_value(b.ref_eff) IS DISTINCT FROM any_value(b.ref)
                   THEN any_value(b.ref_eff) || ' from ' || COALESCE(any_value(b.ref), '?') ELSE COALESCE(any_value(b.ref), '?') END) AS summary,
       arg_min(b.uid, b.started_at) AS subject,
       (SELECT list(DISTINCT ev.e ORDER BY ev.e) FROM ev WHERE ev.run_id IS NOT DISTINCT FROM b.run_id AND ev.wf IS NOT DISTINCT FROM b.wf) AS evidence
FROM jobs b
GROUP BY b.run_id, b.wf
