/**
 * GitLab → events (and ci_runs for pipelines and jobs).
 *
 * Shapes read, one record each:
 * - REST `/audit_events` and streaming audit events: `{id, author_id, entity_id, entity_type,
 *   details{author_name, target_*, ip_address, entity_path, custom_message, event_name…},
 *   created_at, event_name|event_type}` (streaming repeats several detail fields at the top level);
 * - self-managed `audit_json.log` lines: flat keys, some with literal dots (`"meta.remote_ip"`,
 *   `"meta.user"`, `"meta.caller_id"` — quoted in the JSON paths below), `time`, and older lines
 *   with no meta or event name at all (`change`/`from`/`to`, `add`, `remove`, `with`);
 * - `production_json.log` request lines (`method`, `path`, `controller`, `action`, `status`,
 *   `params[]`), which Panther exports alongside the audit log;
 * - pipeline and job webhook deliveries (`object_kind` `pipeline` / `build`) → ci_runs, with the
 *   pipeline's `builds[]` as job rows.
 *
 * CI/CD variable changes (`ci_variable_*`, `ci_group_variable_*`, `ci_instance_variable_*`, or a
 * `Ci::*Variable` target) become ci.secret_change with the variable key as target: GitLab puts the
 * key in `target_details`. GitLab runs have no attempts (a retried job gets a new job id), so
 * ci_runs.attempt stays NULL; the Fulcio run invocation URI of a GitLab job names the job id.
 */
import { fieldsSql } from '../shared/fields.js';
import { canonicalHashSql } from '../shared/record-hash.js';
import { nsEpochSql } from '../shared/time.js';

const FIELDS = {
  id: '$.id',
  author_id: '$.author_id',
  t_author_name: '$.author_name',
  d_author_name: '$.details.author_name',
  author_email: '$.details.author_email',
  author_class: '$.details.author_class',
  entity_id: '$.entity_id',
  entity_type: '$.entity_type',
  t_entity_path: '$.entity_path',
  d_entity_path: '$.details.entity_path',
  t_target_id: '$.target_id',
  d_target_id: '$.details.target_id',
  t_target_type: '$.target_type',
  d_target_type: '$.details.target_type',
  t_target_details: '$.target_details',
  d_target_details: '$.details.target_details',
  p_target_details: '$.detail.target_details',
  t_ip: '$.ip_address',
  d_ip: '$.details.ip_address',
  meta_remote_ip: '$."meta.remote_ip"',
  meta_user: '$."meta.user"',
  meta_user_id: '$."meta.user_id"',
  meta_caller_id: '$."meta.caller_id"',
  meta_client_id: '$."meta.client_id"',
  meta_project: '$."meta.project"',
  created_at: '$.created_at',
  log_time: '$.time',
  t_event_name: '$.event_name',
  event_type: '$.event_type',
  d_event_name: '$.details.event_name',
  t_change: '$.change',
  d_change: '$.details.change',
  t_from: '$.from',
  d_from: '$.details.from',
  t_to: '$.to',
  d_to: '$.details.to',
  t_add: '$.add',
  d_add: '$.details.add',
  t_remove: '$.remove',
  d_remove: '$.details.remove',
  t_with: '$.with',
  d_with: '$.details.with',
  correlation_id: '$.correlation_id',
  // production_json.log
  method: '$.method',
  req_path: '$.path',
  controller: '$.controller',
  ctl_action: '$.action',
  http_status: '$.status',
  remote_ip: '$.remote_ip',
  username: '$.username',
  ua: '$.ua',
  // pipeline / job webhooks
  object_kind: '$.object_kind',
  p_id: '$.object_attributes.id',
  p_ref: '$.object_attributes.ref',
  p_sha: '$.object_attributes.sha',
  p_source: '$.object_attributes.source',
  p_status: '$.object_attributes.status',
  p_created: '$.object_attributes.created_at',
  p_started: '$.object_attributes.started_at',
  p_finished: '$.object_attributes.finished_at',
  p_name: '$.object_attributes.name',
  hook_user: '$.user.username',
  hook_user_name: '$.user.name',
  project_path: '$.project.path_with_namespace',
  ci_config_path: '$.project.ci_config_path',
  j_id: '$.build_id',
  j_name: '$.build_name',
  j_stage: '$.build_stage',
  j_status: '$.build_status',
  j_created: '$.build_created_at',
  j_started: '$.build_started_at',
  j_finished: '$.build_finished_at',
  j_pipeline: '$.pipeline_id',
  j_commit_pipeline: '$.commit.id',
  j_project_name: '$.project_name',
  j_sha: '$.sha',
  j_ref: '$.ref',
  j_runner: '$.runner.description',
  j_runner_type: '$.runner.runner_type',
  j_runner_shared: '$.runner.is_shared',
  j_failure: '$.build_failure_reason',
  j_environment: '$.environment.name',
  j_runner_tags_text: '$.runner.tags',
  params_text: '$.params',
  // A string, or an object (git operations: {protocol, action}) that arrives as its JSON text.
  t_custom: '$.custom_message',
  d_custom: '$.details.custom_message',
  p_custom: '$.detail.custom_message',
} as const;

const f = fieldsSql('rec', FIELDS);

const TERMINAL = `('success', 'failed', 'canceled', 'skipped')`;

/** Shared by both mappings; `where` narrows the records with a text search before any parse. */
const base = (where = 'TRUE'): string => `
x AS (
  SELECT record_no, rec, stage_reject, ${f.list} FROM staged WHERE ${where}
), g AS (
  SELECT record_no, rec, stage_reject,
      ${f.items}
  FROM x
), g2 AS (
  SELECT *,
    COALESCE(t_custom, d_custom, p_custom) AS custom,
    CASE WHEN starts_with(j_runner_tags_text, '[') AND json_valid(j_runner_tags_text) THEN TRY_CAST(json(j_runner_tags_text) AS VARCHAR[]) END AS j_runner_tags
  FROM g
), n AS (
  SELECT *,
    CASE
      WHEN object_kind = 'pipeline' THEN 'pipeline'
      WHEN object_kind IN ('build', 'job') THEN 'job'
      WHEN starts_with(params_text, '[') OR (controller IS NOT NULL AND method IS NOT NULL) THEN 'request'
      ELSE 'audit' END AS kind,
    COALESCE(t_event_name, event_type, d_event_name) AS ev_name,
    COALESCE(t_author_name, d_author_name) AS author_name,
    COALESCE(t_entity_path, d_entity_path) AS entity_path,
    COALESCE(t_target_type, d_target_type) AS target_type,
    COALESCE(t_target_details, d_target_details, p_target_details) AS target_details,
    COALESCE(t_change, d_change) AS change, COALESCE(t_from, d_from) AS change_from, COALESCE(t_to, d_to) AS change_to,
    COALESCE(t_add, d_add) AS added, COALESCE(t_remove, d_remove) AS removed, COALESCE(t_with, d_with) AS login_with,
    COALESCE(t_ip, d_ip, meta_remote_ip, remote_ip) AS ip
  FROM g2
), m AS (
  SELECT *,
    CASE kind
      WHEN 'pipeline' THEN COALESCE(CASE WHEN p_status IN ${TERMINAL} THEN p_finished END, p_started, p_created)
      WHEN 'job' THEN COALESCE(CASE WHEN j_status IN ${TERMINAL} THEN j_finished END, j_started, j_created)
      WHEN 'request' THEN log_time
      ELSE COALESCE(created_at, log_time) END AS time_raw,
    CASE kind
      WHEN 'request' THEN CASE
        WHEN controller = 'SessionsController' AND ctl_action = 'create' THEN 'auth.login'
        WHEN controller LIKE '%VariablesController' AND method IN ('POST', 'PUT', 'PATCH', 'DELETE') THEN 'ci.secret_change'
        ELSE 'other' END
      WHEN 'pipeline' THEN 'ci.run'
      WHEN 'job' THEN 'ci.job'
      ELSE CASE
        WHEN regexp_full_match(COALESCE(ev_name, ''), 'ci_(group_|instance_)?variable_(created|updated|deleted)')
          OR target_type IN ('Ci::Variable', 'Ci::GroupVariable', 'Ci::InstanceVariable')
          OR regexp_matches(COALESCE(added, removed, change, ''), 'variable') THEN 'ci.secret_change'
        WHEN regexp_matches(COALESCE(ev_name, ''), '(access_token|deploy_token|deploy_key|ssh_key|gpg_key)_(created|added)$') THEN 'credential.create'
        WHEN login_with IS NOT NULL OR meta_caller_id = 'SessionsController#create'
          OR regexp_matches(COALESCE(ev_name, ''), '^(user_)?(logged_in|authenticated|login_failed)') THEN 'auth.login'
        ELSE 'other' END
    END AS verb
  FROM n
), m2 AS (
  SELECT *,
    -- The UI's bulk variable update names the keys in params (GitLab writes the values [FILTERED]).
    CASE WHEN kind = 'request' AND verb = 'ci.secret_change' THEN json_extract_string(rec, '$.params[*].value[*].key') END AS request_variables
  FROM m
), r AS (
  SELECT *,
    st_ts_ok(time_raw) AS ts,
    CASE
      WHEN stage_reject IS NOT NULL THEN NULL
      WHEN kind = 'audit' AND author_id IS NULL AND entity_type IS NULL AND ev_name IS NULL AND custom IS NULL AND change IS NULL
        THEN 'not a GitLab audit event: no author, entity, event name or message'
      WHEN kind = 'pipeline' AND p_id IS NULL THEN 'pipeline webhook without object_attributes.id'
      WHEN kind = 'job' AND j_id IS NULL THEN 'job webhook without build_id'
      WHEN st_ts_ok(time_raw) IS NULL THEN 'missing or unparseable time ('
        || CASE kind WHEN 'request' THEN 'time' WHEN 'audit' THEN 'created_at / time' ELSE 'created_at / started_at / finished_at' END
        || '): ' || COALESCE(left(time_raw, 40), 'absent')
    END AS reject_reason
  FROM m2
)`;

/** The events mapping SELECT over `staged` (see LoadContext.insertEvents). */
export const EVENTS_SQL = `
WITH ${base()}
SELECT
  record_no, rec, stage_reject,
  'gitlab.audit:' || CASE
    WHEN kind = 'pipeline' THEN 'pipeline:' || p_id || ':' || COALESCE(p_status, '?')
    WHEN kind = 'job' THEN 'job:' || j_id || ':' || COALESCE(j_status, '?')
    -- The REST id is absent from audit_json.log lines; identifying fields give one uid to the same
    -- event in all three shapes (REST, streaming, log file). \`change\`/\`from\`/\`to\` keep apart the
    -- several events GitLab writes in the same millisecond for one variable update.
    WHEN kind = 'audit' THEN 'e:' || md5(concat_ws('|', CAST(epoch_ms(ts) AS VARCHAR),
      ${['author_id', 'entity_type', 'entity_id', 'COALESCE(t_target_id, d_target_id)', 'target_details', 'ev_name', 'change',
         'change_from', 'change_to', 'added', 'removed', 'login_with'].map((c) => `COALESCE(CAST(${c} AS VARCHAR), '')`).join(', ')}))
    WHEN reject_reason IS NULL THEN 'h:' || md5(${canonicalHashSql('rec', ['time', 'created_at'])} || ':' || CAST(epoch_ms(ts) AS VARCHAR))
    END AS event_uid,
  'gitlab.audit' AS source,
  ts,
  CASE WHEN regexp_matches(time_raw, '\\.[0-9]{7,}') OR ${nsEpochSql('time_raw')} THEN time_raw END AS ts_raw,
  verb AS action,
  CASE kind
    WHEN 'request' THEN COALESCE(meta_caller_id, controller || '#' || ctl_action, method || ' ' || req_path)
    WHEN 'pipeline' THEN 'pipeline.' || COALESCE(p_status, '?')
    WHEN 'job' THEN 'job.' || COALESCE(j_status, '?')
    ELSE COALESCE(ev_name,
      CASE WHEN change IS NOT NULL THEN 'change:' || change WHEN added IS NOT NULL THEN 'add:' || added
           WHEN removed IS NOT NULL THEN 'remove:' || removed WHEN login_with IS NOT NULL THEN 'login:' || login_with END,
      meta_caller_id, left(custom, 120)) END AS native_action,
  CASE
    WHEN kind = 'request' AND TRY_CAST(http_status AS INTEGER) IN (401, 403) THEN 'denied'
    WHEN kind = 'request' AND TRY_CAST(http_status AS INTEGER) >= 400 THEN 'failure'
    WHEN kind = 'pipeline' AND p_status IN ('failed', 'canceled') THEN 'failure'
    WHEN kind = 'job' AND j_status IN ('failed', 'canceled') THEN 'failure'
    WHEN kind = 'audit' AND (ev_name LIKE '%fail%' OR ev_name LIKE '%denied%') THEN 'failure'
    ELSE 'success' END AS outcome,
  CASE
    WHEN kind = 'request' AND TRY_CAST(http_status AS INTEGER) >= 400 THEN http_status
    WHEN kind = 'pipeline' AND p_status IN ('failed', 'canceled') THEN p_status
    WHEN kind = 'job' AND j_status IN ('failed', 'canceled') THEN COALESCE(j_failure, j_status) END AS error_code,
  CASE kind
    WHEN 'request' THEN COALESCE(username, meta_user)
    WHEN 'pipeline' THEN hook_user
    WHEN 'job' THEN COALESCE(hook_user, hook_user_name)
    ELSE COALESCE(meta_user, author_name, 'user_id:' || author_id) END AS actor,
  CASE WHEN author_class IS NOT NULL THEN lower(author_class)
       WHEN COALESCE(meta_user, author_name, author_id, username, hook_user) IS NOT NULL THEN 'user' END AS actor_type,
  CASE kind
    WHEN 'request' THEN COALESCE(username, meta_user)
    WHEN 'pipeline' THEN hook_user
    WHEN 'job' THEN COALESCE(hook_user, hook_user_name)
    ELSE COALESCE(meta_user, 'user_id:' || author_id, author_name) END AS principal,
  NULL::VARCHAR AS credential_id,
  NULL::VARCHAR AS issued_credential_id,
  st_strip_port(ip) AS source_ip,
  ua AS user_agent,
  CASE
    WHEN kind = 'request' AND verb = 'ci.secret_change' THEN COALESCE(request_variables[1], req_path)
    WHEN kind = 'request' THEN req_path
    WHEN kind = 'pipeline' THEN COALESCE(p_name, project_path)
    WHEN kind = 'job' THEN j_name
    WHEN verb = 'ci.secret_change' THEN target_details
    ELSE COALESCE(target_details, entity_path) END AS target,
  CASE
    WHEN kind = 'request' AND verb = 'ci.secret_change' AND request_variables[1] IS NOT NULL THEN 'ci_variable'
    WHEN kind = 'request' THEN 'http_path'
    WHEN kind = 'pipeline' THEN 'pipeline'
    WHEN kind = 'job' THEN 'ci_job'
    WHEN verb = 'ci.secret_change' THEN 'ci_variable'
    ELSE target_type END AS target_type,
  NULL::VARCHAR AS target_version,
  CASE
    WHEN kind = 'pipeline' THEN project_path
    WHEN kind = 'job' THEN COALESCE(project_path, replace(j_project_name, ' / ', '/'))
    WHEN kind = 'request' THEN meta_project
    WHEN entity_type = 'Project' THEN COALESCE(entity_path, CASE WHEN target_type = 'Project' THEN target_details END)
    ELSE meta_project END AS repo,
  NULL::VARCHAR AS workflow,
  CASE kind WHEN 'pipeline' THEN p_ref WHEN 'job' THEN j_ref END AS ref,
  CASE kind WHEN 'pipeline' THEN p_id WHEN 'job' THEN COALESCE(j_pipeline, j_commit_pipeline) END AS run_id,
  NULL::VARCHAR[] AS secrets,
  json_merge_patch('{}', json_object(
    'kind', kind, 'audit_event_id', id, 'author_id', author_id, 'author_email', author_email, 'entity_id', entity_id,
    'entity_type', entity_type, 'entity_path', entity_path, 'target_id', COALESCE(t_target_id, d_target_id),
    'custom_message', custom, 'change', change, 'from', change_from, 'to', change_to, 'add', added,
    'remove', removed, 'with', login_with, 'caller_id', meta_caller_id, 'client_id', meta_client_id,
    'correlation_id', correlation_id, 'method', method, 'path', req_path, 'status', http_status, 'controller', controller,
    'variables', request_variables,
    'pipeline_status', p_status, 'pipeline_source', p_source, 'sha', COALESCE(p_sha, j_sha),
    'job_id', j_id, 'job_stage', j_stage, 'job_status', j_status, 'runner', j_runner,
    'environment', j_environment)) AS details,
  CASE WHEN verb <> 'other' THEN rec END AS raw,
  reject_reason
FROM r
`;

/** The ci_runs mapping SELECT over `staged` (see LoadContext.upsertCiRuns). */
export const CI_RUNS_SQL = `
-- Only webhook deliveries make ci_runs rows: skip audit and request lines before parsing them.
WITH ${base(`contains(CAST(rec AS VARCHAR), '"object_kind"')`)},
ok AS (SELECT * FROM r WHERE reject_reason IS NULL AND kind IN ('pipeline', 'job')),
builds AS (
  SELECT ok.record_no, ok.p_id, ok.project_path, ok.p_ref, ok.p_sha, b.value AS b
  FROM ok, json_each(ok.rec, '$.builds') AS b
  WHERE ok.kind = 'pipeline' AND json_type(ok.rec, '$.builds') = 'ARRAY'
)
SELECT
  'gitlab:' || p_id AS ci_uid, 'run' AS level, 'gitlab' AS provider, p_id AS run_id, NULL::INTEGER AS attempt,
  NULL::VARCHAR AS job_id, NULL::VARCHAR AS job_name, project_path AS repo,
  CASE WHEN NULLIF(ci_config_path, '') IS NOT NULL THEN project_path || '/' || ci_config_path END AS workflow,
  NULL::VARCHAR AS workflow_ref, p_source AS trigger_event, p_ref AS ref, p_sha AS head_sha, hook_user AS actor,
  hook_user AS triggering_actor, NULL::VARCHAR AS runner_name, NULL::VARCHAR[] AS runner_labels,
  NULL::VARCHAR AS runner_type, st_ts_ok(COALESCE(p_started, p_created)) AS started_at,
  CASE WHEN p_status IN ${TERMINAL} THEN st_ts_ok(p_finished) END AS completed_at,
  CASE WHEN p_status IN ${TERMINAL} THEN p_status END AS conclusion,
  NULL::VARCHAR[] AS secrets_passed, ['gitlab.webhook'] AS sources, record_no
FROM ok WHERE kind = 'pipeline'
UNION ALL
SELECT
  'gitlab:' || COALESCE(j_pipeline, j_commit_pipeline) || ':job:' || j_id, 'job', 'gitlab', COALESCE(j_pipeline, j_commit_pipeline), NULL,
  j_id, j_name, COALESCE(project_path, replace(j_project_name, ' / ', '/')), NULL, NULL, NULL, j_ref, j_sha, hook_user,
  NULL, j_runner, j_runner_tags,
  COALESCE(j_runner_type, CASE j_runner_shared WHEN 'true' THEN 'shared' WHEN 'false' THEN 'specific' END),
  st_ts_ok(j_started),
  CASE WHEN j_status IN ${TERMINAL} THEN st_ts_ok(j_finished) END,
  CASE WHEN j_status IN ${TERMINAL} THEN j_status END,
  NULL, ['gitlab.webhook'], record_no
FROM ok WHERE kind = 'job'
UNION ALL
SELECT
  'gitlab:' || p_id || ':job:' || (b ->> '$.id'), 'job', 'gitlab', p_id, NULL,
  b ->> '$.id', b ->> '$.name', project_path, NULL, NULL, NULL, p_ref, p_sha, b ->> '$.user.username',
  NULL, b ->> '$.runner.description',
  CASE WHEN json_type(b, '$.runner.tags') = 'ARRAY' THEN json_extract_string(b, '$.runner.tags[*]') END,
  COALESCE(b ->> '$.runner.runner_type', CASE b ->> '$.runner.is_shared' WHEN 'true' THEN 'shared' WHEN 'false' THEN 'specific' END),
  st_ts_ok(b ->> '$.started_at'),
  CASE WHEN (b ->> '$.status') IN ${TERMINAL} THEN st_ts_ok(b ->> '$.finished_at') END,
  CASE WHEN (b ->> '$.status') IN ${TERMINAL} THEN b ->> '$.status' END,
  NULL, ['gitlab.webhook'], record_no
FROM builds WHERE (b ->> '$.id') IS NOT NULL
`;
