/**
 * `--all-keys`: every key and signer the store has seen, watched at once with set-based SQL.
 *
 * Without a case there is no list of aliases, so each key is named by what the logs name it with,
 * in the selector syntax of SPEC.md (so a finding's key can be pasted into `--key`):
 *
 *   kms:<ARN / resource name / URI>   every target of a key.* event (AWS KMS alias ARNs are folded
 *                                     into the key ARN they were seen resolving to)
 *   vault:<transit key>               Vault transit keys (their targets already read vault:<name>)
 *   secret:<name>                     every secret read, written or passed to a CI job
 *   fp:<sha256>                       every public-key fingerprint in the transparency log
 *   identity:<repository>/*           keyless signing, per source repository of the certificate
 *
 * The scan tables (TEMP, on the store's connection) hold the slice of the store the rules in
 * queries/scan/ read: the rows new to this scan (`is_new`) and the baseline before them, back to
 * the earliest new row minus `baseline_days` (the horizon). Only the first-use dates (s_first) look
 * at the whole history, with one aggregate pass.
 *
 *   s_range    one row: the watermark, the --since bound, the horizon and the tunables
 *   s_keymap   AWS KMS alias ARN → the key ARN it was last seen resolving to
 *   s_keyev    key and secret operations in the horizon, with their key (`scope`) and `is_new`
 *   s_job      CI jobs passed secrets in the horizon (ci_runs rows and ci.job events)
 *   s_first    per key and kind of use: the first use ever (is there a full baseline?)
 *   s_use      one row per (use, family) from the earliest new row on: who signed or read, from which
 *              address and client, on which ref, from which workflow and runner; keyless identity,
 *              issuer, runner environment, ref (s_use_all: the same over the horizon, a view)
 *   s_last     per (key, family, value) of a new use: its last sighting in the baseline before that
 *   s_novel    the new uses whose value was not seen on that key in the baseline_days before them
 */
import type { Store } from '../store/database.js';
import { CASE_MACROS } from '../case/macros.js';
import type { ScanRange } from './watermark.js';

export interface ScanTunables {
  baselineDays: number;
  logDelaySeconds: number;
  pairWindowSeconds: number;
  clockSkewSeconds: number;
  jobMaxHours: number;
}

export const DEFAULT_TUNABLES: ScanTunables = {
  baselineDays: 30, logDelaySeconds: 300, pairWindowSeconds: 300, clockSkewSeconds: 5, jobMaxHours: 6,
};

const SCAN_MACROS = String.raw`
-- Keyless signing is watched per source repository: a new identity signing for a repository is
-- what matters, and release tags make every SAN different.
CREATE OR REPLACE TEMP MACRO s_keyless_scope(san, src_uri) AS (
  'identity:' || COALESCE(
    NULLIF(regexp_replace(src_uri, '/+$', ''), '') || '/*',
    NULLIF(regexp_extract(san, '^(https?://[^/]+/[^/]+/[^/]+)/', 1), '') || '/*',
    san)
);
-- The key a key.* or secret operation is on, as a selector.
CREATE OR REPLACE TEMP MACRO s_key_scope(action, target, key_arn) AS (
  CASE WHEN action LIKE 'key.%' THEN
         CASE WHEN target LIKE 'vault:%' THEN target ELSE 'kms:' || COALESCE(key_arn, target) END
       ELSE 'secret:' || target END
);
`;

const SECRET_ACTIONS = "('secret.read', 'secret.write', 'secret.rotate', 'secret.delete', 'ci.secret_change')";

/** The rows new to this scan and the earliest of their times (null: nothing to judge). */
const LO_SQL = `
SELECT LEAST(
  (SELECT min(ts) FROM events WHERE (file_id > CAST($wm_file AS INTEGER) OR ts >= CAST($judged_from AS TIMESTAMPTZ)) IS TRUE),
  (SELECT min(integrated_time) FROM signatures
    WHERE (file_id > CAST($wm_file AS INTEGER) OR integrated_time >= CAST($judged_from AS TIMESTAMPTZ)) IS TRUE),
  (SELECT min(COALESCE(started_at, completed_at)) FROM ci_runs
    WHERE (file_id > CAST($wm_file AS INTEGER) OR COALESCE(started_at, completed_at) >= CAST($judged_from AS TIMESTAMPTZ)) IS TRUE)
) AS lo`;

const RANGE_SQL = `CREATE OR REPLACE TEMP TABLE s_range AS
SELECT CAST($wm_file AS INTEGER) AS wm_file, CAST($judged_from AS TIMESTAMPTZ) AS judged_from,
       CAST($lo AS TIMESTAMPTZ) AS lo,
       -- One day more than the baseline: jobs that started before it can still be running.
       CAST($lo AS TIMESTAMPTZ) - to_days(CAST($baseline_days AS INTEGER) + 1) AS horizon,
       CAST($lo AS TIMESTAMPTZ) - to_days(CAST($baseline_days AS INTEGER)) AS baseline_from,
       CAST($lo AS TIMESTAMPTZ) - to_days(CAST($baseline_days AS INTEGER) + 2) AS sess_from,
       CAST($baseline_days AS INTEGER) AS baseline_days, CAST($log_delay_s AS BIGINT) AS log_delay_s,
       CAST($pair_window_s AS BIGINT) AS pair_window_s, CAST($clock_skew_s AS BIGINT) AS clock_skew_s,
       CAST($job_max_h AS BIGINT) AS job_max_h`;

const TABLES_SQL: readonly string[] = [
  // A call that names a key by alias only is logged against the alias ARN; calls that name the
  // alias and resolve to the key (resources[].ARN) teach which key the alias pointed to.
  String.raw`CREATE OR REPLACE TEMP TABLE s_keymap AS
   SELECT regexp_extract(target, '^(arn:[^:]*:kms:[^:]*:[^:]*:)', 1) || regexp_extract(details ->> 'key_id', '(alias/.+)$', 1) AS alias_arn,
          arg_max(target, ts) AS key_arn
   FROM events
   WHERE action LIKE 'key.%' AND target LIKE 'arn:%:kms:%:key/%' AND (details ->> 'key_id') LIKE '%alias/%'
   GROUP BY 1`,

  `CREATE OR REPLACE TEMP VIEW s_keyev_all AS
   SELECT e.event_uid, e.source, e.ts, e.action, e.native_action, e.outcome, e.error_code, e.actor, e.principal, e.credential_id,
          e.source_ip, e.user_agent, e.target, e.repo, e.ref, e.run_id, e.file_id, e.record_no,
          s_key_scope(e.action, e.target, m.key_arn) AS scope
   FROM events e LEFT JOIN s_keymap m ON m.alias_arn = e.target
   WHERE e.target IS NOT NULL AND (starts_with(e.action, 'key.') OR e.action IN ${SECRET_ACTIONS})`,

  // CI jobs passed secrets, as the investigation's c_build reads them: a job the audit log knows
  // only by its start takes its ref and actor from its run's records and ends when the run does.
  `CREATE OR REPLACE TEMP VIEW s_job_all AS
   WITH b0 AS (
     SELECT 'ci_runs' AS tbl, c.ci_uid AS uid, c.provider AS source, c.run_id, c.attempt, c.repo,
            c_wf(c.repo, COALESCE(c.workflow_ref, c.workflow)) AS wf, c.ref, c.runner_type, c.actor,
            COALESCE(c.started_at, c_plus(c.completed_at, -3600 * r.job_max_h)) AS started_at, c.completed_at,
            c.secrets_passed AS secrets, c.file_id, c.record_no
     FROM ci_runs c, s_range r
     WHERE len(c.secrets_passed) > 0 AND COALESCE(c.started_at, c.completed_at) IS NOT NULL
     UNION ALL
     -- A run that ci_runs describes is taken from there only.
     SELECT 'events', e.event_uid, e.source, e.run_id, NULL, e.repo, c_wf(e.repo, e.workflow), e.ref, NULL, e.actor,
            e.ts, NULL, e.secrets, e.file_id, e.record_no
     FROM events e LEFT JOIN (SELECT DISTINCT run_id FROM ci_runs) c ON c.run_id = e.run_id
     WHERE e.action = 'ci.job' AND len(e.secrets) > 0 AND c.run_id IS NULL
   ), run_ctx AS (
     SELECT run_id, attempt, lower(repo) AS repo_l, ref, COALESCE(triggering_actor, actor) AS actor, completed_at AS done
     FROM ci_runs WHERE level = 'run' AND run_id IN (SELECT run_id FROM b0)
     UNION ALL
     SELECT run_id, NULL, lower(repo), ref, actor, ts FROM events WHERE action = 'ci.run' AND run_id IN (SELECT run_id FROM b0)
   ), ctx AS (
     SELECT b0.tbl, b0.uid, x.ref, x.actor FROM b0 JOIN run_ctx x ON x.run_id = b0.run_id
     WHERE (b0.ref IS NULL OR b0.actor IS NULL) AND (x.repo_l IS NULL OR b0.repo IS NULL OR x.repo_l = lower(b0.repo))
       AND (x.attempt IS NULL OR b0.attempt IS NULL OR x.attempt = b0.attempt)
     QUALIFY row_number() OVER (PARTITION BY b0.tbl, b0.uid ORDER BY x.attempt IS NOT DISTINCT FROM b0.attempt DESC, x.ref IS NULL, x.actor IS NULL) = 1
   ), ends AS (
     SELECT b0.tbl, b0.uid, min(x.done) AS t FROM b0 JOIN run_ctx x ON x.run_id = b0.run_id
     WHERE b0.completed_at IS NULL AND x.done > b0.started_at AND (x.repo_l IS NULL OR b0.repo IS NULL OR x.repo_l = lower(b0.repo))
     GROUP BY ALL
   )
   SELECT b0.tbl, b0.uid, b0.source, b0.run_id, b0.repo, b0.wf, COALESCE(b0.ref, ctx.ref) AS ref, b0.runner_type,
          COALESCE(b0.actor, ctx.actor) AS actor, b0.started_at,
          COALESCE(b0.completed_at, LEAST(ends.t, c_plus(b0.started_at, 3600 * r.job_max_h))) AS ended_at,
          b0.secrets, b0.file_id, b0.record_no
   FROM b0 LEFT JOIN ctx USING (tbl, uid) LEFT JOIN ends USING (tbl, uid) CROSS JOIN s_range r`,

  `CREATE OR REPLACE TEMP TABLE s_keyev AS
   SELECT k.*, (k.file_id > r.wm_file OR k.ts >= r.judged_from) IS TRUE AS is_new
   FROM s_keyev_all k, s_range r WHERE k.ts >= r.horizon`,

  `CREATE OR REPLACE TEMP TABLE s_job AS
   SELECT j.*, (j.file_id > r.wm_file OR j.started_at >= r.judged_from) IS TRUE AS is_new
   FROM s_job_all j, s_range r WHERE j.ended_at >= r.horizon`,

  `CREATE OR REPLACE TEMP TABLE s_first AS
   SELECT scope, 'use' AS grp, min(ts) AS first_ts FROM s_keyev_all
   WHERE action IN ('key.sign', 'secret.read') AND outcome = 'success' GROUP BY scope
   UNION ALL
   SELECT 'secret:' || s, 'job', min(started_at) FROM (SELECT unnest(secrets) AS s, started_at FROM s_job_all) GROUP BY s
   UNION ALL
   SELECT s_keyless_scope(san, source_repository_uri), 'keyless', min(integrated_time) FROM signatures
   WHERE san IS NOT NULL AND COALESCE(signer_kind, 'cert') = 'cert' GROUP BY 1`,

  `CREATE OR REPLACE TEMP VIEW s_use_all AS
   WITH ev AS (
     SELECT k.*, COALESCE(k.principal, k.actor) AS who FROM s_keyev k
     WHERE k.action IN ('key.sign', 'secret.read') AND k.outcome = 'success'
   ), sess AS (
     -- The OIDC / workload-identity session behind a sign call's credential names its ref.
     SELECT e.issued_credential_id AS credential_id, arg_max(e.ref, e.ts) AS ref
     FROM events e, s_range r
     WHERE e.action IN ('credential.assume', 'auth.login') AND e.ref IS NOT NULL AND e.ts >= r.sess_from
       AND e.issued_credential_id IN (SELECT credential_id FROM ev WHERE action = 'key.sign' AND credential_id IS NOT NULL)
     GROUP BY 1
   ), job AS (
     SELECT j.*, unnest(j.secrets) AS secret FROM s_job j
   ), kl AS (
     SELECT s.entry_uuid, s.integrated_time AS ts, s.san, s.oidc_issuer, s.runner_environment, s.run_id, s.file_id, s.record_no,
            COALESCE(s.ref, s.source_repository_ref) AS ref, s_keyless_scope(s.san, s.source_repository_uri) AS scope,
            (s.file_id > r.wm_file OR s.integrated_time >= r.judged_from) IS TRUE AS is_new
     FROM signatures s, s_range r
     WHERE s.san IS NOT NULL AND COALESCE(s.signer_kind, 'cert') = 'cert' AND s.integrated_time >= r.horizon
   )
   SELECT scope, 'use' AS grp, 'signer' AS fam, who AS val, who AS raw, ts, 'events' AS tbl, event_uid AS uid, file_id, record_no,
          who AS actor, principal, credential_id, source_ip, run_id, action, is_new
   FROM ev WHERE who IS NOT NULL
   UNION ALL
   SELECT scope, 'use', 'ip', source_ip, source_ip, ts, 'events', event_uid, file_id, record_no, who, principal, credential_id, source_ip, run_id, action, is_new
   FROM ev WHERE c_is_ip(source_ip)
   UNION ALL
   SELECT scope, 'use', 'client', c_ua_family(user_agent), user_agent, ts, 'events', event_uid, file_id, record_no, who, principal, credential_id,
          source_ip, run_id, action, is_new
   FROM ev WHERE c_ua_family(user_agent) IS NOT NULL
   UNION ALL
   SELECT ev.scope, 'use', 'ref', c_ref_general(COALESCE(ev.ref, sess.ref)), COALESCE(ev.ref, sess.ref), ev.ts, 'events', ev.event_uid, ev.file_id,
          ev.record_no, ev.who, ev.principal, ev.credential_id, ev.source_ip, ev.run_id, ev.action, ev.is_new
   FROM ev LEFT JOIN sess USING (credential_id) WHERE ev.action = 'key.sign' AND COALESCE(ev.ref, sess.ref) IS NOT NULL
   UNION ALL
   SELECT 'secret:' || secret, 'job', 'workflow', wf, wf, started_at, tbl, uid, file_id, record_no, actor, NULL, NULL, NULL, run_id, 'ci.job', is_new
   FROM job WHERE wf IS NOT NULL
   UNION ALL
   SELECT 'secret:' || secret, 'job', 'ref', c_ref_general(ref), ref, started_at, tbl, uid, file_id, record_no, actor, NULL, NULL, NULL, run_id, 'ci.job', is_new
   FROM job WHERE ref IS NOT NULL
   UNION ALL
   SELECT 'secret:' || secret, 'job', 'runner', runner_type, runner_type, started_at, tbl, uid, file_id, record_no, actor, NULL, NULL, NULL, run_id,
          'ci.job', is_new
   FROM job WHERE runner_type IS NOT NULL
   UNION ALL
   SELECT scope, 'keyless', 'signer', c_san_general(san), san, ts, 'signatures', entry_uuid, file_id, record_no, san, NULL, NULL, NULL, run_id, 'sign', is_new
   FROM kl
   UNION ALL
   SELECT scope, 'keyless', 'issuer', oidc_issuer, oidc_issuer, ts, 'signatures', entry_uuid, file_id, record_no, san, NULL, NULL, NULL, run_id, 'sign', is_new
   FROM kl WHERE oidc_issuer IS NOT NULL
   UNION ALL
   SELECT scope, 'keyless', 'runner', runner_environment, runner_environment, ts, 'signatures', entry_uuid, file_id, record_no, san, NULL, NULL, NULL,
          run_id, 'sign', is_new
   FROM kl WHERE runner_environment IS NOT NULL
   UNION ALL
   SELECT scope, 'keyless', 'ref', c_ref_general(ref), ref, ts, 'signatures', entry_uuid, file_id, record_no, san, NULL, NULL, NULL, run_id, 'sign', is_new
   FROM kl WHERE ref IS NOT NULL`,

  // Uses from the earliest new row on: the new ones, and the old ones they must be ordered among.
  `CREATE OR REPLACE TEMP TABLE s_use AS SELECT u.* FROM s_use_all u, s_range r WHERE u.ts >= r.lo`,

  // Before that, only the last sighting of each value in the baseline period matters: a hash
  // aggregate instead of ordering the whole history of a busy key.
  `CREATE OR REPLACE TEMP TABLE s_last AS
   SELECT u.scope, u.grp, u.fam, u.val, max(u.ts) AS last_ts
   FROM s_use_all u CROSS JOIN s_range r
   SEMI JOIN (SELECT DISTINCT scope, grp, fam, val FROM s_use WHERE is_new) n USING (scope, grp, fam, val)
   WHERE u.ts < r.lo AND u.ts >= r.baseline_from
   GROUP BY u.scope, u.grp, u.fam, u.val`,

  // New-terms detection: a new use whose value was not seen on the key in the baseline_days before
  // it, judged only where the key has a full baseline of that kind of use.
  `CREATE OR REPLACE TEMP TABLE s_novel AS
   WITH u AS (
     SELECT *, lag(ts) OVER (PARTITION BY scope, grp, fam, val ORDER BY ts, uid) AS prev_recent
     FROM s_use SEMI JOIN (SELECT DISTINCT scope, grp, fam, val FROM s_use WHERE is_new) n USING (scope, grp, fam, val)
   )
   SELECT u.* EXCLUDE (prev_recent), GREATEST(u.prev_recent, l.last_ts) AS prev_ts
   FROM u
   LEFT JOIN s_last l USING (scope, grp, fam, val)
   JOIN s_first f ON f.scope = u.scope AND f.grp = u.grp
   CROSS JOIN s_range r
   WHERE u.is_new AND (GREATEST(u.prev_recent, l.last_ts) IS NULL OR c_days_after(GREATEST(u.prev_recent, l.last_ts), u.ts, r.baseline_days))
     AND NOT c_days_after(u.ts, c_plus(f.first_ts, 86400 * CAST(r.baseline_days AS BIGINT)), 0)`,
];

export interface JudgedCounts {
  events: number;
  signatures: number;
  ci_runs: number;
}

/** How many rows of each table this scan judges (new files and the --since window). */
export async function judgedCounts(store: Store, range: ScanRange): Promise<JudgedCounts> {
  const row = await store.one<{ events: number; signatures: number; ci_runs: number }>(
    `SELECT
       (SELECT count(*) FROM events WHERE (file_id > CAST($wm_file AS INTEGER) OR ts >= CAST($judged_from AS TIMESTAMPTZ)) IS TRUE) AS events,
       (SELECT count(*) FROM signatures WHERE (file_id > CAST($wm_file AS INTEGER) OR integrated_time >= CAST($judged_from AS TIMESTAMPTZ)) IS TRUE) AS signatures,
       (SELECT count(*) FROM ci_runs
         WHERE (file_id > CAST($wm_file AS INTEGER) OR COALESCE(started_at, completed_at) >= CAST($judged_from AS TIMESTAMPTZ)) IS TRUE) AS ci_runs`,
    { wm_file: range.fileWatermark, judged_from: range.judgedFrom },
  );
  return { events: row?.events ?? 0, signatures: row?.signatures ?? 0, ci_runs: row?.ci_runs ?? 0 };
}

/**
 * Builds the scan tables for `range`.
 * @returns false when no row is new (nothing to judge; the tables are not built)
 */
export async function buildScanTables(store: Store, range: ScanRange, t: ScanTunables): Promise<boolean> {
  await store.exec(CASE_MACROS);
  await store.exec(SCAN_MACROS);
  const lo = await store.one<{ lo: string | null }>(LO_SQL, { wm_file: range.fileWatermark, judged_from: range.judgedFrom });
  if (!lo?.lo) return false;
  await store.run(RANGE_SQL, {
    wm_file: range.fileWatermark, judged_from: range.judgedFrom, lo: lo.lo, baseline_days: t.baselineDays,
    log_delay_s: t.logDelaySeconds, pair_window_s: t.pairWindowSeconds, clock_skew_s: t.clockSkewSeconds, job_max_h: t.jobMaxHours,
  });
  for (const sql of TABLES_SQL) await store.exec(sql);
  return true;
}

export type WatchedKey = {
  key: string;
  kind: 'kms' | 'vault' | 'secret' | 'fp' | 'identity';
  first_seen: string | null;
  last_seen: string | null;
  uses: number;
};

/**
 * Every key and signer the store has seen (the `--all-keys` list), with first and last use.
 * Reads the whole history; used for the scan summary, not by the rules.
 */
export async function watchedKeys(store: Store): Promise<WatchedKey[]> {
  await store.exec(CASE_MACROS);
  await store.exec(SCAN_MACROS);
  return store.all<WatchedKey>(
    `WITH m AS (
       SELECT regexp_extract(target, '^(arn:[^:]*:kms:[^:]*:[^:]*:)', 1) || regexp_extract(details ->> 'key_id', '(alias/.+)$', 1) AS alias_arn,
              arg_max(target, ts) AS key_arn
       FROM events WHERE action LIKE 'key.%' AND target LIKE 'arn:%:kms:%:key/%' AND (details ->> 'key_id') LIKE '%alias/%' GROUP BY 1
     ), k AS (
       SELECT s_key_scope(e.action, e.target, m.key_arn) AS key, e.ts FROM events e LEFT JOIN m ON m.alias_arn = e.target
       WHERE e.target IS NOT NULL AND (e.action LIKE 'key.%' OR e.action IN ${SECRET_ACTIONS})
       UNION ALL SELECT 'secret:' || unnest(secrets), ts FROM events WHERE action = 'ci.job' AND len(secrets) > 0
       UNION ALL SELECT 'secret:' || unnest(secrets_passed), COALESCE(started_at, completed_at) FROM ci_runs WHERE len(secrets_passed) > 0
       UNION ALL SELECT 'fp:' || lower(key_fingerprint), integrated_time FROM signatures WHERE key_fingerprint IS NOT NULL AND san IS NULL
       UNION ALL SELECT s_keyless_scope(san, source_repository_uri), integrated_time FROM signatures WHERE san IS NOT NULL
     )
     SELECT key, split_part(key, ':', 1) AS kind, min(ts) AS first_seen, max(ts) AS last_seen, count(*) AS uses
     FROM k GROUP BY key ORDER BY kind, key`,
  );
}
