/**
 * GCP Cloud Audit Logs (LogEntry with an AuditLog protoPayload) → events.
 *
 * Notes on the format that the SQL handles:
 * - Method names differ in style by service: Cloud KMS logs `AsymmetricSign`, Secret Manager logs
 *   `google.cloud.secretmanager.v1.SecretManagerService.AccessSecretVersion`, IAM logs
 *   `google.iam.admin.v1.CreateServiceAccountKey`. Verbs are looked up on the last dotted segment.
 * - `timestamp` carries up to nine fractional digits; TIMESTAMPTZ keeps six, so the raw string goes to
 *   ts_raw whenever digits are lost (ordering ties inside one microsecond).
 * - Workload identity federation callers (a GitHub Actions job impersonating a service account)
 *   have no principalEmail; their principalSubject names the pool and the token subject
 *   (`…/subject/repo:<org>/<repo>:ref:<ref>` with GitHub's default mapping).
 * - `serviceAccountKeyName` is present when a user-managed service-account key signed the request:
 *   the credential an attacker holding a leaked JSON key would use.
 * - Panther copies lower-case some top-level keys (`protopayload`, `insertid`, `logname`,
 *   `receivetimestamp`) but not nested ones, write `callerIP`, and may hold a camel-case and a
 *   lower-case copy of the same key with different values; the camel-case one wins.
 */
import { alternativesSql, under } from '../shared/alternatives.js';
import { tsRawSql } from '../shared/time.js';

const PP = ['$.protoPayload', '$.protopayload'];

const FIELDS = {
  insert_id: ['$.insertId', '$.insertid'],
  log_name: ['$.logName', '$.logname'],
  timestamp: ['$.timestamp'],
  receive_ts: ['$.receiveTimestamp', '$.receivetimestamp'],
  severity: ['$.severity'],
  resource_type: ['$.resource.type'],
  rl_project: ['$.resource.labels.project_id'],
  rl_email: ['$.resource.labels.email_id'],
  operation_id: ['$.operation.id'],
  service: under(PP, '.serviceName'),
  method: under(PP, '.methodName'),
  resource_name: under(PP, '.resourceName'),
  principal_email: under(PP, '.authenticationInfo.principalEmail'),
  principal_subject: under(PP, '.authenticationInfo.principalSubject'),
  sa_key: under(PP, '.authenticationInfo.serviceAccountKeyName'),
  delegation_info: under(PP, '.authenticationInfo.serviceAccountDelegationInfo'),
  first_party: under(PP, '.authenticationInfo.serviceAccountDelegationInfo[0].firstPartyPrincipal.principalEmail'),
  delegation_subject: under(PP, '.authenticationInfo.serviceAccountDelegationInfo[0].principalSubject'),
  oauth_client: under(PP, '.authenticationInfo.oauthInfo.oauthClientId'),
  caller_ip: [...under(PP, '.requestMetadata.callerIp'), ...under(PP, '.requestMetadata.callerIP')],
  user_agent: under(PP, '.requestMetadata.callerSuppliedUserAgent'),
  req_time: under(PP, '.requestMetadata.requestAttributes.time'),
  status_code: under(PP, '.status.code'),
  status_message: under(PP, '.status.message'),
  req_name: under(PP, '.request.name'),
  req_parent: under(PP, '.request.parent'),
  req_crypto_key_id: under(PP, '.request.cryptoKeyId'),
  req_secret_id: under(PP, '.request.secretId'),
  req_ckv_state: under(PP, '.request.cryptoKeyVersion.state'),
  req_update_mask: under(PP, '.request.updateMask'),
  req_delegates: under(PP, '.request.delegates'),
  resp_name: under(PP, '.response.name'),
  authz_permission: under(PP, '.authorizationInfo[0].permission'),
  authz_granted: under(PP, '.authorizationInfo[0].granted'),
  delegation_chain: under(PP, '.metadata.identityDelegationChain'),
  resource_location: under(PP, '.resourceLocation.currentLocations[0]'),
} as const;

const KMS = 'cloudkms.googleapis.com';
const SECRETS = 'secretmanager.googleapis.com';
const IAM = 'iam.googleapis.com';
const IAM_CREDENTIALS = 'iamcredentials.googleapis.com';

/**
 * (service, last segment of methodName) → canonical verb; anything not listed is `other`.
 * UpdateCryptoKeyVersion is `key.disable` only when the request sets state DISABLED (see the SQL).
 * AsymmetricDecrypt, Decrypt and Encrypt stay `other`: they use the key but sign nothing, as
 * AWS KMS Decrypt does in the CloudTrail adapter.
 */
export const ACTIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  [KMS]: {
    AsymmetricSign: 'key.sign',
    GetPublicKey: 'key.get_public',
    CreateCryptoKey: 'key.create',
    CreateCryptoKeyVersion: 'key.create',
    ImportCryptoKeyVersion: 'key.create',
    UpdateCryptoKeyPrimaryVersion: 'key.rotate',
    DestroyCryptoKeyVersion: 'key.delete',
    SetIamPolicy: 'key.policy_change',
  },
  [SECRETS]: {
    AccessSecretVersion: 'secret.read',
    AddSecretVersion: 'secret.write',
    CreateSecret: 'secret.write',
    DestroySecretVersion: 'secret.delete',
    DeleteSecret: 'secret.delete',
  },
  [IAM]: {
    CreateServiceAccountKey: 'credential.create',
    UploadServiceAccountKey: 'credential.create',
  },
  // Short-lived credentials minted for a service account. GenerateAccessToken/GenerateIdToken and
  // SignJwt (a self-signed JWT is a bearer assertion for the account) are impersonation, like STS
  // AssumeRole; SignBlob signs arbitrary bytes with the account's Google-managed key.
  [IAM_CREDENTIALS]: {
    GenerateAccessToken: 'credential.assume',
    GenerateIdToken: 'credential.assume',
    SignJwt: 'credential.assume',
    SignBlob: 'key.sign',
  },
};

function actionCase(): string {
  const arms: string[] = [
    // Disabling a key version is a containment step; other updates (labels, re-enabling) are not.
    `WHEN svc = '${KMS}' AND method_short = 'UpdateCryptoKeyVersion' AND upper(req_ckv_state) = 'DISABLED'
          AND (req_update_mask IS NULL OR req_update_mask LIKE '%state%') THEN 'key.disable'`,
  ];
  for (const [svc, names] of Object.entries(ACTIONS)) {
    for (const [name, verb] of Object.entries(names)) arms.push(`WHEN svc = '${svc}' AND method_short = '${name}' THEN '${verb}'`);
  }
  return `CASE ${arms.join('\n      ')} ELSE 'other' END`;
}

/** google.rpc.Code names for error_code. */
const RPC_CODES = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED',
  'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'];

const f = alternativesSql('rec', FIELDS);

const KMS_KEY = `'^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+'`;
const SECRET = `'^projects/[^/]+(/locations/[^/]+)?/secrets/[^/]+'`;
const SECRET_BASE = `'^(projects/[^/]+(/locations/[^/]+)?/secrets/[^/]+)'`;

/** The mapping SELECT over `staged` (see LoadContext.insertEvents). */
export const MAPPING_SQL = `
WITH x AS (
  SELECT record_no, rec, stage_reject, ${f.list} FROM staged
), f AS (
  SELECT record_no, rec, stage_reject,
      ${f.items}
  FROM x
), m AS (
  SELECT *,
    regexp_extract(method, '([^.]+)$', 1) AS method_short,
    -- Some copies drop serviceName; fully qualified method names still say which API it was.
    COALESCE(service, CASE
      WHEN method LIKE 'google.cloud.secretmanager.%' THEN '${SECRETS}'
      WHEN method LIKE 'google.iam.admin.%' THEN '${IAM}'
      WHEN method LIKE 'google.iam.credentials.%' THEN '${IAM_CREDENTIALS}'
      WHEN method LIKE 'google.cloud.kms.%' THEN '${KMS}' END) AS svc,
    -- The entry's own time first, then when the request arrived, then when Logging received it.
    CASE WHEN st_ts_ok(timestamp) IS NOT NULL THEN timestamp
         WHEN st_ts_ok(req_time) IS NOT NULL THEN req_time
         ELSE COALESCE(receive_ts, timestamp, req_time) END AS ts_src,
    TRY_CAST(status_code AS INTEGER) AS code,
    NULLIF(regexp_extract(log_name, 'cloudaudit\\.googleapis\\.com%2F([a-z_]+)', 1), '') AS log_kind,
    CASE WHEN principal_subject LIKE 'principal%://%' THEN principal_subject
         WHEN delegation_subject LIKE 'principal%://%' THEN delegation_subject END AS federated
  FROM f
), n AS (
  SELECT *,
    ${actionCase()} AS action,
    st_ts_ok(ts_src) AS ts,
    -- Candidate resource names, most specific first: the created resource, then the logged one.
    CASE WHEN svc = '${KMS}' THEN COALESCE(
        CASE WHEN regexp_matches(resp_name, ${KMS_KEY}) THEN resp_name END,
        CASE WHEN regexp_matches(resource_name, ${KMS_KEY}) THEN resource_name END,
        CASE WHEN req_crypto_key_id IS NOT NULL THEN COALESCE(req_parent, resource_name) || '/cryptoKeys/' || req_crypto_key_id END,
        CASE WHEN regexp_matches(req_name, ${KMS_KEY}) THEN req_name END,
        resource_name, req_name)
      WHEN svc = '${SECRETS}' THEN COALESCE(
        CASE WHEN regexp_matches(resp_name, ${SECRET}) THEN resp_name END,
        CASE WHEN regexp_matches(resource_name, ${SECRET}) THEN resource_name END,
        CASE WHEN req_secret_id IS NOT NULL THEN COALESCE(req_parent, resource_name) || '/secrets/' || req_secret_id END,
        CASE WHEN regexp_matches(req_name, ${SECRET}) THEN req_name END,
        resource_name, req_name)
    END AS res_src,
    -- Service accounts by e-mail where any field names it (resourceName often holds the numeric id).
    COALESCE(
      NULLIF(regexp_extract(resp_name, 'serviceAccounts/([^/]+@[^/]+)', 1), ''),
      NULLIF(regexp_extract(req_name, 'serviceAccounts/([^/]+@[^/]+)', 1), ''),
      NULLIF(regexp_extract(resource_name, 'serviceAccounts/([^/]+@[^/]+)', 1), ''),
      rl_email,
      NULLIF(regexp_extract(resource_name, 'serviceAccounts/([^/]+)', 1), ''),
      NULLIF(regexp_extract(req_name, 'serviceAccounts/([^/]+)', 1), '')) AS service_account,
    -- A federated caller either acts directly (principalSubject) or impersonates a service account
    -- (the account is principalEmail and the federated subject heads the delegation chain).
    NULLIF(regexp_extract(federated, '/subject/repo:([^:/]+/[^:]+):', 1), '') AS wif_repo,
    NULLIF(regexp_extract(federated, '/subject/repo:[^:]+:ref:(.+)$', 1), '') AS wif_ref
  FROM m
), t AS (
  SELECT *,
    CASE
      WHEN svc = '${KMS}' THEN COALESCE(
        NULLIF(regexp_extract(res_src, '^(projects/[^/]+/locations/[^/]+/keyRings/[^/]+(/cryptoKeys/[^/]+)?)', 1), ''), res_src)
      WHEN svc = '${SECRETS}' THEN COALESCE(NULLIF(regexp_extract(res_src, ${SECRET_BASE}, 1), ''), res_src)
      WHEN svc IN ('${IAM}', '${IAM_CREDENTIALS}') AND service_account IS NOT NULL THEN service_account
      ELSE resource_name
    END AS target,
    CASE
      WHEN svc = '${KMS}' AND res_src LIKE '%/cryptoKeys/%' THEN 'kms_key'
      WHEN svc = '${KMS}' AND res_src LIKE '%/keyRings/%' THEN 'kms_keyring'
      WHEN svc = '${SECRETS}' AND res_src LIKE '%/secrets/%' THEN 'secret'
      WHEN svc IN ('${IAM}', '${IAM_CREDENTIALS}') AND service_account IS NOT NULL THEN 'service_account'
      ELSE resource_type
    END AS target_type,
    CASE
      WHEN svc = '${KMS}' THEN NULLIF(regexp_extract(res_src, '/cryptoKeyVersions/([^/]+)', 1), '')
      WHEN svc = '${SECRETS}' THEN NULLIF(regexp_extract(res_src, '/secrets/[^/]+/versions/([^/]+)', 1), '')
    END AS target_version
  FROM n
)
SELECT
  record_no, rec, stage_reject,
  -- insertId is unique only per log and timestamp, and test copies reuse it for different
  -- entries: the id plus a hash of the record keeps distinct entries and stores a re-delivery once.
  'gcp.audit:' || COALESCE(insert_id, '') || ':' || md5(CAST(json(CAST(rec AS VARCHAR)) AS VARCHAR)) AS event_uid,
  'gcp.audit' AS source,
  ts,
  ${tsRawSql('ts_src')} AS ts_raw,
  action,
  CASE WHEN svc IS NOT NULL THEN split_part(svc, '.', 1) || ':' || method ELSE method END AS native_action,
  CASE
    WHEN COALESCE(code, 0) = 0 AND status_code IS DISTINCT FROM 'PERMISSION_DENIED' THEN 'success'
    WHEN code = 7 OR status_code = 'PERMISSION_DENIED' THEN 'denied'
    ELSE 'failure' END AS outcome,
  CASE WHEN code BETWEEN 1 AND 16 THEN ([${RPC_CODES.map((c) => `'${c}'`).join(', ')}])[code + 1]
       WHEN COALESCE(code, 0) <> 0 THEN CAST(code AS VARCHAR)
       WHEN code IS NULL AND status_code IS NOT NULL AND status_code <> '0' THEN status_code END AS error_code,
  COALESCE(principal_email, principal_subject, first_party, 'unknown') AS actor,
  CASE
    WHEN principal_email LIKE '%.gserviceaccount.com' THEN 'service_account'
    WHEN principal_email LIKE '%@%' THEN 'user'
    WHEN principal_subject LIKE 'principal://%' OR principal_subject LIKE 'principalSet://%' THEN 'workload_identity'
    WHEN principal_subject LIKE 'serviceAccount:%' THEN 'service_account'
    WHEN principal_subject LIKE 'user:%' THEN 'user'
  END AS actor_type,
  -- The stable identity: the account itself (a user-managed key or a token is only how it authenticated).
  COALESCE(principal_email, regexp_replace(principal_subject, '^(user|serviceAccount):', ''), first_party,
           CASE WHEN log_kind = 'system_event' AND svc IS NOT NULL THEN 'system:' || svc END, 'unknown') AS principal,
  sa_key AS credential_id,
  CASE WHEN svc = '${IAM}' AND method_short IN ('CreateServiceAccountKey', 'UploadServiceAccountKey') AND resp_name LIKE 'projects/%/keys/%'
       THEN '//iam.googleapis.com/' || resp_name END AS issued_credential_id,
  caller_ip AS source_ip,
  -- Google's front end appends ",gzip(gfe)" (sometimes twice); it says nothing about the caller.
  NULLIF(regexp_replace(user_agent, '(,gzip\\(gfe\\))+$', ''), '') AS user_agent,
  target,
  target_type,
  target_version,
  wif_repo AS repo,
  NULL::VARCHAR AS workflow,
  wif_ref AS ref,
  NULL::VARCHAR AS run_id,
  NULL::VARCHAR[] AS secrets,
  json_object(
    'log', log_kind, 'project', COALESCE(rl_project, NULLIF(regexp_extract(log_name, '^projects/([^/]+)/', 1), '')),
    'severity', severity, 'insert_id', insert_id, 'operation_id', operation_id,
    'status_message', status_message, 'principal_subject', principal_subject, 'delegated_by', COALESCE(delegation_subject, first_party),
    'delegation', TRY_CAST(delegation_info AS JSON), 'delegation_chain', TRY_CAST(delegation_chain AS JSON),
    'request_delegates', TRY_CAST(req_delegates AS JSON), 'oauth_client_id', oauth_client,
    'permission', authz_permission, 'permission_granted', TRY_CAST(authz_granted AS BOOLEAN),
    'resource_name', resource_name, 'request_name', req_name, 'location', resource_location) AS details,
  CASE WHEN action <> 'other' OR COALESCE(code, 0) <> 0 THEN rec END AS raw,
  CASE
    WHEN stage_reject IS NOT NULL THEN NULL
    WHEN method IS NULL THEN 'not a Cloud Audit Log entry: no protoPayload.methodName'
    WHEN ts IS NULL THEN 'missing or unparseable timestamp: ' || COALESCE(left(COALESCE(timestamp, req_time, receive_ts), 40), 'absent')
  END AS reject_reason
FROM t
`;
