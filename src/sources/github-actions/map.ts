/**
 * GitHub Actions REST objects and webhook deliveries → events and ci_runs.
 *
 * Shapes read (the run and job objects are the same in REST responses and webhook payloads):
 * - REST `GET /repos/{o}/{r}/actions/runs` (`{"total_count","workflow_runs":[…]}`), `…/runs/{id}`,
 *   `…/runs/{id}/jobs` (`{"total_count","jobs":[…]}`) and `…/jobs/{id}`;
 * - webhook `workflow_run` and `workflow_job` deliveries (`{action, workflow_run|workflow_job,
 *   repository, sender, …}`) and `package` deliveries (`published` → release.publish).
 *
 * Each delivery or snapshot is one event whose uid is the object, its attempt and its state, so the
 * same state seen twice (a webhook and a later REST listing) is one event; every state of a run
 * enriches one ci_runs row. Other webhook kinds (push, pull_request, issues, …) are rejected with
 * their kind named, and `workflow_dispatch` deliveries are rejected because their payload holds no
 * time (GitHub sends the delivery time only in HTTP headers).
 */
import { fieldsSql } from '../shared/fields.js';
import { tsRawSql } from '../shared/time.js';
import { githubFailedSql, githubJobUidSql, githubRunUidSql, githubWorkflowSql } from '../shared/github.js';

const OBJ = {
  id: '$.id',
  run_id: '$.run_id',
  run_attempt: '$.run_attempt',
  name: '$.name',
  path: '$.path',
  event: '$.event',
  status: '$.status',
  conclusion: '$.conclusion',
  head_branch: '$.head_branch',
  head_sha: '$.head_sha',
  created_at: '$.created_at',
  updated_at: '$.updated_at',
  run_started_at: '$.run_started_at',
  started_at: '$.started_at',
  completed_at: '$.completed_at',
  actor_login: '$.actor.login',
  actor_kind: '$.actor.type',
  trig_login: '$.triggering_actor.login',
  obj_repo: '$.repository.full_name',
  head_repo: '$.head_repository.full_name',
  html_url: '$.html_url',
  url: '$.url',
  run_url: '$.run_url',
  runner_name: '$.runner_name',
  runner_group: '$.runner_group_name',
  workflow_name: '$.workflow_name',
  display_title: '$.display_title',
  run_number: '$.run_number',
  workflow_id: '$.workflow_id',
  pkg_namespace: '$.namespace',
  pkg_type: '$.package_type',
  pkg_ecosystem: '$.ecosystem',
  pv_id: '$.package_version.id',
  pv_version: '$.package_version.version',
  pv_created: '$.package_version.created_at',
  pv_updated: '$.package_version.updated_at',
  pv_author: '$.package_version.author.login',
  pv_commit: '$.package_version.target_oid',
  labels_text: '$.labels',
} as const;

const WRAPPER = {
  w_action: '$.action',
  w_repo: '$.repository.full_name',
  w_sender: '$.sender.login',
  w_sender_kind: '$.sender.type',
  w_org: '$.organization.login',
  w_environment: '$.deployment.environment',
  // Probes: which shape this is. Objects and arrays come back as their JSON text.
  has_run: '$.workflow_run',
  has_job: '$.workflow_job',
  has_package: '$.package',
  has_repository: '$.repository',
  has_workflow: '$.workflow',
  has_inputs: '$.inputs',
  has_ref: '$.ref',
  has_run_id: '$.run_id',
  has_head_sha: '$.head_sha',
  has_runner_name: '$.runner_name',
  has_steps: '$.steps',
  has_workflow_id: '$.workflow_id',
  has_run_number: '$.run_number',
} as const;

const o = fieldsSql('obj', OBJ, { listName: '_o' });
const w = fieldsSql('rec', WRAPPER, { listName: '_w' });
// A field's text starts with '{' for an object, but also for a string such as "{oops": only valid JSON is parsed.
const isObject = (col: string): string => `(starts_with(${col}, '{') AND json_valid(${col}))`;

const BASE = `
k0 AS (
  SELECT record_no, rec, stage_reject, ${w.list} FROM staged
), k1 AS (
  SELECT record_no, rec, stage_reject, ${w.items} FROM k0
), k AS (
  SELECT *,
    CASE
      WHEN ${isObject('has_run')} THEN 'run'
      WHEN ${isObject('has_job')} THEN 'job'
      WHEN ${isObject('has_package')} THEN 'package'
      WHEN has_workflow IS NOT NULL AND NOT ${isObject('has_workflow')} AND has_inputs IS NOT NULL AND has_ref IS NOT NULL THEN 'dispatch'
      WHEN has_run_id IS NOT NULL AND has_head_sha IS NOT NULL AND (has_runner_name IS NOT NULL OR starts_with(has_steps, '[')) THEN 'job'
      WHEN has_workflow_id IS NOT NULL AND has_head_sha IS NOT NULL AND has_run_number IS NOT NULL THEN 'run'
    END AS kind,
    ${isObject('has_run')} OR ${isObject('has_job')} OR ${isObject('has_package')} OR has_inputs IS NOT NULL AS is_webhook
  FROM k1
), x AS (
  SELECT *,
    CASE WHEN ${isObject('has_run')} THEN json(has_run)
         WHEN ${isObject('has_job')} THEN json(has_job)
         WHEN ${isObject('has_package')} THEN json(has_package)
         ELSE rec END AS obj
  FROM k
), y AS (
  SELECT *, ${o.list} FROM x
), z AS (
  SELECT * EXCLUDE (_o, labels_text),
    CASE WHEN starts_with(labels_text, '[') AND json_valid(labels_text) THEN TRY_CAST(json(labels_text) AS VARCHAR[]) END AS labels
  FROM (SELECT *, ${o.items} FROM y)
), m0 AS (
  SELECT *,
    CASE WHEN is_webhook THEN 'github.actions/webhook' ELSE 'github.actions/rest' END AS shape,
    COALESCE(status, w_action) AS state,
    TRY_CAST(run_attempt AS INTEGER) AS attempt,
    CASE kind WHEN 'run' THEN id WHEN 'job' THEN run_id END AS the_run_id,
    NULLIF(COALESCE(obj_repo, w_repo,
      NULLIF(regexp_extract(COALESCE(run_url, url), '/repos/([^/]+/[^/]+)/', 1), ''),
      NULLIF(regexp_extract(html_url, '^https://[^/]+/([^/]+/[^/]+)/', 1), '')), '') AS repo,
    CASE kind
      WHEN 'run' THEN CASE status
        WHEN 'completed' THEN COALESCE(updated_at, run_started_at, created_at)
        WHEN 'in_progress' THEN COALESCE(run_started_at, updated_at, created_at)
        ELSE COALESCE(created_at, run_started_at, updated_at) END
      WHEN 'job' THEN CASE status
        WHEN 'completed' THEN COALESCE(completed_at, started_at, created_at)
        WHEN 'in_progress' THEN COALESCE(started_at, created_at)
        ELSE COALESCE(created_at, started_at) END
      WHEN 'package' THEN COALESCE(pv_created, pv_updated, created_at, updated_at)
    END AS ts_src,
    -- A conclusion only means something once the run or job has completed.
    CASE WHEN status IS NULL OR status = 'completed' THEN conclusion END AS final_conclusion
  FROM z
), m AS (
  SELECT *, st_ts_ok(ts_src) AS ts FROM m0
), r AS (
  SELECT *,
    CASE
      WHEN stage_reject IS NOT NULL THEN NULL
      WHEN kind IS NULL AND ${isObject('has_repository')} THEN
        'GitHub webhook delivery not mapped (sigtrail reads workflow_run, workflow_job and package deliveries): '
        || COALESCE('action "' || left(w_action, 60) || '", ', '') || 'keys ' || array_to_string(list_sort(json_keys(rec))[1:8], ',')
      WHEN kind IS NULL THEN 'not a GitHub Actions run, job or webhook delivery'
      WHEN kind = 'dispatch' THEN 'workflow_dispatch delivery has no time in its payload (GitHub sends the delivery time only in HTTP headers)'
      WHEN id IS NULL THEN 'workflow ' || kind || ' without an id'
      WHEN kind = 'job' AND run_id IS NULL THEN 'workflow_job without run_id cannot be tied to its run'
      WHEN ts IS NULL THEN 'no usable time in the ' || kind || ' (created_at / started_at / updated_at)'
    END AS reject_reason
  FROM m
)`;

/** The events mapping SELECT over `staged` (see LoadContext.insertEvents). */
export const EVENTS_SQL = `
WITH ${BASE}
SELECT
  record_no, rec, stage_reject,
  'github.actions:' || kind || ':' || CASE kind
    WHEN 'run' THEN id || ':' || COALESCE(CAST(attempt AS VARCHAR), '?') || ':' || COALESCE(state, '?')
    WHEN 'job' THEN id || ':' || COALESCE(state, '?')
    ELSE COALESCE(pv_id, id) || ':' || COALESCE(w_action, '?') END AS event_uid,
  'github.actions' AS source,
  ts,
  ${tsRawSql('ts_src')} AS ts_raw,
  CASE kind WHEN 'run' THEN 'ci.run' WHEN 'job' THEN 'ci.job'
    ELSE CASE WHEN w_action IN ('published', 'updated') THEN 'release.publish' ELSE 'other' END END AS action,
  CASE WHEN kind = 'package' THEN 'package.' ELSE 'workflow_' || kind || '.' END || COALESCE(w_action, status, '?') AS native_action,
  CASE WHEN ${githubFailedSql('final_conclusion')} THEN 'failure' ELSE 'success' END AS outcome,
  CASE WHEN ${githubFailedSql('final_conclusion')} THEN final_conclusion END AS error_code,
  CASE kind WHEN 'run' THEN COALESCE(actor_login, w_sender) WHEN 'package' THEN COALESCE(pv_author, w_sender) ELSE w_sender END AS actor,
  CASE WHEN COALESCE(CASE WHEN kind = 'run' THEN actor_kind END, w_sender_kind) = 'Bot' THEN 'bot'
       WHEN COALESCE(CASE WHEN kind = 'run' THEN actor_kind END, w_sender_kind) IS NOT NULL THEN 'user' END AS actor_type,
  CASE kind WHEN 'run' THEN COALESCE(actor_login, w_sender) WHEN 'package' THEN COALESCE(pv_author, w_sender) ELSE w_sender END AS principal,
  NULL::VARCHAR AS credential_id,
  NULL::VARCHAR AS issued_credential_id,
  NULL::VARCHAR AS source_ip,
  NULL::VARCHAR AS user_agent,
  CASE kind
    WHEN 'run' THEN COALESCE(repo || '/' || ${githubWorkflowSql('path')}, NULLIF(name, ''))
    WHEN 'job' THEN name
    ELSE COALESCE(pkg_namespace, name) END AS target,
  CASE kind WHEN 'run' THEN 'workflow' WHEN 'job' THEN 'ci_job' WHEN 'package' THEN 'package' END AS target_type,
  CASE WHEN kind = 'package' THEN pv_version END AS target_version,
  repo,
  CASE WHEN kind = 'run' THEN repo || '/' || ${githubWorkflowSql('path')} END AS workflow,
  CASE WHEN kind IN ('run', 'job') THEN head_branch END AS ref,
  the_run_id AS run_id,
  NULL::VARCHAR[] AS secrets,
  json_merge_patch('{}', json_object(
    'shape', shape, 'webhook_action', w_action, 'status', status, 'conclusion', final_conclusion,
    'run_attempt', attempt, 'run_number', run_number, 'workflow_id', workflow_id, 'event', event,
    'head_sha', head_sha, 'head_repository', head_repo, 'triggering_actor', trig_login,
    'display_title', display_title, 'workflow_name', COALESCE(workflow_name, CASE WHEN kind = 'run' THEN name END),
    'job_id', CASE WHEN kind = 'job' THEN id END, 'runner_name', runner_name, 'runner_group_name', runner_group,
    'labels', labels, 'environment', w_environment, 'org', w_org,
    'package_type', pkg_type, 'ecosystem', pkg_ecosystem, 'target_commit', pv_commit)) AS details,
  rec AS raw,
  reject_reason
FROM r
`;

/** The ci_runs mapping SELECT over `staged` (see LoadContext.upsertCiRuns). */
export const CI_RUNS_SQL = `
WITH ${BASE}
SELECT
  CASE kind WHEN 'run' THEN ${githubRunUidSql('id', 'attempt')}
            ELSE ${githubJobUidSql('run_id', 'attempt', 'id', 'name')} END AS ci_uid,
  kind AS level,
  'github' AS provider,
  the_run_id AS run_id,
  attempt,
  CASE WHEN kind = 'job' THEN id END AS job_id,
  CASE WHEN kind = 'job' THEN name END AS job_name,
  repo,
  CASE WHEN kind = 'run' THEN repo || '/' || ${githubWorkflowSql('path')} END AS workflow,
  NULL::VARCHAR AS workflow_ref,
  CASE WHEN kind = 'run' THEN event END AS trigger_event,
  head_branch AS ref,
  head_sha,
  CASE WHEN kind = 'run' THEN actor_login END AS actor,
  CASE WHEN kind = 'run' THEN trig_login END AS triggering_actor,
  runner_name,
  labels AS runner_labels,
  CASE WHEN list_contains(labels, 'self-hosted') THEN 'self-hosted'
       WHEN runner_group = 'GitHub Actions' OR runner_name LIKE 'GitHub Actions %' THEN 'hosted' END AS runner_type,
  st_ts_ok(CASE kind WHEN 'run' THEN run_started_at ELSE started_at END) AS started_at,
  CASE WHEN status = 'completed' THEN st_ts_ok(CASE kind WHEN 'run' THEN updated_at ELSE completed_at END) END AS completed_at,
  final_conclusion AS conclusion,
  NULL::VARCHAR[] AS secrets_passed,
  [shape] AS sources,
  record_no
FROM r
WHERE reject_reason IS NULL AND kind IN ('run', 'job')
`;
