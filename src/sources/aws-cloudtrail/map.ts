/**
 * CloudTrail → events. Every record is kept; operations without a canonical verb map to `other`.
 *
 * Notes on the format that the SQL handles:
 * - `CloudTrailEvent` is a JSON *string* in Lake and lookup-events exports; it is parsed here.
 * - Logstash copies (OTRF) moved `eventTime` to `@timestamp`.
 * - KMS `keyId` may be a key id, an alias or an ARN; `resources[].ARN` holds the key ARN when
 *   CloudTrail resolved it, otherwise a bare id is completed from region and account.
 * - `AssumeRoleWithWebIdentity` from GitHub's OIDC provider names the repo and ref in the token
 *   subject (`repo:<org>/<repo>:ref:<ref>`); the access key it issues is what later calls carry.
 */
import { tsRawSql } from '../shared/time.js';

/** JSON paths read from each record (exported for the benchmark, which extracts the same fields). */
export const FIELDS = {
  event_id: '$.eventID',
  event_time: '$.eventTime',
  at_timestamp: '$."@timestamp"',
  event_source: '$.eventSource',
  event_name: '$.eventName',
  error_code: '$.errorCode',
  error_message: '$.errorMessage',
  request_id: '$.requestID',
  region: '$.awsRegion',
  account: '$.recipientAccountId',
  ui_type: '$.userIdentity.type',
  ui_arn: '$.userIdentity.arn',
  ui_principal: '$.userIdentity.principalId',
  ui_user: '$.userIdentity.userName',
  ui_key: '$.userIdentity.accessKeyId',
  ui_account: '$.userIdentity.accountId',
  ui_invoked_by: '$.userIdentity.invokedBy',
  ui_idp: '$.userIdentity.identityProvider',
  ui_issuer_arn: '$.userIdentity.sessionContext.sessionIssuer.arn',
  ui_web_idp: '$.userIdentity.sessionContext.webIdFederationData.federatedProvider',
  source_ip: '$.sourceIPAddress',
  user_agent: '$.userAgent',
  rp_key_id: '$.requestParameters.keyId',
  rp_secret_id: '$.requestParameters.secretId',
  rp_secret_id0: '$.requestParameters.secretIdList[0]',
  rp_role_arn: '$.requestParameters.roleArn',
  rp_session: '$.requestParameters.roleSessionName',
  rp_user: '$.requestParameters.userName',
  rp_name: '$.requestParameters.name',
  rp_names0: '$.requestParameters.names[0]',
  rp_signing_alg: '$.requestParameters.signingAlgorithm',
  rp_message_type: '$.requestParameters.messageType',
  res_arn0: '$.resources[0].ARN',
  res_type0: '$.resources[0].type',
  re_key_arn: '$.responseElements.keyMetadata.arn',
  re_session_key: '$.responseElements.credentials.accessKeyId',
  re_new_key: '$.responseElements.accessKey.accessKeyId',
  re_new_key_user: '$.responseElements.accessKey.userName',
  re_subject: '$.responseElements.subjectFromWebIdentityToken',
  re_assumed_arn: '$.responseElements.assumedRoleUser.arn',
  re_provider: '$.responseElements.provider',
  re_secret_arn: '$.responseElements.aRN',
  re_arn: '$.responseElements.arn',
} as const;

/** (eventSource, eventName) → canonical verb. Anything not listed is `other`. */
export const ACTIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'kms.amazonaws.com': {
    Sign: 'key.sign',
    Verify: 'key.verify',
    GetPublicKey: 'key.get_public',
    CreateKey: 'key.create',
    ImportKeyMaterial: 'key.rotate',
    DisableKey: 'key.disable',
    ScheduleKeyDeletion: 'key.delete',
    DeleteImportedKeyMaterial: 'key.delete',
    PutKeyPolicy: 'key.policy_change',
    CreateGrant: 'key.policy_change',
    EnableKeyRotation: 'key.policy_change',
    DisableKeyRotation: 'key.policy_change',
    RotateKey: 'key.rotate',
    RotateKeyOnDemand: 'key.rotate',
  },
  'secretsmanager.amazonaws.com': {
    GetSecretValue: 'secret.read',
    BatchGetSecretValue: 'secret.read',
    CreateSecret: 'secret.write',
    PutSecretValue: 'secret.write',
    UpdateSecret: 'secret.write',
    RotateSecret: 'secret.rotate',
    DeleteSecret: 'secret.delete',
  },
  'ssm.amazonaws.com': {
    GetParameter: 'secret.read',
    GetParameters: 'secret.read',
    PutParameter: 'secret.write',
    DeleteParameter: 'secret.delete',
  },
  'sts.amazonaws.com': {
    AssumeRole: 'credential.assume',
    AssumeRoleWithWebIdentity: 'credential.assume',
    AssumeRoleWithSAML: 'credential.assume',
    GetFederationToken: 'credential.assume',
    GetSessionToken: 'credential.assume',
  },
  'iam.amazonaws.com': {
    CreateAccessKey: 'credential.create',
    CreateLoginProfile: 'credential.create',
    CreateServiceSpecificCredential: 'credential.create',
    UploadSSHPublicKey: 'credential.create',
  },
  'signin.amazonaws.com': { ConsoleLogin: 'auth.login' },
};

/** Source first, then name: most records come from services without verbs and leave after a few comparisons. */
function actionCase(): string {
  const arms = Object.entries(ACTIONS).map(([src, names]) => {
    const inner = Object.entries(names).map(([name, verb]) => `WHEN '${name}' THEN '${verb}'`).join(' ');
    return `WHEN '${src}' THEN CASE event_name ${inner} ELSE 'other' END`;
  });
  return `CASE event_source ${arms.join(' ')} ELSE 'other' END`;
}

/**
 * One JSON parse per record reads every canonical path, the Lake wrapper and the lower-cased
 * top-level keys of Panther copies; only records that have such a key (or a wrapper) are parsed a
 * second time. Trying all 86 case variants on every record cost ~1.5x the 43 canonical paths.
 */
function extraction(): { list: string; wrapperAt: number; wholeAt: number; lowerList: string; lowerGuard: string; items: string } {
  const names = Object.keys(FIELDS);
  const paths = Object.values(FIELDS);
  const all: string[] = [...paths, '$.CloudTrailEvent'];
  const at = (p: string): number => {
    let i = all.indexOf(p);
    if (i < 0) i = all.push(p) - 1;
    return i + 1;
  };
  const lazy: string[] = [];
  const items = names.map((name, i) => {
    const lower = paths[i].toLowerCase();
    if (lower === paths[i]) return `_v[${i + 1}] AS ${name}`;
    const first = /^\$\.("[^"]+"|[^.[]+)/.exec(paths[i])![0];
    // A lower-case path can only match when its first lower-cased step differs and exists.
    if (first.toLowerCase() === first) return `COALESCE(_v[${i + 1}], _v[${at(lower)}]) AS ${name}`;
    at(first.toLowerCase());
    return `COALESCE(_v[${i + 1}], _l[${lazy.push(lower)}]) AS ${name}`;
  });
  const guards = [...new Set(paths.map((p) => /^\$\.("[^"]+"|[^.[]+)/.exec(p)![0]).filter((g) => g.toLowerCase() !== g).map((g) => g.toLowerCase()))];
  const quote = (ps: readonly string[]): string => `[${ps.map((p) => `'${p}'`).join(', ')}]`;
  return {
    // '$' last: the whole record as minified text, written from the same parse (see event_uid).
    list: quote([...all, '$']),
    wrapperAt: all.indexOf('$.CloudTrailEvent') + 1,
    wholeAt: all.length + 1,
    lowerList: quote(lazy),
    lowerGuard: guards.map((g) => `_v[${all.indexOf(g) + 1}] IS NOT NULL`).join(' OR '),
    items: items.join(',\n      '),
  };
}

const f = extraction();

/** The mapping SELECT over `staged` (see LoadContext.insertEvents): one row per record, in order. */
export const MAPPING_SQL = `
WITH x AS (
  SELECT record_no, rec, stage_reject, json_extract_string(rec, ${f.list}) AS _r FROM staged
), s AS (
  SELECT record_no, rec, stage_reject, _r,
    CASE WHEN _r[${f.wrapperAt}] IS NOT NULL AND json_type(rec, '$.CloudTrailEvent') = 'VARCHAR' AND json_valid(_r[${f.wrapperAt}])
         THEN json(_r[${f.wrapperAt}]) END AS inner_ev
  FROM x
), y AS (
  SELECT record_no, rec, stage_reject, COALESCE(inner_ev, rec) AS ev,
    CASE WHEN inner_ev IS NOT NULL THEN json_extract_string(inner_ev, ${f.list}) ELSE _r END AS _v,
    -- The record as minified JSON text, the input of the uid hash: for an object, json_extract_string(rec, '$')
    -- writes the same text as json(rec) (yyjson both) without parsing the record again.
    CASE WHEN inner_ev IS NULL AND stage_reject IS NULL THEN _r[${f.wholeAt}] ELSE CAST(json(CAST(COALESCE(inner_ev, rec) AS VARCHAR)) AS VARCHAR) END AS canonical
  FROM s
), z AS (
  SELECT record_no, rec, stage_reject, ev, canonical, _v,
    CASE WHEN ${f.lowerGuard} THEN json_extract_string(ev, ${f.lowerList}) END AS _l
  FROM y
), f AS (
  SELECT record_no, rec, stage_reject, ev, canonical,
      ${f.items}
  FROM z
), m AS (
  SELECT *,
    ${actionCase()} AS action,
    st_ts_ok(COALESCE(event_time, at_timestamp)) AS ts,
    -- GitHub OIDC web identity: the token subject names the repo and ref.
    COALESCE(re_subject, CASE WHEN ui_type = 'WebIdentityUser' THEN ui_user END) AS oidc_subject
  FROM f
), n AS (
  SELECT *,
    CASE
      WHEN event_source = 'kms.amazonaws.com' THEN
        CASE
          WHEN res_arn0 LIKE 'arn:aws%:kms:%:key/%' THEN res_arn0
          WHEN re_key_arn IS NOT NULL THEN re_key_arn
          WHEN rp_key_id LIKE 'arn:%' THEN rp_key_id
          WHEN rp_key_id LIKE 'alias/%' AND region IS NOT NULL AND account IS NOT NULL THEN 'arn:aws:kms:' || region || ':' || account || ':' || rp_key_id
          WHEN rp_key_id IS NOT NULL AND region IS NOT NULL AND account IS NOT NULL THEN 'arn:aws:kms:' || region || ':' || account || ':key/' || rp_key_id
          ELSE rp_key_id END
      WHEN event_source = 'secretsmanager.amazonaws.com' THEN
        -- Secret ARNs end in "-" plus six random characters; the name is what people (and case files) use.
        regexp_replace(regexp_replace(COALESCE(rp_secret_id, rp_secret_id0, re_secret_arn, rp_name), '^arn:aws[a-z-]*:secretsmanager:[^:]*:[0-9]*:secret:', ''),
                       CASE WHEN COALESCE(rp_secret_id, rp_secret_id0, re_secret_arn) LIKE 'arn:%' THEN '-[A-Za-z0-9]{6}$' ELSE '^$' END, '')
      WHEN event_source = 'ssm.amazonaws.com' THEN COALESCE(rp_name, rp_names0)
      WHEN event_source = 'sts.amazonaws.com' THEN rp_role_arn
      WHEN event_source = 'iam.amazonaws.com' THEN COALESCE(rp_user, re_new_key_user, ui_user)
      ELSE COALESCE(res_arn0, rp_key_id, rp_secret_id, rp_role_arn, rp_name)
    END AS target,
    CASE
      WHEN event_source = 'kms.amazonaws.com' THEN 'kms_key'
      WHEN event_source = 'secretsmanager.amazonaws.com' THEN 'secret'
      WHEN event_source = 'ssm.amazonaws.com' THEN 'parameter'
      WHEN event_source = 'sts.amazonaws.com' THEN 'role'
      WHEN event_source = 'iam.amazonaws.com' THEN 'iam_user'
      ELSE res_type0
    END AS target_type,
    regexp_extract(oidc_subject, '^repo:([^:]+/[^:]+):', 1) AS oidc_repo,
    regexp_extract(oidc_subject, ':ref:(.+)$', 1) AS oidc_ref
  FROM m
)
SELECT
  record_no, rec, stage_reject,
  -- eventID plus a hash of the (minified) record: the same event delivered twice (S3 object and an
  -- NDJSON export) is stored once, while distinct records that reuse an eventID (documentation and
  -- test fixtures do) are all kept.
  'aws.cloudtrail:' || COALESCE(event_id, '') || ':' || md5(canonical) AS event_uid,
  'aws.cloudtrail' AS source,
  ts,
  ${tsRawSql('COALESCE(event_time, at_timestamp)')} AS ts_raw,
  action,
  CASE WHEN event_source IS NOT NULL THEN split_part(event_source, '.', 1) || ':' || event_name ELSE event_name END AS native_action,
  CASE
    WHEN error_code IS NULL THEN 'success'
    WHEN regexp_matches(error_code, 'AccessDenied|Unauthorized|NotAuthorized|Forbidden', 'i') THEN 'denied'
    ELSE 'failure' END AS outcome,
  error_code,
  COALESCE(ui_arn, CASE WHEN ui_type = 'WebIdentityUser' THEN ui_user END, ui_principal, ui_user, ui_invoked_by) AS actor,
  ui_type AS actor_type,
  ui_key AS credential_id,
  COALESCE(re_session_key, re_new_key) AS issued_credential_id,
  source_ip,
  user_agent,
  target,
  target_type,
  NULL::VARCHAR AS target_version,
  NULLIF(oidc_repo, '') AS repo,
  NULL::VARCHAR AS workflow,
  NULLIF(oidc_ref, '') AS ref,
  NULL::VARCHAR AS run_id,
  NULL::VARCHAR[] AS secrets,
  COALESCE(ui_issuer_arn, CASE WHEN ui_type IN ('IAMUser', 'Root') THEN ui_arn END, ui_arn, ui_principal) AS principal,
  CASE WHEN action <> 'other' OR error_code IS NOT NULL THEN json_object(
    'region', region, 'account', account, 'request_id', request_id, 'error_message', error_message,
    'signing_algorithm', rp_signing_alg, 'message_type', rp_message_type, 'role_session_name', rp_session,
    'identity_provider', COALESCE(ui_idp, re_provider, ui_web_idp), 'oidc_subject', oidc_subject,
    'assumed_role_arn', re_assumed_arn, 'key_id', rp_key_id)
  ELSE json_object('region', region, 'account', account) END AS details,
  CASE WHEN action <> 'other' OR error_code IS NOT NULL THEN ev END AS raw,
  CASE
    WHEN stage_reject IS NOT NULL THEN NULL
    WHEN event_name IS NULL THEN 'not a CloudTrail record: no eventName'
    WHEN ts IS NULL THEN 'missing or unparseable eventTime: ' || COALESCE(left(COALESCE(event_time, at_timestamp), 40), 'absent')
  END AS reject_reason
FROM n
`;
