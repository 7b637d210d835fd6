/**
 * The `ci_runs` merge: one row per CI run attempt or job, however many shapes describe it.
 *
 * GitHub tells of the same run in its audit log (`workflows.created_workflow_run`, `…completed…`,
 * `…prepared_workflow_job`), in REST responses and in webhook deliveries; each shape carries a
 * different subset of the fields. Adapters give every row a stable `ci_uid` (`github:<run>:<attempt>`,
 * `github:<run>:<attempt>:job:<job id>`), and rows with the same uid are merged column by column:
 *
 * - identity and descriptive columns: the first non-NULL value wins (existing rows keep theirs);
 * - `started_at`, `completed_at`: the earliest value wins — every source reports a time at or after
 *   the real event (an `updated_at` can move on after completion, a start is never reported early);
 * - `secrets_passed`, `sources`: the sorted union;
 * - `file_id`, `record_no`: the record that created the row.
 *
 * Rows whose attempt is unknown (audit-log jobs: `prepared_workflow_job` names neither the attempt
 * nor the job id) carry `?` for the attempt in their uid, and may end in `@<epoch ms>` so that two
 * sightings of a job in different attempts stay apart. After each merge they are resolved:
 * 1. the attempt is the run attempt whose time window holds the row's start (see resolveAttempts);
 *    the `?` is replaced, the suffix dropped, and the row merged into any row that has that uid;
 * 2. a job known only by name joins the row of the same run, attempt and name known by job id.
 * When either step is ambiguous the row stays as it is, rather than being guessed into the wrong
 * attempt: an investigator can still see that the job received its secrets, and when.
 */
import type { Store } from '../store/database.js';
import { CI_RUN_COLUMNS } from '../store/schema.js';

type Column = (typeof CI_RUN_COLUMNS)[number];
type Rule = 'key' | 'first' | 'earliest' | 'union' | 'origin';

const RULES: Readonly<Record<Column, Rule>> = {
  ci_uid: 'key',
  level: 'first',
  provider: 'first',
  run_id: 'first',
  attempt: 'first',
  job_id: 'first',
  job_name: 'first',
  repo: 'first',
  workflow: 'first',
  workflow_ref: 'first',
  trigger_event: 'first',
  ref: 'first',
  head_sha: 'first',
  actor: 'first',
  triggering_actor: 'first',
  runner_name: 'first',
  runner_labels: 'first',
  runner_type: 'first',
  started_at: 'earliest',
  completed_at: 'earliest',
  conclusion: 'first',
  secrets_passed: 'union',
  sources: 'union',
  file_id: 'origin',
  record_no: 'origin',
};

/** Columns an adapter's mapping SELECT produces (file_id is the pipeline's). */
export const CI_MAPPED_COLUMNS = CI_RUN_COLUMNS.filter((c) => c !== 'file_id');

export interface CiMergeResult {
  /** Rows new to ci_runs. */
  inserted: number;
  /** Rows that enriched an existing row with the same ci_uid. */
  merged: number;
  /** Attempt-less rows folded into the row of their attempt. */
  adopted: number;
}

const TABLE = /^[a-z_][a-z0-9_]*$/;

/** Within one file: the same uid seen several times (webhook requested → completed) collapses first. */
function collapseItem(c: Column): string {
  switch (RULES[c]) {
    case 'key':
      return c;
    case 'earliest':
      return `min(${c}) AS ${c}`;
    case 'union':
      return `CASE WHEN count(${c}) = 0 THEN NULL
                   ELSE list_sort(list_distinct(flatten(list(${c}) FILTER (WHERE ${c} IS NOT NULL)))) END AS ${c}`;
    case 'origin':
      return c === 'record_no' ? 'min(record_no) AS record_no' : `min(${c}) AS ${c}`;
    default:
      return `arg_min(${c}, record_no) FILTER (WHERE ${c} IS NOT NULL) AS ${c}`;
  }
}

/** Existing row `t` enriched by new values `n`. */
function mergeItem(c: Column): string {
  switch (RULES[c]) {
    case 'earliest':
      return `${c} = least(t.${c}, n.${c})`; // least() ignores NULLs
    case 'union':
      return `${c} = CASE WHEN t.${c} IS NULL AND n.${c} IS NULL THEN NULL
                          ELSE list_sort(list_distinct(list_concat(COALESCE(t.${c}, []::VARCHAR[]), COALESCE(n.${c}, []::VARCHAR[])))) END`;
    default:
      return `${c} = COALESCE(t.${c}, n.${c})`;
  }
}

const MERGE_SET = CI_RUN_COLUMNS.filter((c) => RULES[c] !== 'key' && RULES[c] !== 'origin').map(mergeItem).join(',\n    ');

async function applyMerge(store: Store, source: string): Promise<void> {
  await store.exec(`UPDATE ci_runs AS t SET
    ${MERGE_SET}
    FROM ${source} AS n WHERE t.ci_uid = n.target_uid`);
}

/** Runs touched by this file (provider, run_id in `ci_new`). */
const TOUCHED = 'EXISTS (SELECT 1 FROM ci_new x WHERE x.provider = r.provider AND x.run_id = r.run_id)';

/**
 * Step 1: rows whose attempt is unknown get the attempt whose time window holds their start.
 * A run attempt's window runs from its start (less 2 minutes of clock skew) to its completion
 * (plus 2 minutes) or, when that is unknown, to the next attempt's start. Without run-level rows,
 * the one attempt-known row of the same job name that started within 10 minutes decides.
 * Ambiguous rows keep attempt NULL.
 */
async function resolveAttempts(store: Store): Promise<number> {
  await store.exec(`CREATE OR REPLACE TEMP TABLE ci_resolve AS
    WITH o AS (
      SELECT * FROM ci_runs r WHERE attempt IS NULL AND regexp_matches(ci_uid, ':\\?(:|@|$)') AND ${TOUCHED}
    ), win AS (
      SELECT provider, run_id, attempt, started_at - INTERVAL 2 MINUTE AS s,
             COALESCE(completed_at + INTERVAL 2 MINUTE,
                      lead(started_at) OVER (PARTITION BY provider, run_id ORDER BY attempt) - INTERVAL 1 MICROSECOND) AS e
      FROM ci_runs WHERE level = 'run' AND attempt IS NOT NULL AND started_at IS NOT NULL
    ), by_window AS (
      SELECT o.ci_uid, w.attempt FROM o JOIN win w
        ON w.provider = o.provider AND w.run_id = o.run_id AND o.started_at >= w.s AND (w.e IS NULL OR o.started_at <= w.e)
      QUALIFY count(*) OVER (PARTITION BY o.ci_uid) = 1
    ), by_job AS (
      SELECT o.ci_uid, c.attempt FROM o JOIN ci_runs c
        ON c.provider = o.provider AND c.run_id = o.run_id AND c.level = o.level AND c.attempt IS NOT NULL
       AND (o.level = 'run' OR c.job_name = o.job_name)
       AND abs(epoch(c.started_at) - epoch(o.started_at)) <= 600
      WHERE NOT EXISTS (SELECT 1 FROM win w WHERE w.provider = o.provider AND w.run_id = o.run_id)
      QUALIFY count(*) OVER (PARTITION BY o.ci_uid) = 1
    ), resolved AS (
      SELECT * FROM by_window UNION ALL SELECT * FROM by_job
    )
    SELECT ci_uid AS orphan_uid, attempt,
           regexp_replace(regexp_replace(ci_uid, ':\\?(:|$)', ':' || attempt || '\\1'), '@[0-9]+$', '') AS target_uid
    FROM resolved`);
  const n = Number((await store.one<{ n: number }>('SELECT count(*) AS n FROM ci_resolve'))?.n ?? 0);
  if (n > 0) {
    // Several sightings of one job can resolve to one uid; the first takes the uid when it is
    // free, the others are merged into it one rank at a time (UPDATE … FROM needs one source row).
    await store.exec(`CREATE OR REPLACE TEMP TABLE ci_resolve_rows AS
      SELECT c.target_uid, c.attempt AS resolved_attempt, r.* EXCLUDE (attempt),
             row_number() OVER (PARTITION BY c.target_uid ORDER BY r.started_at NULLS LAST, r.ci_uid) AS k,
             NOT EXISTS (SELECT 1 FROM ci_runs e WHERE e.ci_uid = c.target_uid) AS target_new
      FROM ci_resolve c JOIN ci_runs r ON r.ci_uid = c.orphan_uid`);
    await store.exec(`UPDATE ci_runs AS t SET ci_uid = n.target_uid, attempt = n.resolved_attempt
      FROM ci_resolve_rows n WHERE t.ci_uid = n.ci_uid AND n.k = 1 AND n.target_new`);
    const maxK = Number((await store.one<{ k: number }>('SELECT max(k) AS k FROM ci_resolve_rows'))?.k ?? 0);
    for (let k = 1; k <= maxK; k++) {
      await applyMerge(store, `(SELECT n.*, n.resolved_attempt AS attempt FROM ci_resolve_rows n
        WHERE n.k = ${k} AND NOT (n.k = 1 AND n.target_new))`);
    }
    await store.exec('DELETE FROM ci_runs WHERE ci_uid IN (SELECT ci_uid FROM ci_resolve_rows WHERE NOT (k = 1 AND target_new))');
  }
  await store.exec('DROP TABLE IF EXISTS ci_resolve; DROP TABLE IF EXISTS ci_resolve_rows');
  return n;
}

/**
 * Step 2: a job known by name only (the audit log) joins the row of the same job known by id
 * (REST, webhooks) once both have the same run, attempt and job name, when that row is unique.
 */
async function foldNamedJobs(store: Store): Promise<number> {
  await store.exec(`CREATE OR REPLACE TEMP TABLE ci_fold AS
    SELECT o.ci_uid AS orphan_uid, c.ci_uid AS target_uid
    FROM ci_runs o JOIN ci_runs c
      ON c.provider = o.provider AND c.run_id = o.run_id AND c.attempt = o.attempt
     AND c.level = 'job' AND c.job_id IS NOT NULL AND c.job_name = o.job_name
    WHERE o.level = 'job' AND o.job_id IS NULL AND o.attempt IS NOT NULL
      AND EXISTS (SELECT 1 FROM ci_new x WHERE x.provider = o.provider AND x.run_id = o.run_id)
    QUALIFY count(*) OVER (PARTITION BY o.ci_uid) = 1 AND count(*) OVER (PARTITION BY c.ci_uid) = 1`);
  const n = Number((await store.one<{ n: number }>('SELECT count(*) AS n FROM ci_fold'))?.n ?? 0);
  if (n > 0) {
    await applyMerge(store, '(SELECT f.target_uid, r.* FROM ci_fold f JOIN ci_runs r ON r.ci_uid = f.orphan_uid)');
    await store.exec('DELETE FROM ci_runs WHERE ci_uid IN (SELECT orphan_uid FROM ci_fold)');
  }
  await store.exec('DROP TABLE IF EXISTS ci_fold');
  return n;
}

/**
 * Merges the rows of TEMP table `mapped` (columns {@link CI_MAPPED_COLUMNS}) into `ci_runs`.
 * Runs inside the caller's transaction; rows without a `ci_uid` are ignored.
 */
export async function mergeCiRuns(store: Store, mapped: string, fileId: number): Promise<CiMergeResult> {
  if (!TABLE.test(mapped)) throw new Error(`invalid table name ${mapped}`);
  const cols = CI_MAPPED_COLUMNS;
  await store.exec(`CREATE OR REPLACE TEMP TABLE ci_new AS
    SELECT ci_uid AS target_uid, ${cols.map(collapseItem).join(',\n      ')}
    FROM ${mapped} WHERE ci_uid IS NOT NULL GROUP BY ci_uid`);
  try {
    const merged = await store.one<{ n: number }>(
      'SELECT count(*) AS n FROM ci_new n WHERE EXISTS (SELECT 1 FROM ci_runs t WHERE t.ci_uid = n.target_uid)',
    );
    await applyMerge(store, 'ci_new');
    const inserted = await store.run(
      `INSERT INTO ci_runs (${CI_RUN_COLUMNS.join(', ')})
       SELECT ${CI_RUN_COLUMNS.map((c) => (c === 'file_id' ? '$1' : `n.${c}`)).join(', ')} FROM ci_new n
       WHERE NOT EXISTS (SELECT 1 FROM ci_runs t WHERE t.ci_uid = n.target_uid)`,
      [fileId],
    );
    const adopted = (await resolveAttempts(store)) + (await foldNamedJobs(store));
    return { inserted, merged: Number(merged?.n ?? 0), adopted };
  } finally {
    await store.exec('DROP TABLE IF EXISTS ci_new');
  }
}
