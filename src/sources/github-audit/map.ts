/**
 * GitHub organisation / enterprise audit log → events (and ci_runs for workflow runs and jobs).
 *
 * Notes on the format that the SQL handles:
 * - Stream and REST records carry `@timestamp` (epoch ms) and `_document_id`; legacy records only
 *   `created_at` (epoch ms) and nest workflow fields under `data{}`. Panther copies rename
 *   `@timestamp` to `at_sign_timestamp`, write times as "2023-01-31 18:58:27.638" and add `p_*` keys.
 * - `workflows.prepared_workflow_job` is the only record of which secrets a job received
 *   (`secrets_passed`); it names the run (`workflow_run_id`) and the job by name, but neither the
 *   attempt nor the job id, so its ci_runs row is matched to its attempt later (src/ingest/ci-runs.ts).
 * - `*_actions_secret` events name the secret in `key` (GitHub's field list for these actions).
 * - `_document_id` is unique per event on GitHub; documentation and test fixtures reuse ids across
 *   different actions, so the uid is the id plus the action.
 */
import { fieldsSql } from '../shared/fields.js';
import { githubFailedSql, githubJobUidSql, githubRunUidSql, githubWorkflowSql } from '../shared/github.js';
import { canonicalHashSql } from '../shared/record-hash.js';
import { nsEpochSql } from '../shared/time.js';

/** Read at the top level and, for legacy records, under `data{}`. */
const NESTABLE = [
  'workflow_run_id', 'workflow_id', 'run_attempt', 'run_number', 'head_branch', 'head_sha', 'event',
  'conclusion', 'started_at', 'completed_at', 'job_name', 'job_workflow_ref', 'is_hosted_runner',
  'runner_owner_type', 'environment_name', 'trigger_id', 'name', 'hook_id', 'team', 'key', 'visibility',
  'repo', 'repository', 'user', 'imposer_repo', 'secret_type', 'package', 'version', 'runner_name',
  'runner_group_name', 'secrets_passed', 'runner_labels', 'calling_workflow_refs',
] as const;

const FIELDS: Record<string, string> = {
  doc_id: '$._document_id',
  action: '$.action',
  at_ts: '$."@timestamp"',
  at_sign_ts: '$.at_sign_timestamp',
  created_at: '$.created_at',
  p_event_time: '$.p_event_time',
  actor_name: '$.actor',
  actor_id: '$.actor_id',
  actor_is_bot: '$.actor_is_bot',
  actor_ip: '$.actor_ip',
  country: '$.actor_location.country_code',
  user_agent: '$.user_agent',
  hashed_token: '$.hashed_token',
  token_id: '$.token_id',
  token_scopes: '$.token_scopes',
  access_type: '$.programmatic_access_type',
  oauth_app_id: '$.oauth_application_id',
  org: '$.org',
  business: '$.business',
  operation_type: '$.operation_type',
  ext_nameid: '$.external_identity_nameid',
  ext_username: '$.external_identity_username',
  transport: '$.transport_protocol_name',
  data_text: '$.data',
  ...Object.fromEntries(NESTABLE.map((k) => [`t_${k}`, `$.${k}`])),
};

/** Legacy entries only: the same fields under data{}, read from that small object's text. */
const DATA_FIELDS = Object.fromEntries(NESTABLE.map((k) => [`d_${k}`, `$.${k}`]));

/** action → canonical verb, for the actions not covered by a pattern in VERB_SQL. */
export const ACTIONS: Readonly<Record<string, string>> = {
  'workflows.prepared_workflow_job': 'ci.job',
  'workflows.approve_workflow_job': 'ci.job',
  'workflows.reject_workflow_job': 'ci.job',
  'workflows.comment_workflow_job': 'ci.job',
  'workflows.bypass_protection_rules': 'ci.job',
  'personal_access_token.access_granted': 'credential.create',
  'oauth_access.create': 'credential.create',
  'oauth_authorization.create': 'credential.create',
  'public_key.create': 'credential.create',
  'org_credential_authorization.grant': 'credential.create',
  'integration.generate_client_secret': 'credential.create',
  'oauth_application.generate_client_secret': 'credential.create',
  'oauth_application.reset_secret': 'credential.create',
  'user.login': 'auth.login',
  'user.failed_login': 'auth.login',
  'org.sso_response': 'auth.login',
  'business.sso_response': 'auth.login',
  'packages.package_published': 'release.publish',
  'packages.package_version_published': 'release.publish',
};

/** Workflow-run actions that create or complete a run attempt (ci_runs rows); others are events only. */
const RUN_ROW_ACTIONS = ['workflows.created_workflow_run', 'workflows.completed_workflow_run', 'workflows.rerun_workflow_run'];

const VERB_SQL = `CASE
    WHEN action IN (${Object.keys(ACTIONS).map((a) => `'${a}'`).join(', ')}) THEN
      CASE action ${Object.entries(ACTIONS).map(([a, v]) => `WHEN '${a}' THEN '${v}'`).join(' ')} END
    WHEN regexp_full_match(action, 'workflows\\.[a-z_]*workflow_run') THEN 'ci.run'
    WHEN regexp_full_match(action, '(org|repo|environment|business)\\.(create|update|remove)_(actions_secret|integration_secret|actions_variable)') THEN 'ci.secret_change'
    ELSE 'other' END`;

/** Exports write absent values as "" (`"user":""`, `"business":""`); those mean nothing was recorded. */
const BLANKABLE = ['actor_name', 'actor_ip', 'org', 'business', 'hashed_token', 'token_id', 'user_agent', 'ext_nameid', 'ext_username'];

const f = fieldsSql('ev', FIELDS);
const d = fieldsSql('data_json', DATA_FIELDS, { listName: '_d' });
const nested = NESTABLE.map((k) => `NULLIF(COALESCE(t_${k}, d_${k}), '') AS ${k}`).join(',\n      ');
/**
 * A list of strings from the one extraction pass: json_extract_string gives an array as its JSON
 * text, and casting that short text is far cheaper than another parse of the whole record.
 * NULL (not []) when the entry has no such array.
 */
const list = (k: string): string => `CASE WHEN starts_with(${k}, '[') AND json_valid(${k}) THEN TRY_CAST(json(${k}) AS VARCHAR[]) END`;

/**
 * Shared by the events and ci_runs mappings: one row per staged record with `reject_reason`.
 * `where` narrows the records before any JSON is parsed (a plain text search).
 */
const base = (where = 'TRUE'): string => `
x AS (
  SELECT record_no, rec, stage_reject, rec AS ev, ${f.list} FROM staged WHERE ${where}
), g AS (
  SELECT record_no, rec, stage_reject, ev,
      ${f.items}
  FROM x
), g2 AS (
  SELECT *, ${d.list} FROM (
    -- A string "data" that merely starts with '{' is not parsed (json() would fail the whole file).
    SELECT *, CASE WHEN starts_with(data_text, '{') AND json_valid(data_text) THEN json(data_text) END AS data_json FROM g)
), g3 AS (
  SELECT * EXCLUDE (_d, data_json), ${d.items} FROM g2
), n0 AS (
  SELECT * REPLACE (${BLANKABLE.map((k) => `NULLIF(${k}, '') AS ${k}`).join(', ')}) FROM g3
), n AS (
  SELECT * EXCLUDE (${NESTABLE.flatMap((k) => [`t_${k}`, `d_${k}`]).join(', ')}),
      ${nested},
      ${['secrets_passed', 'runner_labels', 'calling_workflow_refs'].map((k) => `${list(k)} AS ${k}_list`).join(',\n      ')},
      COALESCE(at_ts, at_sign_ts, created_at, p_event_time) AS time_raw
  FROM n0
), m AS (
  SELECT *,
    st_ts_ok(time_raw) AS ts,
    ${VERB_SQL} AS verb,
    TRY_CAST(run_attempt AS INTEGER) AS attempt_n,
    CASE
      WHEN stage_reject IS NOT NULL THEN NULL
      WHEN action IS NULL THEN 'not a GitHub audit-log record: no action'
      WHEN st_ts_ok(time_raw) IS NULL THEN 'missing or unparseable time (@timestamp / created_at): ' || COALESCE(left(time_raw, 40), 'absent')
    END AS reject_reason
  FROM n
)`;

/** The events mapping SELECT over `staged` (see LoadContext.insertEvents). */
export const EVENTS_SQL = `
WITH ${base()}
SELECT
  record_no, rec, stage_reject,
  'github.audit:' || CASE WHEN doc_id IS NOT NULL THEN doc_id || ':' || action
                          WHEN reject_reason IS NULL THEN 'h:' || md5(${canonicalHashSql('ev', ['@timestamp', 'at_sign_timestamp', 'created_at'])}
                                                                || ':' || CAST(epoch_ms(ts) AS VARCHAR)) END AS event_uid,
  'github.audit' AS source,
  ts,
  CASE WHEN regexp_matches(time_raw, '\\.[0-9]{7,}') OR ${nsEpochSql('time_raw')} THEN time_raw END AS ts_raw,
  verb AS action,
  action AS native_action,
  CASE
    WHEN action = 'user.failed_login' THEN 'failure'
    WHEN action = 'workflows.completed_workflow_run' AND ${githubFailedSql('conclusion')} THEN 'failure'
    ELSE 'success' END AS outcome,
  CASE
    WHEN action = 'user.failed_login' THEN 'failed_login'
    WHEN action = 'workflows.completed_workflow_run' AND ${githubFailedSql('conclusion')} THEN conclusion END AS error_code,
  actor_name AS actor,
  CASE WHEN actor_name IS NULL THEN NULL
       WHEN actor_is_bot = 'true' OR actor_name LIKE '%[bot]' THEN 'bot' ELSE 'user' END AS actor_type,
  actor_name AS principal,
  COALESCE(hashed_token, 'token_id:' || token_id) AS credential_id,
  NULL::VARCHAR AS issued_credential_id,
  st_strip_port(actor_ip) AS source_ip,
  user_agent,
  CASE verb
    WHEN 'ci.secret_change' THEN key
    WHEN 'ci.job' THEN job_name
    WHEN 'ci.run' THEN name
    ELSE COALESCE(user, CASE WHEN action LIKE 'hook.%' THEN hook_id END, team, package, repo, repository, org, business) END AS target,
  CASE
    WHEN verb = 'ci.secret_change' THEN CASE regexp_extract(action, '_([a-z]+_[a-z]+)$', 1)
      WHEN 'actions_secret' THEN 'ci_secret' WHEN 'integration_secret' THEN 'integration_secret' ELSE 'ci_variable' END
    WHEN verb = 'ci.job' THEN 'ci_job'
    WHEN verb = 'ci.run' THEN CASE WHEN name IS NOT NULL THEN 'workflow' END
    WHEN user IS NOT NULL THEN 'user'
    WHEN action LIKE 'hook.%' AND hook_id IS NOT NULL THEN 'hook'
    WHEN team IS NOT NULL THEN 'team'
    WHEN package IS NOT NULL THEN 'package'
    WHEN COALESCE(repo, repository) IS NOT NULL THEN 'repo'
    WHEN org IS NOT NULL THEN 'org'
    WHEN business IS NOT NULL THEN 'business' END AS target_type,
  version AS target_version,
  COALESCE(repo, repository) AS repo,
  ${githubWorkflowSql('job_workflow_ref')} AS workflow,
  head_branch AS ref,
  workflow_run_id AS run_id,
  CASE WHEN action = 'workflows.prepared_workflow_job' THEN secrets_passed_list END AS secrets,
  json_merge_patch('{}', json_object(
    'org', org, 'business', business, 'country', country, 'operation_type', operation_type,
    'programmatic_access_type', access_type, 'token_id', token_id, 'token_scopes', token_scopes,
    'oauth_application_id', oauth_app_id, 'actor_id', actor_id,
    'external_identity', COALESCE(ext_nameid, ext_username),
    'transport', transport, 'scope', CASE WHEN verb = 'ci.secret_change' THEN split_part(action, '.', 1) END,
    'visibility', visibility, 'environment_name', environment_name, 'secret_type', secret_type,
    'workflow_id', workflow_id, 'workflow_name', CASE WHEN verb = 'ci.run' THEN name END,
    'run_attempt', attempt_n, 'run_number', run_number, 'event', event, 'head_sha', head_sha,
    'conclusion', conclusion, 'started_at', started_at, 'completed_at', completed_at, 'trigger_id', trigger_id,
    'job_workflow_ref', job_workflow_ref, 'calling_workflow_refs', calling_workflow_refs_list,
    'runner_labels', runner_labels_list, 'is_hosted_runner', is_hosted_runner, 'runner_owner_type', runner_owner_type,
    'runner_name', runner_name, 'runner_group_name', runner_group_name,
    'imposer_repo', imposer_repo)) AS details,
  CASE WHEN verb <> 'other' THEN ev END AS raw,
  reject_reason
FROM m
`;

/** The ci_runs mapping SELECT over `staged` (see LoadContext.upsertCiRuns). */
export const CI_RUNS_SQL = `
-- Only workflow entries make ci_runs rows: skip the rest before parsing them.
WITH ${base(`contains(CAST(rec AS VARCHAR), '"workflows.')`)},
r AS (
  SELECT *,
    action = 'workflows.prepared_workflow_job' AS is_job,
    -- A run is created once; re-runs are logged as rerun_workflow_run with their own attempt.
    COALESCE(attempt_n, CASE WHEN action = 'workflows.created_workflow_run' THEN 1 END) AS attempt
  FROM m
  WHERE reject_reason IS NULL AND workflow_run_id IS NOT NULL
    AND action IN ('workflows.prepared_workflow_job', ${RUN_ROW_ACTIONS.map((a) => `'${a}'`).join(', ')})
)
SELECT
  CASE WHEN is_job THEN ${githubJobUidSql('workflow_run_id', 'attempt', 'NULL::VARCHAR', 'job_name')}
       ELSE ${githubRunUidSql('workflow_run_id', 'attempt')} END
    -- Until its attempt is known, each sighting stays its own row: two attempts of one job must not merge.
    || CASE WHEN attempt IS NULL THEN '@' || CAST(epoch_ms(ts) AS VARCHAR) ELSE '' END AS ci_uid,
  CASE WHEN is_job THEN 'job' ELSE 'run' END AS level,
  'github' AS provider,
  workflow_run_id AS run_id,
  attempt,
  NULL::VARCHAR AS job_id,
  CASE WHEN is_job THEN job_name END AS job_name,
  COALESCE(repo, repository) AS repo,
  CASE WHEN is_job THEN ${githubWorkflowSql('job_workflow_ref')} END AS workflow,
  CASE WHEN is_job THEN job_workflow_ref END AS workflow_ref,
  CASE WHEN NOT is_job THEN event END AS trigger_event,
  CASE WHEN NOT is_job THEN head_branch END AS ref,
  CASE WHEN NOT is_job THEN head_sha END AS head_sha,
  CASE WHEN action IN ('workflows.created_workflow_run', 'workflows.completed_workflow_run') THEN actor_name END AS actor,
  CASE WHEN action IN ('workflows.created_workflow_run', 'workflows.rerun_workflow_run') THEN actor_name END AS triggering_actor,
  CASE WHEN is_job THEN runner_name END AS runner_name,
  CASE WHEN is_job THEN runner_labels_list END AS runner_labels,
  CASE is_hosted_runner WHEN 'true' THEN 'hosted' WHEN 'false' THEN 'self-hosted' END AS runner_type,
  -- A job was prepared as it started; a re-run attempt starts when it is requested (the entry's
  -- own started_at may be the first attempt's).
  CASE WHEN is_job OR action = 'workflows.rerun_workflow_run' THEN ts ELSE st_ts_ok(started_at) END AS started_at,
  CASE WHEN action = 'workflows.completed_workflow_run' THEN COALESCE(st_ts_ok(completed_at), ts) END AS completed_at,
  CASE WHEN action = 'workflows.completed_workflow_run' THEN conclusion END AS conclusion,
  CASE WHEN is_job THEN secrets_passed_list END AS secrets_passed,
  ['github.audit'] AS sources,
  record_no
FROM r
`;
