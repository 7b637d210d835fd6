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
 * nor the job id) are then folded into the one row of the same run (and job name) whose attempt is
 * known, choosing by start time when the run had several attempts; when that is ambiguous the row
 * stays on its own, with `attempt` NULL, rather than being guessed into the wrong attempt.
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

/**
 * Folds attempt-less rows of the given runs into the row of their attempt (see the file comment).
 * Returns how many rows were folded.
 */
async function adoptOrphans(store: Store, runs: string): Promise<number> {
  let adopted = 0;
  // One orphan per target per pass; a second orphan of the same target (rare) is folded next pass.
  for (let pass = 0; pass < 3; pass++) {
    await store.exec(`CREATE OR REPLACE TEMP TABLE ci_adopt AS
      WITH orphans AS (
        SELECT * FROM ci_runs r WHERE attempt IS NULL
          AND EXISTS (SELECT 1 FROM ${runs} x WHERE x.provider = r.provider AND x.run_id = r.run_id)
      ), cands AS (
        SELECT o.ci_uid AS orphan_uid, c.ci_uid AS target_uid,
               abs(epoch(c.started_at) - epoch(o.started_at)) AS dist
        FROM orphans o JOIN ci_runs c
          ON c.provider = o.provider AND c.level = o.level AND c.run_id = o.run_id AND c.attempt IS NOT NULL
         AND (o.level = 'run'
              OR (o.job_id IS NOT NULL AND c.job_id = o.job_id)
              OR (o.job_id IS NULL AND c.job_name = o.job_name))
      ), ranked AS (
        SELECT *, count(*) OVER (PARTITION BY orphan_uid) AS n,
               row_number() OVER (PARTITION BY orphan_uid ORDER BY dist NULLS LAST, target_uid) AS rk,
               lead(dist) OVER (PARTITION BY orphan_uid ORDER BY dist NULLS LAST, target_uid) AS next_dist
        FROM cands
      )
      SELECT orphan_uid, target_uid FROM ranked
      WHERE rk = 1 AND (n = 1 OR (dist IS NOT NULL AND next_dist IS NOT NULL AND next_dist > dist))
      QUALIFY row_number() OVER (PARTITION BY target_uid ORDER BY orphan_uid) = 1`);
    const n = await store.one<{ n: number }>('SELECT count(*) AS n FROM ci_adopt');
    if (!n || Number(n.n) === 0) break;
    await applyMerge(store, '(SELECT a.target_uid, r.* FROM ci_adopt a JOIN ci_runs r ON r.ci_uid = a.orphan_uid)');
    await store.exec('DELETE FROM ci_runs WHERE ci_uid IN (SELECT orphan_uid FROM ci_adopt)');
    adopted += Number(n.n);
  }
  await store.exec('DROP TABLE IF EXISTS ci_adopt');
  return adopted;
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
    const adopted = await adoptOrphans(store, 'ci_new');
    return { inserted, merged: Number(merged?.n ?? 0), adopted };
  } finally {
    await store.exec('DROP TABLE IF EXISTS ci_new');
  }
}
