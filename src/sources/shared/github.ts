/**
 * SQL fragments both GitHub adapters (audit log, Actions REST/webhooks) need to agree on, so that
 * the same run seen through either lands on the same `ci_runs` row.
 *
 * ci_uid formats (docs/ci-sources.md):
 *   run attempt  github:<run_id>:<attempt>
 *   job          github:<run_id>:<attempt>:job:<job_id>        (REST, webhooks)
 *                github:<run_id>:<attempt>:job:name:<job_name>  (audit log: it names no job id)
 * `?` stands for an unknown attempt; src/ingest/ci-runs.ts folds such rows into their attempt.
 * Every argument is a column expression of the adapter's own mapping SQL, never input text.
 */

const attemptSql = (attempt: string): string => `COALESCE(CAST(${attempt} AS VARCHAR), '?')`;

/** ci_uid of a run attempt; NULL without a run id (DuckDB's || yields NULL on a NULL operand). */
export function githubRunUidSql(runId: string, attempt: string): string {
  return `('github:' || ${runId} || ':' || ${attemptSql(attempt)})`;
}

/** ci_uid of a job: by job id when known, else by job name. */
export function githubJobUidSql(runId: string, attempt: string, jobId: string, jobName: string): string {
  return `('github:' || ${runId} || ':' || ${attemptSql(attempt)} || ':job:' || COALESCE(${jobId}, 'name:' || ${jobName}))`;
}

/** A run or job conclusion that means the work did not finish as intended. */
export function githubFailedSql(conclusion: string): string {
  return `(${conclusion} IN ('failure', 'timed_out', 'startup_failure', 'cancelled'))`;
}

/** `owner/repo/path/file.yml@ref` (job_workflow_ref, Fulcio build signer) → `owner/repo/path/file.yml`. */
export function githubWorkflowSql(workflowRef: string): string {
  return `NULLIF(regexp_replace(${workflowRef}, '@.*$', ''), '')`;
}
