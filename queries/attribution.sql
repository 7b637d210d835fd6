-- id: attribution
-- title: Which build made each signature
-- description: For every transparency-log entry on the key, the CI run, job or cloud sign call
--   behind it and whether that was a sanctioned build. Keyless: the certificate's run joins
--   ci_runs. Key in a CI secret: a job passed the secret was running (± log_delay_s). Cloud KMS:
--   the sign call paired with the entry, its principal and the OIDC session or run it came from.
-- severity: info
-- kind: stage
-- scope: case
-- params: log_delay_s:integer=300, pair_window_s:integer=300, clock_skew_s:integer=5
-- mitre:
-- owasp_nhi:
WITH x AS (SELECT * FROM c_x),
cov_ci AS (SELECT lo, hi FROM c_cov WHERE kind = 'ci'),
cov_kms AS (SELECT lo, hi FROM c_cov WHERE kind = 'kms'),
-- The case's secrets that CI jobs are passed (the others live in cloud or vault stores).
secrets AS (
  SELECT COALESCE((SELECT string_agg(DISTINCT s, ', ' ORDER BY s) FROM (SELECT unnest(passed_secrets) AS s FROM c_build WHERE passed)),
                  (SELECT string_agg(name, ', ' ORDER BY name) FROM c_secret), '(none found)') AS names
),

-- Keyless: the run the certificate names (run invocation URI / run id), preferring a record of
-- the run (or a job of it) whose time span contains the signing time.
kl_cand AS (
  SELECT s.entry_uuid, b.uid, b.tbl, b.level, b.run_id, b.wf, b.ref_eff AS ref, b.started_at, b.ended_at, b.file_id, b.record_no,
         epoch_us(s.integrated_time) BETWEEN epoch_us(b.started_at) - CAST($log_delay_s AS BIGINT) * 1000000
                                         AND epoch_us(b.ended_at) + CAST($log_delay_s AS BIGINT) * 1000000 AS inside
  FROM c_sig s
  JOIN c_build b ON b.run_id = s.run_id AND (s.repo IS NULL OR b.repo IS NULL OR lower(s.repo) = lower(b.repo))
                AND (s.run_attempt IS NULL OR b.attempt IS NULL OR b.attempt = s.run_attempt)
  WHERE s.mode = 'keyless'
),
kl_best AS (
  SELECT * FROM kl_cand
  QUALIFY row_number() OVER (PARTITION BY entry_uuid ORDER BY inside DESC, level = 'run' DESC, started_at, uid) = 1
),
kl AS (
  SELECT s.entry_uuid, s.integrated_time, s.run_id AS sig_run, b.uid IS NOT NULL AS found, COALESCE(b.inside, false) AS inside,
         b.uid AS build_uid, b.tbl AS build_tbl, b.file_id AS b_file, b.record_no AS b_rec, b.started_at, b.ended_at,
         COALESCE(b.run_id, s.run_id) AS run_id, COALESCE(b.wf, s.swf) AS wf, COALESCE(s.sref, b.ref) AS ref,
         s.san, s.oidc_issuer
  FROM c_sig s LEFT JOIN kl_best b USING (entry_uuid)
  WHERE s.mode = 'keyless'
),
kl_j AS (
  SELECT k.*,
         c_wf_match(NULL, k.wf, x.workflows) AS wf_ok,
         len(x.refs) = 0 OR c_ref_match(k.ref, x.refs) AS ref_ok,
         len(x.identities) = 0 OR c_match(k.san, x.identities) AS id_ok,
         len(x.issuers) = 0 OR c_match(k.oidc_issuer, x.issuers) AS iss_ok,
         COALESCE(k.integrated_time BETWEEN cov_ci.lo AND cov_ci.hi, false) AS covered,
         len(x.workflows) > 0 AS has_wf
  FROM kl k CROSS JOIN x CROSS JOIN cov_ci
),
kl_out AS (
  SELECT entry_uuid, 'keyless' AS mode,
         found AND inside AND wf_ok AND ref_ok AND id_ok AND iss_ok AS attested,
         covered AND has_wf AS judgeable,
         san AS signer, NULL::VARCHAR AS principal, NULL::VARCHAR AS credential_id, NULL::VARCHAR AS source_ip,
         run_id, build_uid, NULL::VARCHAR AS paired_event_uid,
         list_filter([
           CASE WHEN sig_run IS NULL THEN 'the certificate names no CI run (no run invocation URI)'
                WHEN NOT found THEN format('run {} named by the certificate is not in the CI records', sig_run)
                ELSE format('run {} of {} on {} ran {} to {}', run_id, COALESCE(wf, '(unknown workflow)'), COALESCE(ref, '(unknown ref)'), c_t(started_at), c_t(ended_at)) END,
           CASE WHEN found AND inside THEN 'signed inside that run'
                WHEN found THEN format('signed at {}, outside that run', c_t(integrated_time)) END,
           CASE WHEN has_wf AND NOT wf_ok THEN format('workflow {} is not an expected workflow', COALESCE(wf, '(unknown)')) END,
           CASE WHEN NOT ref_ok THEN format('ref {} is not an expected ref', COALESCE(ref, '(unknown)')) END,
           CASE WHEN NOT id_ok THEN format('identity {} is not an expected identity', san) END,
           CASE WHEN NOT iss_ok THEN format('issuer {} is not an expected issuer', COALESCE(oidc_issuer, '(none)')) END,
           CASE WHEN NOT has_wf THEN 'no expected workflows are known: give --expect-workflow or a case file' END,
           CASE WHEN NOT covered THEN format('no CI records cover {}: cannot tell which build signed', c_t(integrated_time)) END
         ], r -> r IS NOT NULL) AS reasons,
         list_filter([c_evd('ci_runs', CASE WHEN build_tbl = 'ci_runs' THEN build_uid END, b_file, b_rec),
                      c_evd('events', CASE WHEN build_tbl = 'events' THEN build_uid END, b_file, b_rec)], e -> e.id IS NOT NULL) AS build_evidence
  FROM kl_j
),

-- Key kept in a CI secret: the jobs that were passed the secret and were running when the entry
-- was integrated (hour buckets make this an equi-join), an expected workflow and ref first.
ck_builds AS (
  -- Each build passed the secret is judged once (not once per candidate signature).
  SELECT b.uid, b.tbl, b.run_id, b.wf,
         CASE WHEN b.ref_eff IS DISTINCT FROM b.ref THEN b.ref_eff || ' (' || COALESCE(b.trigger_event, '?') || ' from ' || COALESCE(b.ref, '?') || ')'
              ELSE b.ref END AS ref, b.job_name, b.started_at, b.ended_at, b.passed_secrets, b.file_id, b.record_no,
         epoch_us(b.started_at) - CAST($log_delay_s AS BIGINT) * 1000000 AS lo_us,
         epoch_us(b.ended_at) + CAST($log_delay_s AS BIGINT) * 1000000 AS hi_us,
         c_wf_match(NULL, b.wf, x.workflows) AS wf_ok, len(x.refs) = 0 OR c_ref_match(b.ref_eff, x.refs) AS ref_ok
  FROM c_build b CROSS JOIN x WHERE b.passed
),
ck_best AS (
  -- Per signature, the best job running at the time: sanctioned first, then the closest start.
  -- An aggregate (hash, no sort) because the candidates can number millions.
  SELECT s.entry_uuid,
         arg_max(b.uid, (b.wf_ok AND b.ref_ok, b.wf_ok, -abs(epoch_us(s.integrated_time) - epoch_us(b.started_at)), b.uid)) AS uid
  FROM c_sig s
  JOIN c_build_hour h ON h.passed AND h.h = c_hour(s.integrated_time)
  JOIN ck_builds b ON b.uid = h.uid
  WHERE s.mode = 'ci_key' AND epoch_us(s.integrated_time) BETWEEN b.lo_us AND b.hi_us
  GROUP BY s.entry_uuid
),
ck_j AS (
  SELECT s.entry_uuid, s.integrated_time, b.uid IS NOT NULL AS found, b.uid, b.tbl, b.run_id, b.wf, b.ref, b.job_name,
         b.started_at, b.ended_at, b.passed_secrets, b.file_id, b.record_no,
         COALESCE(b.wf_ok, false) AS wf_ok, COALESCE(b.ref_ok, false) AS ref_ok,
         COALESCE(s.integrated_time BETWEEN cov_ci.lo AND cov_ci.hi, false) AS covered,
         len(x.workflows) > 0 AS has_wf
  FROM c_sig s LEFT JOIN ck_best k USING (entry_uuid) LEFT JOIN ck_builds b ON b.uid = k.uid CROSS JOIN x CROSS JOIN cov_ci
  WHERE s.mode = 'ci_key'
),
ck_out AS (
  SELECT entry_uuid, 'ci_key' AS mode,
         found AND wf_ok AND ref_ok AS attested,
         covered AND has_wf AS judgeable,
         wf AS signer, NULL::VARCHAR AS principal, NULL::VARCHAR AS credential_id, NULL::VARCHAR AS source_ip,
         run_id, uid AS build_uid, NULL::VARCHAR AS paired_event_uid,
         list_filter([
           CASE WHEN found THEN format('{} of {} on {} (run {}) was passed {} and ran {} to {}',
                                       COALESCE('job ' || job_name, 'a job'), COALESCE(wf, '(unknown workflow)'), COALESCE(ref, '(unknown ref)'),
                                       COALESCE(run_id, '?'), array_to_string(passed_secrets, ', '), c_t(started_at), c_t(ended_at))
                ELSE format('no CI job that was passed {} was running at {}', secrets.names, c_t(integrated_time)) END,
           CASE WHEN found AND has_wf AND NOT wf_ok THEN format('workflow {} is not an expected workflow', COALESCE(wf, '(unknown)')) END,
           CASE WHEN found AND NOT ref_ok THEN format('ref {} is not an expected ref', COALESCE(ref, '(unknown)')) END,
           CASE WHEN NOT has_wf THEN 'no expected workflows are known: give --expect-workflow or a case file' END,
           CASE WHEN NOT covered THEN format('no CI records cover {}: cannot tell which build signed', c_t(integrated_time)) END
         ], r -> r IS NOT NULL) AS reasons,
         list_filter([c_evd(tbl, uid, file_id, record_no)], e -> e.id IS NOT NULL) AS build_evidence
  FROM ck_j CROSS JOIN secrets
),

-- Cloud KMS / Vault transit: the sign call paired with the entry (c_pair), who made it, and the
-- build it is traceable to: the OIDC / workload-identity session behind its credential, or a
-- run of the session's repo that was running at the time.
km_build AS (
  SELECT sb.*, c_wf_match(NULL, sb.wf, x.workflows) AS wf_ok, len(x.refs) = 0 OR c_ref_match(sb.ref, x.refs) AS ref_ok
  FROM c_signbuild sb CROSS JOIN x
  QUALIFY row_number() OVER (PARTITION BY event_uid ORDER BY wf_ok AND ref_ok DESC, wf_ok DESC, started_at DESC, uid) = 1
),
km AS (
  SELECT s.entry_uuid, s.integrated_time, p.event_uid AS paired, p.gap,
         c.ts AS call_ts, c.principal, c.actor, c.actor_type, c.credential_id, c.source_ip, c.target,
         c.repo, c.sess_uid, c.sess_action, c.sess_native, c.sess_file_id, c.sess_record_no,
         e.native_action, e.file_id AS e_file, e.record_no AS e_rec,
         COALESCE(c.wf, kb.wf) AS wf, COALESCE(c.ref, kb.ref) AS ref, COALESCE(c.run_id, kb.run_id) AS run_id,
         kb.uid AS b_uid, kb.tbl AS b_tbl, kb.file_id AS b_file, kb.record_no AS b_rec
  FROM c_sig s
  LEFT JOIN c_pair p USING (entry_uuid)
  LEFT JOIN c_signctx c ON c.event_uid = p.event_uid
  LEFT JOIN c_ev e ON e.event_uid = p.event_uid
  LEFT JOIN km_build kb ON kb.event_uid = p.event_uid
  WHERE s.mode = 'kms'
),
km_j AS (
  SELECT k.*,
         k.paired IS NOT NULL AS found,
         len(x.principals) = 0 OR c_match(k.principal, x.principals) AS principal_ok,
         k.repo IS NOT NULL AS traced,
         c_wf_match(NULL, k.wf, x.workflows) AS wf_ok,
         k.ref IS NOT NULL AND (len(x.refs) = 0 OR c_ref_match(k.ref, x.refs)) AS ref_ok,
         (k.sess_action = 'credential.create' OR k.actor_type IN ('IAMUser', 'Root') OR k.credential_id LIKE 'AKIA%'
          OR k.actor_type ILIKE '%serviceaccountkey%') AS long_lived,
         COALESCE(k.integrated_time BETWEEN cov_kms.lo AND cov_kms.hi, false) AS covered,
         len(x.workflows) > 0 AS has_wf
  FROM km k CROSS JOIN x LEFT JOIN cov_kms ON true
),
km_out AS (
  SELECT entry_uuid, 'kms' AS mode,
         found AND principal_ok AND traced AND wf_ok AND ref_ok AS attested,
         covered AND has_wf AS judgeable,
         COALESCE(principal, actor) AS signer, principal, credential_id, source_ip,
         run_id, b_uid AS build_uid, paired AS paired_event_uid,
         list_filter([
           CASE WHEN found THEN format('paired with {} on {} by {} at {} ({} s before the integrated time)',
                                       COALESCE(native_action, 'key.sign'), target, COALESCE(principal, actor, '(unknown)'), c_t(call_ts), CAST(round(gap) AS BIGINT))
                ELSE format('no successful key.sign call on the key from {} s before to {} s after {} (KMS sign records carry no digest: pairing is by key and time)',
                            $pair_window_s, $clock_skew_s, c_t(integrated_time)) END,
           CASE WHEN found AND NOT principal_ok THEN format('principal {} is not an expected principal', COALESCE(principal, actor, '(unknown)')) END,
           CASE WHEN found AND traced THEN format('the call''s session ({}) comes from {} on {}', COALESCE(sess_native, 'the call itself'), repo, COALESCE(ref, '(unknown ref)')) END,
           CASE WHEN found AND NOT traced THEN format('credential {}{} is not traceable to a build: no OIDC / workload-identity session names a repository',
                                                      COALESCE(credential_id, '(none)'), CASE WHEN long_lived THEN ' is long-lived and' ELSE '' END) END,
           CASE WHEN found AND traced AND b_uid IS NOT NULL THEN format('inside run {} of {}', COALESCE(run_id, '?'), COALESCE(wf, '(unknown workflow)')) END,
           CASE WHEN found AND traced AND has_wf AND NOT wf_ok THEN format('workflow {} is not an expected workflow', COALESCE(wf, '(none running in ' || repo || ')')) END,
           CASE WHEN found AND traced AND NOT ref_ok THEN format('ref {} is not an expected ref', COALESCE(ref, '(unknown)')) END,
           CASE WHEN NOT has_wf THEN 'no expected workflows are known: give --expect-workflow or a case file' END,
           CASE WHEN NOT covered THEN format('no cloud audit records on the key cover {}: cannot tell which call signed', c_t(integrated_time)) END
         ], r -> r IS NOT NULL) AS reasons,
         list_filter([c_evd('events', paired, e_file, e_rec), c_evd('events', sess_uid, sess_file_id, sess_record_no),
                      c_evd(b_tbl, b_uid, b_file, b_rec)], e -> e.id IS NOT NULL) AS build_evidence
  FROM km_j
),

-- A key the case does not say where it is kept cannot be attributed.
other_out AS (
  SELECT entry_uuid, 'key' AS mode, false AS attested, false AS judgeable, NULL::VARCHAR AS signer,
         NULL::VARCHAR AS principal, NULL::VARCHAR AS credential_id, NULL::VARCHAR AS source_ip, NULL::VARCHAR AS run_id,
         NULL::VARCHAR AS build_uid, NULL::VARCHAR AS paired_event_uid,
         ['the case names no store for this key (kms:, vault:, or secret: selectors): cannot attribute'] AS reasons,
         []::STRUCT(tbl VARCHAR, id VARCHAR, file_id INTEGER, record_no BIGINT)[] AS build_evidence
  FROM c_sig WHERE mode = 'key'
),
a AS (
  SELECT * FROM kl_out UNION ALL BY NAME SELECT * FROM ck_out
  UNION ALL BY NAME SELECT * FROM km_out UNION ALL BY NAME SELECT * FROM other_out
)
SELECT a.entry_uuid, a.mode, a.attested, a.judgeable, a.signer, a.principal, a.credential_id, a.source_ip, a.run_id,
       a.build_uid, a.paired_event_uid,
       CASE WHEN s.tlog_verified = 'failed'
            THEN list_append(a.reasons, 'transparency-log proof failed: ' || COALESCE(s.tlog_reason, 'no reason given'))
            ELSE a.reasons END AS reasons,
       list_concat([c_evd('signatures', s.entry_uuid, s.file_id, s.record_no)], a.build_evidence) AS evidence
FROM a JOIN c_sig s USING (entry_uuid)
ORDER BY s.integrated_time, s.entry_uuid
