/**
 * The case tables: TEMP tables that hold one investigation's slice of the store, built once with
 * set-based SQL and read by every analysis in queries/.
 *
 *   c_pattern   the selectors' LIKE patterns (bound inserts)
 *   c_key       events.target values that are the key (KMS ARNs and their aliases, GCP cryptoKeys, Azure key URIs, vault:<name>)
 *   c_secret    secret names that hold the key (Secrets Manager, GCP, Key Vault, Vault KV, CI secret names)
 *   c_src_hour  events per source and hour (coverage and logging gaps; one scan of events)
 *   c_ev        every event on the key or its secrets (key.*, secret.*, ci.secret_change, ci.job passed the secret)
 *   c_cred      the session/login/creation event that issued each credential c_ev used
 *   c_sig       every transparency-log entry on the key (fingerprint or keyless identity), with its attribution mode
 *   c_build     CI runs and jobs (ci_runs rows, and ci.job events as [ts, ts + job_max_h])
 *   c_build_hour  (build, repo, hour) rows so time containment is an equi-join, not a range scan
 *   c_signctx   per key.sign event: the repo / ref / workflow / run of its session
 *   c_signbuild per paired key.sign event: the builds of its repo running at the time (SIGNBUILD_SQL)
 */
export const RESOLVE_SQL: readonly string[] = [
  String.raw`CREATE OR REPLACE TEMP TABLE c_keyname AS
   SELECT DISTINCT target, regexp_extract(details ->> 'key_id', '(alias/.+)$', 1) AS alias
   FROM events WHERE action LIKE 'key.%' AND target IS NOT NULL`,

  // A KMS alias names a key only through events that carry both (requestParameters.keyId =
  // alias/x while resources[].ARN is the key), so aliases are resolved in two steps, and an alias
  // learnt from the data only links keys of the same account and region.
  String.raw`CREATE OR REPLACE TEMP TABLE c_key AS
   WITH direct AS (
     SELECT n.target FROM c_keyname n JOIN c_pattern p
       ON p.kind = 'key' AND (CASE WHEN p.ci THEN lower(n.target) ELSE n.target END) LIKE p.pattern ESCAPE '\'
     UNION
     SELECT n.target FROM c_keyname n JOIN c_pattern p ON p.kind = 'alias' AND n.alias LIKE p.pattern ESCAPE '\'
   ), aliases AS (
     SELECT '%' AS scope, pattern AS alias FROM c_pattern WHERE kind = 'alias'
     UNION
     SELECT c_like_lit(regexp_extract(d.target, '^(arn:[^:]*:kms:[^:]*:[^:]*:)', 1)) || '%', c_like_lit(n.alias)
     FROM c_keyname n JOIN direct d USING (target) WHERE n.alias <> ''
     UNION
     SELECT c_like_lit(regexp_extract(d.target, '^(arn:[^:]*:kms:[^:]*:[^:]*:)', 1)) || '%', c_like_lit(regexp_extract(d.target, ':(alias/.+)$', 1))
     FROM direct d WHERE d.target LIKE 'arn:%:alias/%'
   )
   SELECT target FROM direct
   UNION
   SELECT n.target FROM c_keyname n JOIN aliases a
     ON n.target LIKE a.scope ESCAPE '\'
    AND (n.alias LIKE a.alias ESCAPE '\' OR regexp_extract(n.target, ':(alias/.+)$', 1) LIKE a.alias ESCAPE '\')`,

  String.raw`CREATE OR REPLACE TEMP TABLE c_secret AS
   WITH names AS (
     SELECT DISTINCT target AS name FROM events
     WHERE action IN ('secret.read', 'secret.write', 'secret.rotate', 'secret.delete', 'ci.secret_change') AND target IS NOT NULL
     UNION SELECT DISTINCT unnest(secrets) FROM events WHERE action = 'ci.job' AND secrets IS NOT NULL
     UNION SELECT DISTINCT unnest(secrets_passed) FROM ci_runs WHERE secrets_passed IS NOT NULL
   )
   SELECT DISTINCT n.name FROM names n JOIN c_pattern p
     ON p.kind = 'secret' AND (CASE WHEN p.ci THEN lower(n.name) ELSE n.name END) LIKE p.pattern ESCAPE '\'
   WHERE n.name IS NOT NULL`,

  `CREATE OR REPLACE TEMP TABLE c_src_hour AS
   SELECT source, c_hour(ts) AS h, count(*) AS n, bool_or(action LIKE 'ci.%') AS ci
   FROM events GROUP BY ALL`,

  // One scan with the three disjoint filters (key operations, secret operations, CI jobs), each a
  // semi-join on the small key/secret tables. In a real store the key's events are scattered
  // through time-ordered logs, so nearly every vector holds one of them: finding row ids first and
  // fetching their columns afterwards (tried) costs a second pass over the same vectors — 1.4×
  // slower on the benchmark's CloudTrail stores at 1M and 10M events.
  `CREATE OR REPLACE TEMP TABLE c_ev AS
   SELECT event_uid, source, ts, action, native_action, outcome, error_code, actor, actor_type, principal, credential_id,
          source_ip, user_agent, target, repo, workflow, ref, run_id, secrets, file_id, record_no,
          CASE WHEN action LIKE 'key.%' THEN 'key' WHEN action = 'ci.job' THEN 'job' ELSE 'secret' END AS via
   FROM events
   WHERE (action LIKE 'key.%' AND target IN (SELECT target FROM c_key))
      OR (action IN ('secret.read', 'secret.write', 'secret.rotate', 'secret.delete', 'ci.secret_change')
          AND target IN (SELECT name FROM c_secret))
      OR (action = 'ci.job' AND list_has_any(secrets, (SELECT COALESCE(list(name), []::VARCHAR[]) FROM c_secret)))`,

  `CREATE OR REPLACE TEMP TABLE c_cred AS
   SELECT a.issued_credential_id AS credential_id, a.event_uid, a.source, a.action, a.native_action, a.ts, a.principal,
          a.actor, a.repo, a.workflow, a.ref, a.run_id, a.file_id, a.record_no
   FROM events a
   WHERE a.action IN ('credential.assume', 'auth.login', 'credential.create')
     AND a.issued_credential_id IN (SELECT DISTINCT credential_id FROM c_ev WHERE credential_id IS NOT NULL)
   QUALIFY row_number() OVER (PARTITION BY a.issued_credential_id ORDER BY a.ts DESC, a.event_uid) = 1`,

  // CI builds. A job whose end is not recorded (an audit-log prepared_workflow_job) ends with its
  // run's completion (a run-level row or a ci.run event) or, failing that, job_max_h after it started.
  `CREATE OR REPLACE TEMP TABLE c_build AS
   WITH b0 AS (
     SELECT 'ci_runs' AS tbl, ci_uid AS uid, level, provider AS source, run_id, attempt, job_name, repo,
            c_wf(repo, COALESCE(workflow_ref, workflow)) AS wf, ref, trigger_event, runner_type, actor,
            COALESCE(started_at, c_plus(completed_at, -3600 * CAST($job_max_h AS BIGINT))) AS started_at, completed_at,
            COALESCE(secrets_passed, []::VARCHAR[]) AS secrets, file_id, record_no
     FROM ci_runs WHERE COALESCE(started_at, completed_at) IS NOT NULL
     UNION ALL
     SELECT 'events', e.event_uid, 'job', e.source, e.run_id, NULL, NULL, e.repo, c_wf(e.repo, e.workflow), e.ref, NULL, NULL, e.actor,
            e.ts, NULL, COALESCE(e.secrets, []::VARCHAR[]), e.file_id, e.record_no
     FROM events e
     -- A run that ci_runs describes is taken from there only.
     LEFT JOIN (SELECT run_id, list(DISTINCT lower(repo)) AS repos FROM ci_runs GROUP BY run_id) r ON r.run_id = e.run_id
     WHERE e.action = 'ci.job'
       AND (r.run_id IS NULL OR (e.repo IS NOT NULL AND NOT list_contains(r.repos, lower(e.repo)) AND NOT list_contains(r.repos, NULL)))
   ), done AS (
     SELECT run_id, lower(repo) AS repo_l, completed_at AS t FROM ci_runs WHERE level = 'run' AND completed_at IS NOT NULL
     UNION ALL
     SELECT run_id, lower(repo), ts FROM events WHERE action = 'ci.run' AND run_id IS NOT NULL
   ), first_done AS (
     SELECT b0.tbl, b0.uid, min(d.t) AS t
     FROM b0 JOIN done d ON d.run_id = b0.run_id
     WHERE b0.completed_at IS NULL AND d.t > b0.started_at
       AND (d.repo_l IS NULL OR b0.repo IS NULL OR d.repo_l = lower(b0.repo))
     GROUP BY ALL
   ), run_ctx AS (
     -- Audit-log job records carry no ref, trigger or actor: their run's records do.
     SELECT run_id, attempt, lower(repo) AS repo_l, ref, trigger_event, COALESCE(triggering_actor, actor) AS actor
     FROM ci_runs WHERE level = 'run'
     UNION ALL
     SELECT run_id, NULL, lower(repo), ref, NULL, actor FROM events WHERE action = 'ci.run' AND run_id IS NOT NULL
   ), job_ctx AS (
     SELECT b0.tbl, b0.uid, r.ref, r.trigger_event, r.actor
     FROM b0 JOIN run_ctx r ON r.run_id = b0.run_id
     WHERE b0.level = 'job' AND (b0.ref IS NULL OR b0.trigger_event IS NULL OR b0.actor IS NULL)
       AND (r.repo_l IS NULL OR b0.repo IS NULL OR r.repo_l = lower(b0.repo))
       AND (r.attempt IS NULL OR b0.attempt IS NULL OR r.attempt = b0.attempt)
     QUALIFY row_number() OVER (PARTITION BY b0.tbl, b0.uid
                                ORDER BY r.attempt IS NOT DISTINCT FROM b0.attempt DESC, r.ref IS NULL, r.trigger_event IS NULL) = 1
   ), b AS (
     SELECT b0.* EXCLUDE (completed_at, ref, trigger_event, actor),
            COALESCE(b0.ref, j.ref) AS ref, COALESCE(b0.trigger_event, j.trigger_event) AS trigger_event, COALESCE(b0.actor, j.actor) AS actor,
            COALESCE(b0.completed_at, LEAST(f.t, c_plus(b0.started_at, 3600 * CAST($job_max_h AS BIGINT))),
                     c_plus(b0.started_at, 3600 * CAST($job_max_h AS BIGINT))) AS ended_at,
            b0.completed_at IS NULL AND f.t IS NULL AS open_ended
     FROM b0 LEFT JOIN first_done f USING (tbl, uid) LEFT JOIN job_ctx j USING (tbl, uid)
   )
   SELECT b.*,
          -- A pull-request run signs from refs/pull/<n>/merge, whatever head_branch says.
          CASE WHEN lower(b.trigger_event) LIKE 'pull_request%' OR lower(b.trigger_event) = 'merge_request_event'
               THEN 'refs/pull/*/merge' ELSE b.ref END AS ref_eff,
          list_has_any(b.secrets, (SELECT COALESCE(list(name), []::VARCHAR[]) FROM c_secret)) AS passed,
          list_intersect(b.secrets, (SELECT COALESCE(list(name), []::VARCHAR[]) FROM c_secret)) AS passed_secrets
   FROM b`,

  // Builds longer than 3 days are bucketed over their first 3 days only (a run left "in progress").
  `CREATE OR REPLACE TEMP TABLE c_build_hour AS
   SELECT uid, lower(repo) AS repo_l, c_ref_key(ref) AS ref_key, passed,
          unnest(range((epoch_us(started_at) - CAST($log_delay_s AS BIGINT) * 1000000) // 3600000000,
                       LEAST((epoch_us(ended_at) + CAST($log_delay_s AS BIGINT) * 1000000) // 3600000000, c_hour(started_at) + 72) + 1)) AS h
   FROM c_build`,

  // Signatures: by fingerprint or keyless identity. The attribution mode follows from what the
  // case names: a certificate → keyless; a key whose secret CI jobs are passed → those jobs (even
  // when the case also names a KMS key: that key's own signatures have another fingerprint);
  // otherwise kms:/vault: selectors → cloud KMS pairing; secret: selectors alone → CI jobs.
  String.raw`CREATE OR REPLACE TEMP TABLE c_sig AS
   WITH fps AS (
     SELECT DISTINCT lower(s.key_fingerprint) AS fp FROM (SELECT DISTINCT key_fingerprint FROM signatures WHERE key_fingerprint IS NOT NULL) s
     JOIN c_pattern p ON p.kind = 'fp' AND lower(s.key_fingerprint) LIKE p.pattern ESCAPE '\'
   ), sans AS (
     SELECT DISTINCT s.san FROM (SELECT DISTINCT san FROM signatures WHERE san IS NOT NULL) s
     JOIN c_pattern p ON p.kind = 'san' AND s.san LIKE p.pattern ESCAPE '\'
   ), flags AS (
     SELECT bool_or(kind IN ('key', 'alias')) AS has_kms, bool_or(kind = 'secret') AS has_secret,
            (SELECT count(*) > 0 FROM c_build WHERE passed) AS in_ci
     FROM c_pattern
   )
   SELECT s.entry_uuid, s.log_index, s.integrated_time, s.kind, s.artifact_digest, s.subjects, s.signer_kind,
          lower(s.key_fingerprint) AS key_fingerprint, s.san, s.oidc_issuer, s.runner_environment,
          s.build_trigger, s.run_invocation_uri, s.repo, s.tlog_verified, s.tlog_reason, s.file_id, s.record_no,
          COALESCE(s.ref, s.source_repository_ref) AS sref,
          c_wf(s.repo, COALESCE(s.workflow, s.build_config_uri)) AS swf,
          COALESCE(s.run_id, NULLIF(regexp_extract(s.run_invocation_uri, '/runs/([0-9]+)', 1), '')) AS run_id,
          COALESCE(s.run_attempt, TRY_CAST(NULLIF(regexp_extract(s.run_invocation_uri, '/attempts/([0-9]+)', 1), '') AS INTEGER)) AS run_attempt,
          CASE WHEN s.signer_kind = 'cert' OR (s.signer_kind IS NULL AND s.san IS NOT NULL) THEN 'keyless'
               WHEN f.in_ci THEN 'ci_key'
               WHEN f.has_kms THEN 'kms'
               WHEN f.has_secret THEN 'ci_key'
               ELSE 'key' END AS mode
   FROM signatures s CROSS JOIN flags f
   WHERE lower(s.key_fingerprint) IN (SELECT fp FROM fps) OR s.san IN (SELECT san FROM sans)
   QUALIFY row_number() OVER (PARTITION BY s.entry_uuid ORDER BY s.file_id, s.record_no) = 1`,

  `CREATE OR REPLACE TEMP TABLE c_signctx AS
   SELECT e.event_uid, e.ts, e.outcome, e.principal, e.actor, e.actor_type, e.credential_id, e.source_ip, e.user_agent, e.target,
          COALESCE(e.repo, c.repo) AS repo, COALESCE(e.ref, c.ref) AS ref,
          c_wf(COALESCE(e.repo, c.repo), COALESCE(e.workflow, c.workflow)) AS wf,
          COALESCE(e.run_id, c.run_id) AS run_id,
          c.event_uid AS sess_uid, c.action AS sess_action, c.native_action AS sess_native, c.ts AS sess_ts,
          c.file_id AS sess_file_id, c.record_no AS sess_record_no
   FROM c_ev e LEFT JOIN c_cred c ON c.credential_id = e.credential_id
   WHERE e.action = 'key.sign'`,

];

/**
 * Coverage: from the first CI record (every source that ever logged a CI job or run, and ci_runs),
 * or the first record of the sources that log the key's operations, to the end of the data. Inside
 * it, the absence of a build is evidence; before it, the logs cannot say ("unattested", no finding).
 */
export const COVERAGE_SQL = `CREATE OR REPLACE TEMP TABLE c_cov AS
  WITH ci_sources AS (SELECT source FROM c_src_hour GROUP BY source HAVING bool_or(ci)),
  data_end AS (
    -- A collection covers one period for all its sources: a CI log that is quiet at the end of it
    -- is taken as no activity, not as missing records.
    SELECT max(t) AS t FROM (SELECT c_hour_ts(max(h) + 1) AS t FROM c_src_hour UNION ALL SELECT max(integrated_time) FROM signatures
                            UNION ALL SELECT max(COALESCE(completed_at, started_at)) FROM ci_runs)
  )
  SELECT 'ci' AS kind, min(lo) AS lo, GREATEST(max(hi), (SELECT t FROM data_end)) AS hi FROM (
    SELECT c_hour_ts(min(h)) AS lo, c_hour_ts(max(h) + 1) AS hi FROM c_src_hour WHERE source IN (SELECT source FROM ci_sources)
    UNION ALL SELECT min(started_at), max(ended_at) FROM c_build WHERE tbl = 'ci_runs'
  ) HAVING min(lo) IS NOT NULL
  UNION ALL
  SELECT 'kms', c_hour_ts(min(h.h)), GREATEST(c_hour_ts(max(h.h) + 1), (SELECT t FROM data_end)) FROM c_src_hour h
  WHERE h.source IN (SELECT DISTINCT source FROM c_ev WHERE via = 'key')
  HAVING min(h.h) IS NOT NULL`;

/**
 * Uses of the key, one row per (family, value), for the novelty rules: who signed or read it
 * (signer), from where (ip, client), which ref and runner type. `val` is what novelty compares
 * (release tags generalised to refs/tags/*, user agents to their product token), `raw` what the
 * expectation named by `xkind` is checked against.
 */
export const USES_SQL = `CREATE OR REPLACE TEMP TABLE c_use AS
  WITH ev AS (
    SELECT e.*, x.ref AS sess_ref, x.sess_uid FROM c_ev e LEFT JOIN c_signctx x USING (event_uid)
    WHERE e.action IN ('key.sign', 'secret.read') AND e.outcome = 'success'
  )
  -- Signing and reading the key's secret are separate families: a reader is not yet a signer.
  SELECT CASE WHEN action = 'key.sign' THEN 'signer' ELSE 'reader' END AS fam, source, COALESCE(principal, actor) AS val,
         COALESCE(principal, actor) AS raw, 'principals' AS xkind, ts, 'events' AS tbl, event_uid AS uid,
         file_id, record_no, COALESCE(principal, actor) AS actor, principal, credential_id, source_ip, run_id, action FROM ev
  UNION ALL
  SELECT 'ip', source, source_ip, source_ip, NULL, ts, 'events', event_uid, file_id, record_no, COALESCE(principal, actor), principal, credential_id, source_ip, run_id, action
  FROM ev WHERE c_is_ip(source_ip)
  UNION ALL
  SELECT 'client', source, c_ua_family(user_agent), user_agent, NULL, ts, 'events', event_uid, file_id, record_no, COALESCE(principal, actor), principal, credential_id, source_ip, run_id, action
  FROM ev WHERE c_ua_family(user_agent) IS NOT NULL
  UNION ALL
  SELECT 'ref', source, c_ref_general(COALESCE(ref, sess_ref)), COALESCE(ref, sess_ref), 'refs', ts, 'events', event_uid, file_id, record_no, COALESCE(principal, actor), principal, credential_id, source_ip, run_id, action
  FROM ev WHERE action = 'key.sign' AND COALESCE(ref, sess_ref) IS NOT NULL
  UNION ALL
  SELECT 'signer', 'rekor', c_san_general(san), san, 'identities', integrated_time, 'signatures', entry_uuid, file_id, record_no, san, NULL, NULL, NULL, run_id, 'sign'
  FROM c_sig WHERE mode = 'keyless' AND san IS NOT NULL
  UNION ALL
  SELECT 'issuer', 'rekor', oidc_issuer, oidc_issuer, 'issuers', integrated_time, 'signatures', entry_uuid, file_id, record_no, san, NULL, NULL, NULL, run_id, 'sign'
  FROM c_sig WHERE mode = 'keyless' AND oidc_issuer IS NOT NULL
  UNION ALL
  SELECT 'ref', 'rekor', c_ref_general(sref), sref, 'refs', integrated_time, 'signatures', entry_uuid, file_id, record_no, san, NULL, NULL, NULL, run_id, 'sign'
  FROM c_sig WHERE mode = 'keyless' AND sref IS NOT NULL
  UNION ALL
  SELECT 'runner', 'rekor', runner_environment, runner_environment, NULL, integrated_time, 'signatures', entry_uuid, file_id, record_no, san, NULL, NULL, NULL, run_id, 'sign'
  FROM c_sig WHERE mode = 'keyless' AND runner_environment IS NOT NULL
  UNION ALL
  SELECT 'ref', source, c_ref_general(ref_eff), ref_eff, 'refs', started_at, tbl, uid, file_id, record_no, actor, NULL, NULL, NULL, run_id, 'ci.job'
  FROM c_build WHERE passed AND ref_eff IS NOT NULL
  UNION ALL
  SELECT 'runner', source, runner_type, runner_type, NULL, started_at, tbl, uid, file_id, record_no, actor, NULL, NULL, NULL, run_id, 'ci.job'
  FROM c_build WHERE passed AND runner_type IS NOT NULL`;

/**
 * The builds running in the session's repo at the time of each sign call that explains a
 * signature (c_pair) — or of every successful sign call when workflows must be inferred.
 */
export const SIGNBUILD_SQL = `CREATE OR REPLACE TEMP TABLE c_signbuild AS
  WITH x AS (
    SELECT event_uid, ts, lower(repo) AS repo_l, c_ref_key(ref) AS ref_key, run_id, c_hour(ts) AS h FROM c_signctx
    WHERE repo IS NOT NULL
      AND (event_uid IN (SELECT event_uid FROM c_pair) OR (CAST($all_signs AS BOOLEAN) AND outcome = 'success'))
  ), cand AS (
    -- Equi-joins only: same repo and hour, and the same ref where both sides know it.
    SELECT x.event_uid, x.ts, x.run_id AS x_run, h.uid FROM x
    JOIN c_build_hour h ON h.repo_l = x.repo_l AND h.h = x.h AND h.ref_key = x.ref_key
    UNION ALL
    SELECT x.event_uid, x.ts, x.run_id, h.uid FROM x JOIN c_build_hour h ON h.repo_l = x.repo_l AND h.h = x.h
    WHERE x.ref_key IS NULL
    UNION ALL
    SELECT x.event_uid, x.ts, x.run_id, h.uid FROM x
    JOIN (SELECT * FROM c_build_hour WHERE ref_key IS NULL) h ON h.repo_l = x.repo_l AND h.h = x.h
    WHERE x.ref_key IS NOT NULL
  )
  SELECT DISTINCT c.event_uid, b.uid, b.tbl, b.run_id, b.wf, b.ref, b.repo, b.trigger_event, b.file_id, b.record_no, b.started_at
  FROM cand c JOIN c_build b ON b.uid = c.uid
  WHERE epoch_us(c.ts) BETWEEN epoch_us(b.started_at) - CAST($log_delay_s AS BIGINT) * 1000000
                           AND epoch_us(b.ended_at) + CAST($log_delay_s AS BIGINT) * 1000000
    AND (c.x_run IS NULL OR b.run_id IS NULL OR b.run_id = c.x_run)`;
