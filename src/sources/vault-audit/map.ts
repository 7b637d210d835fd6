/**
 * HashiCorp Vault audit device lines → events, one event per request.
 *
 * Notes on the format that the SQL handles:
 * - Every request writes two lines, `type: request` then `type: response`, both carrying the same
 *   `request.id`. They are joined inside this file's load into ONE event: the request line gives the
 *   time, record_no and identity, the response gives the outcome (`error`), the key version used and,
 *   for a login, the token it issued. A request whose response is not in the file still becomes an
 *   event (its outcome is that of the authorisation check, which Vault logs on the request line);
 *   a response whose request is elsewhere becomes its own event. Lines without `request.id` (some
 *   request types have none) are one event each.
 * - String values are HMAC-SHA256'd (`hmac-sha256:<hex>`), accessors and client tokens included;
 *   they are kept as they are (compare with `sys/audit-hash`). Numbers and booleans stay clear, so
 *   a transit signature's `key_version` is readable.
 * - `remote_address` may carry a port (`10.0.0.5:41234`, `[2001:db8::10]:36778`); it is stripped.
 * - Paths are relative to the namespace and include the mount (`transit/sign/release/sha2-256`,
 *   `secret/data/apps/ci`); the mount is taken from `mount_point` when logged, else the first segment.
 */
import { fieldsSql } from '../shared/fields.js';
import { tsRawSql } from '../shared/time.js';

/** Extracted from every line; the request and the response line each get a copy (q_…, p_…). */
const FIELDS = {
  time: '$.time',
  type: '$.type',
  error: '$.error',
  forwarded_from: '$.forwarded_from',
  req_id: '$.request.id',
  op: '$.request.operation',
  path: '$.request.path',
  mount_type: '$.request.mount_type',
  mount_point: '$.request.mount_point',
  mount_accessor: '$.request.mount_accessor',
  ns_id: '$.request.namespace.id',
  ns_path: '$.request.namespace.path',
  remote_address: '$.request.remote_address',
  remote_port: '$.request.remote_port',
  req_token: '$.request.client_token',
  req_accessor: '$.request.client_token_accessor',
  req_key_version: '$.request.data.key_version',
  user_agent: '$.request.headers."user-agent"[0]',
  a_token: '$.auth.client_token',
  a_accessor: '$.auth.accessor',
  a_display: '$.auth.display_name',
  a_entity: '$.auth.entity_id',
  a_token_type: '$.auth.token_type',
  a_policies: '$.auth.policies',
  a_metadata: '$.auth.metadata',
  a_issue_time: '$.auth.token_issue_time',
  a_meta_repo: '$.auth.metadata.repository',
  a_meta_ref: '$.auth.metadata.ref',
  r_key_version: '$.response.data.key_version',
  r_latest_version: '$.response.data.latest_version',
  r_kv_version: '$.response.data.metadata.version',
  r_version: '$.response.data.version',
  r_auth_accessor: '$.response.auth.accessor',
  r_auth_display: '$.response.auth.display_name',
  r_auth_entity: '$.response.auth.entity_id',
  r_auth_policies: '$.response.auth.policies',
  r_auth_meta_repo: '$.response.auth.metadata.repository',
  r_auth_meta_ref: '$.response.auth.metadata.ref',
} as const;

const NAMES = Object.keys(FIELDS);
const f = fieldsSql('rec', FIELDS);

/** Items reading field `name` of the line list `list` (the order is FIELDS', as fieldsSql builds it). */
function itemsOf(list: string, prefix: string): string {
  return NAMES.map((n, i) => `${list}[${i + 1}] AS ${prefix}${n}`).join(',\n      ');
}
const at = (name: keyof typeof FIELDS): number => NAMES.indexOf(name) + 1;

/** The mapping SELECT over `staged`, with `merged_lines` (see LoadContext.insertEvents). */
export const MAPPING_SQL = `
WITH l AS MATERIALIZED (
  -- Materialised so the field list is extracted once per line: referenced several times below, it
  -- would otherwise be inlined and recomputed at each use.
  SELECT record_no, rec, stage_reject, ${f.list} FROM staged
), k AS (
  SELECT *,
    CASE WHEN stage_reject IS NULL AND _v[${at('req_id')}] IS NOT NULL THEN
      CASE WHEN _v[${at('type')}] LIKE '%request' THEN 'req' WHEN _v[${at('type')}] LIKE '%response' THEN 'resp' END
    END AS kind
  FROM l
), n AS (
  -- The n-th request line with an id pairs with the n-th response line with that id, so a log
  -- copied twice into one file pairs up twice (and the second pair is a duplicate), not crosswise.
  SELECT *, row_number() OVER (PARTITION BY _v[${at('req_id')}], kind ORDER BY record_no) AS nth FROM k
), pairs AS (
  SELECT COALESCE(q.record_no, p.record_no) AS record_no,
         COALESCE(q.rec, p.rec) AS rec,
         NULL::VARCHAR AS stage_reject,
         q.rec AS q_rec, p.rec AS p_rec, q._v AS q_v, p._v AS p_v,
         CASE WHEN q.record_no IS NOT NULL AND p.record_no IS NOT NULL THEN 1 ELSE 0 END AS merged_lines
  FROM (SELECT * FROM n WHERE kind = 'req') q
  FULL OUTER JOIN (SELECT * FROM n WHERE kind = 'resp') p
    ON p._v[${at('req_id')}] = q._v[${at('req_id')}] AND p.nth = q.nth
  UNION ALL
  SELECT record_no, rec, stage_reject,
         CASE WHEN _v[${at('type')}] LIKE '%response' THEN NULL ELSE rec END,
         CASE WHEN _v[${at('type')}] LIKE '%response' THEN rec END,
         CASE WHEN _v[${at('type')}] LIKE '%response' THEN NULL ELSE _v END,
         CASE WHEN _v[${at('type')}] LIKE '%response' THEN _v END,
         0
  FROM n WHERE kind IS NULL
), fq AS (
  SELECT record_no, rec, stage_reject, q_rec, p_rec, merged_lines,
      ${itemsOf('q_v', 'q_')},
      ${itemsOf('p_v', 'p_')}
  FROM pairs
), e AS (
  SELECT *,
    COALESCE(q_time, p_time) AS time,
    COALESCE(q_type, p_type) AS type,
    COALESCE(q_req_id, p_req_id) AS req_id,
    COALESCE(q_op, p_op) AS op,
    COALESCE(q_path, p_path) AS path,
    COALESCE(q_mount_point, p_mount_point) AS mount_point,
    COALESCE(q_ns_path, p_ns_path) AS ns_path,
    COALESCE(q_remote_address, p_remote_address) AS remote_address,
    COALESCE(q_user_agent, p_user_agent) AS user_agent,
    -- The response's error is the final word; a request line has one only when it was refused up front.
    NULLIF(COALESCE(p_error, q_error), '') AS error,
    COALESCE(q_a_display, p_a_display) AS a_display,
    COALESCE(q_a_entity, p_a_entity) AS a_entity,
    COALESCE(q_a_accessor, p_a_accessor, q_req_accessor, p_req_accessor) AS accessor,
    COALESCE(q_a_token, p_a_token, q_req_token, p_req_token) AS client_token,
    -- JWT/OIDC roles commonly map GitHub's repository and ref claims into token metadata
    -- (claim_mappings); metadata values are not HMAC'd.
    COALESCE(q_a_meta_repo, p_a_meta_repo, p_r_auth_meta_repo) AS meta_repo,
    COALESCE(q_a_meta_ref, p_a_meta_ref, p_r_auth_meta_ref) AS meta_ref
  FROM fq
), m AS (
  SELECT *,
    -- Older Vaults do not log mount_type; the default mount names still say what the engine is.
    COALESCE(COALESCE(q_mount_type, p_mount_type), CASE
      WHEN path LIKE 'transit/%' THEN 'transit'
      WHEN path LIKE 'secret/%' OR path LIKE 'kv/%' THEN 'kv'
      WHEN path LIKE 'pki/%' THEN 'pki' END) AS mt,
    COALESCE(mount_point, NULLIF(regexp_extract(path, '^([^/]+/)', 1), '')) AS mnt,
    st_ts_ok(time) AS ts
  FROM e
), r AS (
  SELECT *,
    CASE WHEN mnt IS NOT NULL AND starts_with(path, mnt) THEN substr(path, length(mnt) + 1) ELSE path END AS rel
  FROM m
), s AS (
  SELECT *,
    split_part(rel, '/', 1) AS seg1,
    -- kv v2 puts an operation segment after the mount; the logical secret path is what follows it.
    mt = 'kv' AND split_part(rel, '/', 1) IN ('data', 'metadata', 'delete', 'destroy', 'undelete', 'subkeys')
      AND strpos(rel, '/') > 0 AS kv2
  FROM r
), a AS (
  SELECT *,
    CASE
      WHEN regexp_matches(path, '^auth/.+/login(/[^/]*)?$') OR regexp_matches(path, '^auth/.+/oidc/callback$') THEN 'auth.login'
      WHEN regexp_matches(path, '^auth/token/create(-orphan)?(/[^/]+)?$') AND op IN ('create', 'update') THEN 'credential.create'
      WHEN mt = 'transit' AND regexp_matches(rel, '^sign/[^/]+(/[^/]+)?$') AND op IN ('create', 'update') THEN 'key.sign'
      WHEN mt = 'transit' AND regexp_matches(rel, '^verify/[^/]+(/[^/]+)?$') AND op IN ('create', 'update') THEN 'key.verify'
      WHEN mt = 'transit' AND regexp_matches(rel, '^keys/[^/]+/rotate$') AND op IN ('create', 'update') THEN 'key.rotate'
      WHEN mt = 'transit' AND regexp_matches(rel, '^keys/[^/]+/config$') AND op IN ('create', 'update') THEN 'key.policy_change'
      WHEN mt = 'transit' AND regexp_matches(rel, '^keys/[^/]+$') AND op IN ('create', 'update') THEN 'key.create'
      WHEN mt = 'transit' AND regexp_matches(rel, '^keys/[^/]+$') AND op = 'delete' THEN 'key.delete'
      WHEN mt = 'transit' AND regexp_matches(rel, '^keys/[^/]+$') AND op = 'read' THEN 'key.get_public'
      -- Exporting or backing up a transit key hands out the private key material itself.
      WHEN mt = 'transit' AND regexp_matches(rel, '^(export/[^/]+|backup)/[^/]+') AND op = 'read' THEN 'secret.read'
      WHEN mt = 'transit' AND regexp_matches(rel, '^restore(/[^/]+)?$') AND op IN ('create', 'update') THEN 'key.create'
      WHEN mt = 'kv' AND kv2 AND seg1 = 'data' AND op = 'read' THEN 'secret.read'
      WHEN mt = 'kv' AND kv2 AND seg1 = 'data' AND op IN ('create', 'update', 'patch') THEN 'secret.write'
      WHEN mt = 'kv' AND kv2 AND (seg1 IN ('delete', 'destroy') OR (seg1 IN ('data', 'metadata') AND op = 'delete')) THEN 'secret.delete'
      WHEN mt = 'kv' AND NOT kv2 AND op = 'read' THEN 'secret.read'
      WHEN mt = 'kv' AND NOT kv2 AND op IN ('create', 'update') THEN 'secret.write'
      WHEN mt = 'kv' AND NOT kv2 AND op = 'delete' THEN 'secret.delete'
      WHEN mt = 'pki' AND regexp_matches(rel, '^(issue|sign|sign-verbatim)(/[^/]+)?$') AND op IN ('create', 'update') THEN 'credential.create'
      ELSE 'other'
    END AS action,
    CASE
      WHEN mt = 'transit' AND seg1 = 'export' THEN split_part(rel, '/', 3)
      WHEN mt = 'transit' AND seg1 IN ('sign', 'verify', 'keys', 'backup', 'restore') THEN NULLIF(split_part(rel, '/', 2), '')
    END AS transit_key
  FROM s
)
SELECT
  record_no, rec, stage_reject, merged_lines,
  'vault.audit:' || COALESCE(req_id, '') || ':' || md5(CAST(json(CAST(rec AS VARCHAR)) AS VARCHAR)) AS event_uid,
  'vault.audit' AS source,
  ts,
  ${tsRawSql('time')} AS ts_raw,
  action,
  op || ' ' || path AS native_action,
  CASE
    WHEN error IS NULL THEN 'success'
    WHEN regexp_matches(lower(error), 'permission denied|invalid token|missing client token|unauthorized|forbidden') THEN 'denied'
    ELSE 'failure' END AS outcome,
  -- "1 error occurred:\\n\\t* permission denied\\n\\n" → "permission denied"
  left(trim(COALESCE(NULLIF(regexp_extract(error, '\\*\\s*([^\\n]+)', 1), ''), error)), 200) AS error_code,
  COALESCE(CASE WHEN action = 'auth.login' THEN p_r_auth_display END, a_display,
           CASE WHEN client_token IS NOT NULL THEN 'token' END, 'unauthenticated') AS actor,
  CASE WHEN action = 'auth.login' AND p_r_auth_entity IS NOT NULL OR a_entity IS NOT NULL THEN 'entity'
       WHEN a_display IS NOT NULL OR client_token IS NOT NULL THEN 'token'
       ELSE 'anonymous' END AS actor_type,
  -- The identity entity outlives tokens; a token without an entity is known by its (HMAC'd) accessor.
  COALESCE(CASE WHEN action = 'auth.login' THEN COALESCE(p_r_auth_entity, p_r_auth_display) END, a_entity, a_display,
           'token:' || COALESCE(accessor, client_token), 'unauthenticated') AS principal,
  -- The accessor identifies the token; without one (a refused request) the token's own HMAC does.
  COALESCE(accessor, client_token) AS credential_id,
  CASE WHEN action IN ('auth.login', 'credential.create') THEN p_r_auth_accessor END AS issued_credential_id,
  st_strip_port(remote_address) AS source_ip,
  user_agent,
  CASE
    WHEN transit_key IS NOT NULL THEN 'vault:' || transit_key
    WHEN mt = 'kv' THEN COALESCE(mnt, '') || CASE WHEN kv2 THEN substr(rel, strpos(rel, '/') + 1) ELSE rel END
    WHEN action = 'auth.login' THEN rtrim(COALESCE(mount_point, regexp_extract(path, '^(auth/.+)/(login|oidc)', 1)), '/')
    ELSE path
  END AS target,
  CASE
    WHEN transit_key IS NOT NULL THEN 'transit_key'
    WHEN mt = 'kv' THEN 'kv_secret'
    WHEN action = 'auth.login' THEN 'auth_mount'
    WHEN mt = 'pki' AND action = 'credential.create' THEN 'pki_role'
    ELSE mt
  END AS target_type,
  CAST(CASE
    -- The version a signature used, an export asked for, or a rotation created.
    WHEN transit_key IS NOT NULL THEN COALESCE(TRY_CAST(p_r_key_version AS BIGINT), TRY_CAST(q_req_key_version AS BIGINT),
                                               TRY_CAST(NULLIF(split_part(rel, '/', 4), '') AS BIGINT),
                                               CASE WHEN action = 'key.rotate' THEN TRY_CAST(p_r_latest_version AS BIGINT) END)
    WHEN mt = 'kv' THEN COALESCE(TRY_CAST(p_r_kv_version AS BIGINT), TRY_CAST(p_r_version AS BIGINT))
  END AS VARCHAR) AS target_version,
  CASE WHEN regexp_full_match(meta_repo, '[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+') THEN meta_repo END AS repo,
  NULL::VARCHAR AS workflow,
  CASE WHEN meta_ref LIKE 'refs/%' THEN meta_ref END AS ref,
  NULL::VARCHAR AS run_id,
  NULL::VARCHAR[] AS secrets,
  json_object(
    'request_id', req_id, 'type', type, 'operation', op, 'path', path, 'mount_type', mt, 'mount_point', mount_point,
    'mount_accessor', COALESCE(q_mount_accessor, p_mount_accessor), 'namespace', COALESCE(ns_path, q_ns_id, p_ns_id),
    'remote_port', COALESCE(q_remote_port, p_remote_port), 'forwarded_from', COALESCE(q_forwarded_from, p_forwarded_from),
    'hash_algorithm', CASE WHEN mt = 'transit' AND seg1 IN ('sign', 'verify') THEN NULLIF(split_part(rel, '/', 3), '') END,
    'token_type', COALESCE(q_a_token_type, p_a_token_type), 'token_issue_time', COALESCE(q_a_issue_time, p_a_issue_time),
    'policies', TRY_CAST(COALESCE(q_a_policies, p_a_policies, p_r_auth_policies) AS JSON),
    'metadata', TRY_CAST(COALESCE(q_a_metadata, p_a_metadata) AS JSON),
    'client_token', client_token, 'error', error,
    'response_seen', p_rec IS NOT NULL, 'response_time', p_time) AS details,
  CASE WHEN action <> 'other' OR error IS NOT NULL THEN json_object('request', q_rec, 'response', p_rec) END AS raw,
  CASE
    WHEN stage_reject IS NOT NULL THEN NULL
    WHEN type IS NULL OR path IS NULL OR NOT regexp_matches(type, '(^|-)(request|response)$') THEN 'not a Vault audit entry: no type request/response with a request.path'
    WHEN ts IS NULL THEN 'missing or unparseable time: ' || COALESCE(left(time, 40), 'absent')
  END AS reject_reason
FROM a
`;
