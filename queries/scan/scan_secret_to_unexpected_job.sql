-- id: scan_secret_to_unexpected_job
-- title: Secret passed to a new workflow (every secret)
-- description: Nightly scan over every secret that CI jobs are passed (GitHub secrets_passed, GitLab
--   variables): a job of a workflow that was not passed that secret in the baseline_days before it.
--   Without a case file the sanctioned workflows are the ones the baseline shows.
-- severity: high
-- kind: scan-rule
-- rule: SECRET_TO_UNEXPECTED_JOB
-- scope: store
-- params:
-- mitre: T1552.004, T1195.002
-- owasp_nhi: NHI8:2025, NHI5:2025
SELECT n.scope, n.ts, COALESCE(n.actor, '(unknown)') AS actor,
       format('{} passed to {} (run {}): not passed to that workflow in the {} days before',
              n.scope, n.raw, COALESCE(n.run_id, '?'), r.baseline_days) AS summary,
       n.uid AS subject,
       [c_evd(n.tbl, n.uid, n.file_id, n.record_no)] AS evidence
FROM s_novel n CROSS JOIN s_range r
WHERE n.fam = 'workflow'
