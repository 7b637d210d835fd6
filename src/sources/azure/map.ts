/**
 * Azure Monitor logs → events. One mapping for the three families that share the Azure Monitor
 * common schema; each record is routed by its category and resource id:
 * - `azure.keyvault`: Key Vault (and Managed HSM) `AuditEvent` resource logs, the data plane
 *   (KeySign, SecretGet, …);
 * - `azure.activity`: the Activity Log (control plane: vault, key and secret writes, role
 *   assignments) and any other resource log that is not Key Vault's;
 * - `azure.entra`: Entra ID sign-in and audit logs (tenant-level, resource id `…/microsoft.aadiam`).
 *
 * Notes on the format that the SQL handles:
 * - No record carries a unique id (`correlationId` is client-supplied and often empty), so
 *   event_uid is a hash of the raw record.
 * - Claims sit under `identity.claim` (Key Vault), `identity.claims` (Activity Log export) or a
 *   top-level `claims` (REST API), keyed by full claim URIs or by short names (`oid`, `upn`, `appid`,
 *   `xms_mirid` for a managed identity).
 * - `operationName` is a string in diagnostic exports and `{value, localizedValue}` in the REST
 *   API, in any letter case; `time` has seven fractional digits; `durationMs` is a string.
 * - Key Vault object identifiers are case-insensitive URLs (Microsoft: "compare them as
 *   case-insensitive strings"), so targets are lower-cased: `https://<vault>.vault.azure.net/keys/<name>`,
 *   the version in target_version. ARM resource ids of vault objects map to the same URI.
 * - A 401 on the data plane is the bearer-token challenge every SDK triggers before its first
 *   authenticated call; it is a `failure`, not a `denied` (that is 403), so it does not look like an
 *   attacker probing a key.
 */
import { alternativesSql } from '../shared/alternatives.js';
import { tsRawSql } from '../shared/time.js';
import {
  ACTIVITY_ACTIONS, ENTRA_ACTIONS, ENTRA_CATEGORIES, ENTRA_SIGNIN_CATEGORIES, KEYVAULT_ACTIONS, URI_OPERATIONS, caseArms, sqlList,
} from './actions.js';

const CLAIM_CONTAINERS = ['$.identity.claim', '$.identity.claims', '$.claims'];

function claim(...keys: string[]): string[] {
  return CLAIM_CONTAINERS.flatMap((c) => keys.map((k) => `${c}.${k}`));
}

const FIELDS = {
  time: ['$.time', '$.eventTimestamp'],
  // The REST API's {value, localizedValue} first; `.value` of a plain string is NULL.
  op: ['$.operationName.value', '$.operationname.value', '$.operationName', '$.operationname'],
  op_localized: ['$.operationName.localizedValue'],
  category: ['$.category.value', '$.category'],
  resource_id: ['$.resourceId', '$.resourceid'],
  result_type: ['$.resultType', '$.resulttype', '$.status.value'],
  result_sig: ['$.resultSignature', '$.resultsignature', '$.subStatus.value'],
  result_desc: ['$.resultDescription', '$.resultdescription'],
  duration: ['$.durationMs', '$.durationms'],
  caller_ip: ['$.callerIpAddress', '$.calleripaddress', '$.httpRequest.clientIpAddress'],
  correlation_id: ['$.correlationId', '$.correlationid'],
  tenant_id: ['$.tenantId', '$.tenantid'],
  caller: ['$.caller'],
  level: ['$.level', '$.Level'],
  op_version: ['$.operationVersion', '$.operationversion'],
  identity: ['$.identity'],
  c_upn: claim('"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"', 'upn'),
  c_name: claim('unique_name', '"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"', 'name'),
  c_oid: claim('"http://schemas.microsoft.com/identity/claims/objectidentifier"', 'oid'),
  c_appid: claim('appid', 'azp'),
  c_idtyp: claim('idtyp'),
  c_mirid: claim('xms_mirid'),
  c_ipaddr: claim('ipaddr'),
  authz_principal: ['$.identity.authorization.evidence.principalId', '$.authorization.evidence.principalId'],
  authz_role: ['$.identity.authorization.evidence.role', '$.authorization.evidence.role'],
  authz_scope: ['$.identity.authorization.scope', '$.authorization.scope'],
  p_id: ['$.properties.id'],
  p_request_uri: ['$.properties.requestUri'],
  p_client_info: ['$.properties.clientInfo'],
  p_http: ['$.properties.httpStatusCode', '$.properties.statusCode'],
  p_rbac: ['$.properties.isRbacAuthorized'],
  p_policy_match: ['$.properties.isAccessPolicyMatch'],
  p_tls: ['$.properties.tlsVersion'],
  p_request_body: ['$.properties.requestbody', '$.properties.requestBody'],
  e_upn: ['$.properties.userPrincipalName', '$.properties.initiatedBy.user.userPrincipalName'],
  e_user_id: ['$.properties.userId', '$.properties.initiatedBy.user.id'],
  e_sp_name: ['$.properties.servicePrincipalName', '$.properties.initiatedBy.app.displayName'],
  e_sp_id: ['$.properties.servicePrincipalId', '$.properties.initiatedBy.app.servicePrincipalId'],
  e_app_id: ['$.properties.appId', '$.properties.initiatedBy.app.appId'],
  e_app_name: ['$.properties.appDisplayName'],
  e_ip: ['$.properties.ipAddress', '$.properties.initiatedBy.user.ipAddress'],
  e_user_agent: ['$.properties.userAgent'],
  e_error: ['$.properties.status.errorCode'],
  e_result: ['$.properties.result', '$.result'],
  e_cred_key: ['$.properties.servicePrincipalCredentialKeyId'],
  e_target: ['$.properties.resourceDisplayName', '$.properties.targetResources[0].displayName'],
  e_target_id: ['$.properties.resourceId', '$.properties.targetResources[0].id'],
  e_target_type: ['$.properties.targetResources[0].type'],
  e_activity: ['$.properties.activityDisplayName'],
} as const;

const f = alternativesSql('rec', FIELDS);

/** A Key Vault object URI: host, optional port, object type, name, then a version or an operation. */
const OBJECT_URI = `'^https://([^/:?#]+)(:[0-9]+)?/(deleted)?(keys|secrets|certificates)/([^/?#]+)(/([^/?#]*))?'`;
/** An ARM id naming a vault (or an HSM, or a deleted vault) and optionally an object in it. */
const ARM_VAULT = `'/providers/microsoft\\.keyvault/(vaults|managedhsms|locations/[^/]+/deletedvaults)/([^/]+)(/(keys|secrets|certificates)/([^/]+))?'`;

/** The mapping SELECT over `staged` (see LoadContext.insertEvents). */
export const MAPPING_SQL = `
WITH x AS (
  SELECT record_no, rec, stage_reject, ${f.list} FROM staged
), f AS (
  SELECT record_no, rec, stage_reject,
      ${f.items}
  FROM x
), k AS (
  SELECT *,
    lower(op) AS op_l,
    lower(category) AS cat_l,
    lower(resource_id) AS rid_l,
    -- identity is a display-name string in some Entra copies, an object elsewhere.
    CASE WHEN identity NOT LIKE '{%' THEN identity END AS identity_name,
    st_ts_ok(time) AS ts,
    COALESCE(TRY_CAST(p_http AS INTEGER), TRY_CAST(result_sig AS INTEGER)) AS http_code
  FROM f
), r AS (
  SELECT *,
    CASE
      WHEN (cat_l = 'auditevent' OR regexp_matches(op, '^(Vault|Key|Secret|Certificate)[A-Z]'))
           AND (rid_l LIKE '%/providers/microsoft.keyvault/%' OR regexp_matches(lower(p_id), '^https://[^/]+\\.(vault|managedhsm)\\.'))
        THEN 'azure.keyvault'
      WHEN cat_l IN (${sqlList(ENTRA_CATEGORIES)}) OR rid_l LIKE '%/providers/microsoft.aadiam%' THEN 'azure.entra'
      ELSE 'azure.activity'
    END AS source,
    CASE WHEN regexp_matches(lower(p_id), ${OBJECT_URI}) THEN lower(p_id)
         WHEN regexp_matches(lower(p_request_uri), ${OBJECT_URI}) THEN lower(p_request_uri) END AS obj_src,
    regexp_extract(rid_l, ${ARM_VAULT}, ['kind', 'name', 'sub', 'type', 'object']) AS arm,
    NULLIF(regexp_extract(lower(COALESCE(p_id, '')), '^https://([^/:?#]+\\.(vault|managedhsm)\\.[^/:?#]+)', 1), '') AS vault_host
  FROM k
), u AS (
  SELECT *,
    regexp_extract(obj_src, ${OBJECT_URI}, ['host', 'port', 'deleted', 'type', 'name', 'rest', 'version']) AS obj,
    CASE WHEN arm.name <> '' THEN
      'https://' || arm.name || CASE WHEN arm.kind = 'managedhsms' THEN '.managedhsm.azure.net/' ELSE '.vault.azure.net/' END
      || CASE WHEN arm.type <> '' THEN arm.type || '/' || arm.object ELSE '' END END AS arm_uri,
    op_l IN ('microsoft.authorization/roleassignments/write', 'microsoft.authorization/roleassignments/delete') AS is_role_assignment
  FROM r
), a AS (
  SELECT *,
    CASE
      WHEN source = 'azure.keyvault' THEN CASE ${caseArms('op_l', KEYVAULT_ACTIONS)} ELSE 'other' END
      WHEN source = 'azure.entra' THEN CASE WHEN cat_l IN (${sqlList(ENTRA_SIGNIN_CATEGORIES)}) THEN 'auth.login'
                                            ${caseArms('op_l', ENTRA_ACTIONS)} ELSE 'other' END
      -- A role granted on a vault (or on a key or secret in it) changes who may use its keys.
      WHEN is_role_assignment THEN CASE WHEN arm.name <> '' THEN 'key.policy_change' ELSE 'other' END
      ELSE CASE ${caseArms('op_l', ACTIVITY_ACTIONS)} ELSE 'other' END
    END AS action,
    CASE
      WHEN source = 'azure.keyvault' THEN COALESCE(
        CASE WHEN obj.name <> '' THEN 'https://' || obj.host || '/' || obj.type || '/' || obj.name END,
        'https://' || vault_host || '/', arm_uri, rid_l)
      WHEN source = 'azure.entra' THEN COALESCE(e_target, e_target_id)
      WHEN (op_l LIKE 'microsoft.keyvault/%' OR is_role_assignment) AND arm_uri IS NOT NULL THEN arm_uri
      ELSE rid_l
    END AS target,
    CASE
      WHEN source = 'azure.keyvault' AND obj.name <> '' THEN 'key_vault_' || rtrim(obj.type, 's')
      WHEN source = 'azure.keyvault' THEN 'key_vault'
      WHEN source = 'azure.entra' THEN COALESCE(lower(e_target_type), CASE WHEN e_target IS NOT NULL THEN 'application' END)
      WHEN (op_l LIKE 'microsoft.keyvault/%' OR is_role_assignment) AND arm_uri IS NOT NULL THEN
        CASE WHEN arm.type <> '' THEN 'key_vault_' || rtrim(arm.type, 's') ELSE 'key_vault' END
      ELSE NULLIF(regexp_extract(rid_l, '.*/providers/([^/]+/[^/]+)', 1), '')
    END AS target_type,
    CASE WHEN source = 'azure.keyvault' AND obj.version <> '' AND obj.version NOT IN (${sqlList(URI_OPERATIONS)})
         THEN obj.version END AS target_version,
    CASE
      WHEN source = 'azure.entra' THEN
        CASE WHEN lower(COALESCE(result_type, e_result, '0')) IN ('0', 'success', 'succeeded') THEN 'success' ELSE 'failure' END
      WHEN http_code = 403 OR regexp_matches(lower(COALESCE(result_sig, '') || '|' || COALESCE(p_http, '')), 'forbidden|authorizationfailed') THEN 'denied'
      WHEN http_code >= 400 OR lower(result_type) IN ('failure', 'failed', 'error')
           OR regexp_matches(lower(COALESCE(result_sig, '') || '|' || COALESCE(p_http, '')), 'unauthorized') THEN 'failure'
      ELSE 'success'
    END AS outcome,
    CASE WHEN p_request_body IS NOT NULL AND json_valid(p_request_body) THEN
      COALESCE(json_extract_string(p_request_body, '$.Properties.PrincipalId'), json_extract_string(p_request_body, '$.properties.principalId')) END AS assignee,
    CASE WHEN p_request_body IS NOT NULL AND json_valid(p_request_body) THEN
      COALESCE(json_extract_string(p_request_body, '$.Properties.RoleDefinitionId'), json_extract_string(p_request_body, '$.properties.roleDefinitionId')) END AS role_definition
  FROM u
)
SELECT
  record_no, rec, stage_reject,
  source || ':' || md5(CAST(json(CAST(rec AS VARCHAR)) AS VARCHAR)) AS event_uid,
  source,
  ts,
  ${tsRawSql('time')} AS ts_raw,
  action,
  op AS native_action,
  outcome,
  CASE WHEN outcome <> 'success' THEN COALESCE(
      CASE WHEN source = 'azure.entra' AND COALESCE(result_type, '0') <> '0' AND TRY_CAST(result_type AS BIGINT) IS NOT NULL THEN result_type END,
      e_error, NULLIF(NULLIF(result_sig, 'None'), ''), CAST(http_code AS VARCHAR), result_type) END AS error_code,
  COALESCE(c_upn, e_upn, c_name, caller, c_mirid, e_sp_name, c_appid, c_oid, authz_principal, identity_name, 'unknown') AS actor,
  CASE
    WHEN COALESCE(c_upn, e_upn) IS NOT NULL OR c_idtyp = 'user' THEN 'user'
    WHEN c_mirid IS NOT NULL THEN 'managed_identity'
    WHEN c_idtyp = 'app' OR c_appid IS NOT NULL OR COALESCE(e_sp_id, e_sp_name) IS NOT NULL THEN 'service_principal'
  END AS actor_type,
  -- The stable identity: the user, else the managed identity's ARM id, else the application (client) id.
  COALESCE(lower(c_upn), lower(e_upn), lower(c_mirid), c_appid, c_oid, lower(caller), e_user_id,
           CASE WHEN cat_l IN ('serviceprincipalsigninlogs', 'managedidentitysigninlogs') THEN e_app_id END,
           e_sp_id, authz_principal, identity_name, 'unknown') AS principal,
  -- Entra records which certificate or secret of a service principal signed in.
  e_cred_key AS credential_id,
  NULL::VARCHAR AS issued_credential_id,
  st_strip_port(COALESCE(caller_ip, c_ipaddr, e_ip)) AS source_ip,
  COALESCE(p_client_info, e_user_agent) AS user_agent,
  target,
  target_type,
  target_version,
  NULL::VARCHAR AS repo,
  NULL::VARCHAR AS workflow,
  NULL::VARCHAR AS ref,
  NULL::VARCHAR AS run_id,
  NULL::VARCHAR[] AS secrets,
  json_object(
    'category', category, 'resource_id', resource_id, 'operation_version', op_version, 'operation_display', COALESCE(op_localized, e_activity),
    'result_type', result_type, 'result_signature', result_sig, 'result_description', result_desc,
    'http_status', p_http, 'duration_ms', TRY_CAST(duration AS BIGINT), 'correlation_id', correlation_id, 'tenant_id', tenant_id,
    'object_id', c_oid, 'app_id', COALESCE(c_appid, e_app_id), 'app_name', e_app_name, 'request_uri', p_request_uri,
    'is_rbac_authorized', TRY_CAST(p_rbac AS BOOLEAN), 'is_access_policy_match', TRY_CAST(p_policy_match AS BOOLEAN),
    'tls_version', p_tls, 'level', level, 'role', authz_role, 'scope', authz_scope,
    'assignee_principal_id', assignee, 'role_definition_id', role_definition) AS details,
  CASE WHEN action <> 'other' OR outcome <> 'success' THEN rec END AS raw,
  CASE
    WHEN stage_reject IS NOT NULL THEN NULL
    WHEN op IS NULL THEN 'not an Azure log record: no operationName'
    WHEN ts IS NULL THEN 'missing or unparseable time: ' || COALESCE(left(time, 40), 'absent')
  END AS reject_reason
FROM a
`;
