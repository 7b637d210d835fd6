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
SELECT min(b.started_at) AS ts,
       COALESCE(any_value(b.actor), '(unknown)') AS actor,
       NULL::VARCHAR AS principal, NULL::VARCHAR AS credential_id, NULL::VARCHAR AS source_ip, b.run_id,
       format('{} passed to {} (run {}, ref {}), which is not an expected signing workflow',
              array_to_string(list_distinct(flatten(list(b.passed_secrets))), ', '),
              COALESCE(b.wf, '(unknown workflow)'), COALESCE(b.run_id, '?'), COALESCE(any_value(b.ref), '?')) AS summary,
       arg_min(b.uid, b.started_at) AS subject,
       list(c_evd(b.tbl, b.uid, b.file_id, b.record_no) ORDER BY b.started_at, b.uid) AS evidence
FROM c_build b CROSS JOIN c_x x
WHERE b.passed AND len(x.workflows) > 0 AND NOT c_wf_match(NULL, b.wf, x.workflows)
GROUP BY b.run_id, b.wf
