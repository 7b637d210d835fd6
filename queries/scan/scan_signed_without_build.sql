-- id: scan_signed_without_build
-- title: Signature with no build behind it (every key and identity)
-- description: Nightly scan over every new transparency-log entry. Keyless: the CI run its
--   certificate names is not in the CI records, or the entry was integrated outside that run
--   (judged where CI records cover its time). Key-based: the key's baseline shows how its entries
--   are made — a sign call on a cloud KMS or Vault key within pair_window_s before them, or a CI job
--   passed a secret running at the time (each seen behind at least half of the key's latest 200
--   baseline entries) — and the new entry has neither; judged once the logs of that kind reach
--   its time.
-- severity: critical
-- kind: scan-rule
-- rule: SIGNED_WITHOUT_BUILD
-- scope: store
-- params:
-- mitre: T1553.002, T1195.002
-- owasp_nhi: NHI2:2025
WITH r AS (SELECT * FROM s_range),
ci_hi AS (
  SELECT GREATEST((SELECT max(ts) FROM events WHERE action LIKE 'ci.%'), (SELECT max(COALESCE(completed_at, started_at)) FROM ci_runs)) AS hi,
         LEAST((SELECT min(ts) FROM events WHERE action LIKE 'ci.%'), (SELECT min(COALESCE(started_at, completed_at)) FROM ci_runs)) AS lo
),

-- Keyless: the run named by the certificate.
kl AS (
  SELECT s.entry_uuid, s.integrated_time AS ts, s.kind, s.artifact_digest, s.log_index, s.san, s.repo, s.file_id, s.record_no,
         s_keyless_scope(s.san, s.source_repository_uri) AS scope,
         COALESCE(s.run_id, NULLIF(regexp_extract(s.run_invocation_uri, '/runs/([0-9]+)', 1), '')) AS run_id
  FROM signatures s, r
  WHERE s.san IS NOT NULL AND COALESCE(s.signer_kind, 'cert') = 'cert'
    AND (s.file_id > r.wm_file OR s.integrated_time >= r.judged_from) IS TRUE
), runs AS (
  SELECT c.run_id, lower(c.repo) AS repo_l, COALESCE(c.started_at, c_plus(c.completed_at, -3600 * r.job_max_h)) AS lo,
         COALESCE(c.completed_at, c_plus(c.started_at, 3600 * r.job_max_h)) AS hi
  FROM ci_runs c, r WHERE c.run_id IN (SELECT run_id FROM kl)
  UNION ALL
  SELECT e.run_id, lower(e.repo), e.ts, c_plus(e.ts, 3600 * r.job_max_h) FROM events e, r
  WHERE e.action = 'ci.job' AND e.run_id IN (SELECT run_id FROM kl)
), kl_j AS (
  SELECT kl.entry_uuid, any_value(kl.ts) AS ts, any_value(kl.scope) AS scope, any_value(kl.san) AS san, any_value(kl.run_id) AS run_id,
         any_value(kl.kind) AS kind, any_value(kl.artifact_digest) AS artifact_digest, any_value(kl.log_index) AS log_index,
         any_value(kl.file_id) AS file_id, any_value(kl.record_no) AS record_no,
         count(u.run_id) AS found,
         COALESCE(bool_or(kl.ts BETWEEN c_plus(u.lo, -r.log_delay_s) AND c_plus(u.hi, r.log_delay_s)), false) AS inside
  FROM kl CROSS JOIN r
  LEFT JOIN runs u ON u.run_id = kl.run_id AND (kl.repo IS NULL OR u.repo_l IS NULL OR u.repo_l = lower(kl.repo))
  WHERE kl.run_id IS NOT NULL
  GROUP BY kl.entry_uuid
), kl_out AS (
  SELECT j.scope, j.ts, j.san AS actor,
         format('{} {} (log index {}) signed by {}: {}', j.kind, COALESCE(c_digest(j.artifact_digest), 'entry ' || left(j.entry_uuid, 16)),
                COALESCE(CAST(j.log_index AS VARCHAR), '?'), j.san,
                CASE WHEN j.found = 0 THEN format('run {} named by its certificate is not in the CI records', j.run_id)
                     ELSE format('integrated at {}, outside run {} named by its certificate', c_t(j.ts), j.run_id) END) AS summary,
         j.entry_uuid AS subject,
         [c_evd('signatures', j.entry_uuid, j.file_id, j.record_no)] AS evidence
  FROM kl_j j, ci_hi
  WHERE NOT j.inside AND j.ts BETWEEN ci_hi.lo AND ci_hi.hi
),

-- Key-based: learn from the baseline how each key's entries are made, then judge the new ones.
fp_all AS (
  SELECT s.entry_uuid, lower(s.key_fingerprint) AS fp, s.integrated_time AS ts, s.kind, s.artifact_digest, s.log_index, s.file_id, s.record_no,
         (s.file_id > r.wm_file OR s.integrated_time >= r.judged_from) IS TRUE AS is_new
  FROM signatures s, r
  WHERE s.key_fingerprint IS NOT NULL AND s.san IS NULL AND s.integrated_time >= r.horizon
), fp AS (
  -- The new entries, and the 200 latest baseline entries of their keys to learn from: enough to
  -- tell how a key's entries are made, at a cost that does not grow with the key's volume.
  SELECT * FROM fp_all
  WHERE fp IN (SELECT fp FROM fp_all WHERE is_new)
  QUALIFY is_new OR row_number() OVER (PARTITION BY fp, is_new ORDER BY ts DESC, entry_uuid) <= 200
), fp_h AS (
  SELECT fp.entry_uuid, fp.fp, fp.ts, fp.is_new,
         unnest(range(c_hour(c_plus(fp.ts, -r.pair_window_s)), c_hour(c_plus(fp.ts, r.clock_skew_s)) + 1)) AS h
  FROM fp, r
), signs AS (
  SELECT scope, source, ts, c_hour(ts) AS h FROM s_keyev WHERE action = 'key.sign' AND outcome = 'success'
), job_h AS (
  SELECT j.uid, j.started_at, j.ended_at, j.secrets,
         unnest(range(c_hour(c_plus(j.started_at, -r.log_delay_s)),
                      LEAST(c_hour(c_plus(j.ended_at, r.log_delay_s)), c_hour(j.started_at) + 72) + 1)) AS h
  FROM s_job j, r
), expl AS (
  -- Equi-joins on hour buckets, then the exact time condition.
  SELECT DISTINCT f.entry_uuid, f.fp, f.is_new, s.scope, s.source
  FROM fp_h f JOIN signs s ON s.h = f.h CROSS JOIN r
  WHERE s.ts BETWEEN c_plus(f.ts, -r.pair_window_s) AND c_plus(f.ts, r.clock_skew_s)
  UNION
  SELECT f.entry_uuid, f.fp, f.is_new, 'secret:' || unnest(j.secrets), 'ci'
  FROM fp f JOIN job_h j ON j.h = c_hour(f.ts) CROSS JOIN r
  WHERE f.ts BETWEEN c_plus(j.started_at, -r.log_delay_s) AND c_plus(j.ended_at, r.log_delay_s)
), base AS (
  SELECT fp, count(*) AS n FROM fp WHERE NOT is_new GROUP BY fp
), assoc AS (
  SELECT e.fp, e.scope, any_value(e.source) AS source, count(DISTINCT e.entry_uuid) AS n, any_value(b.n) AS of_n
  FROM expl e JOIN base b USING (fp) WHERE NOT e.is_new
  GROUP BY e.fp, e.scope
  HAVING count(DISTINCT e.entry_uuid) >= 2 AND 2 * count(DISTINCT e.entry_uuid) >= any_value(b.n)
), src_hi AS (
  SELECT source, max(ts) AS hi FROM events WHERE source IN (SELECT source FROM assoc) GROUP BY source
), judged AS (
  SELECT f.entry_uuid, any_value(f.fp) AS fp, any_value(f.ts) AS ts, any_value(f.kind) AS kind, any_value(f.artifact_digest) AS artifact_digest,
         any_value(f.log_index) AS log_index, any_value(f.file_id) AS file_id, any_value(f.record_no) AS record_no,
         bool_or(e.entry_uuid IS NOT NULL) AS explained,
         -- Judged once every kind of record that explains this key has reached the entry's time.
         bool_and(CASE WHEN a.source = 'ci' THEN ci_hi.hi >= f.ts ELSE COALESCE(h.hi >= f.ts, false) END) AS covered,
         string_agg(format('{} (its baseline: {} of {} entries had one)',
                           CASE WHEN a.source = 'ci' THEN 'no job passed ' || a.scope || ' was running'
                                ELSE 'no sign call on ' || a.scope || ' in the ' || r.pair_window_s || ' s before' END,
                           a.n, a.of_n), ' and ' ORDER BY a.scope) AS expected
  FROM fp f
  JOIN assoc a ON a.fp = f.fp
  LEFT JOIN expl e ON e.entry_uuid = f.entry_uuid AND e.scope = a.scope
  LEFT JOIN src_hi h ON h.source = a.source
  CROSS JOIN ci_hi CROSS JOIN r
  WHERE f.is_new
  GROUP BY f.entry_uuid
), fp_out AS (
  SELECT 'fp:' || fp AS scope, ts, '(unknown signer)' AS actor,
         format('{} {} (log index {}) signed with fp:{} outside its usual build: {}', kind,
                COALESCE(c_digest(artifact_digest), 'entry ' || left(entry_uuid, 16)), COALESCE(CAST(log_index AS VARCHAR), '?'),
                left(fp, 16) || '…', expected) AS summary,
         entry_uuid AS subject,
         [c_evd('signatures', entry_uuid, file_id, record_no)] AS evidence
  FROM judged WHERE NOT explained AND covered
)
SELECT * FROM kl_out
UNION ALL
SELECT * FROM fp_out
