/**
 * Azure operation names → canonical verbs, one table per log family. Keys are lower-case: the
 * Activity Log writes the same operation as `Microsoft.KeyVault/vaults/delete` and
 * `MICROSOFT.KEYVAULT/VAULTS/DELETE`, and Key Vault AuditEvent names are compared the same way.
 */

/**
 * Key Vault data plane (AuditEvent `operationName`, ObjectVerb format). Not mapped on purpose:
 * KeyUpdate (it may disable a key, but the log does not carry the request body, so a disable cannot
 * be told from a tag change), KeyBackup/SecretBackup (an encrypted blob restorable only into a vault
 * of the same subscription and geography), KeyEncrypt/KeyDecrypt/KeyWrap/KeyUnwrap (key use
 * without a signature, `other` like AWS KMS Decrypt).
 */
export const KEYVAULT_ACTIONS: Readonly<Record<string, string>> = {
  keysign: 'key.sign',
  keyverify: 'key.verify',
  keyget: 'key.get_public',
  keycreate: 'key.create',
  keyimport: 'key.create',
  keyrestore: 'key.create',
  keyrotate: 'key.rotate',
  keydelete: 'key.delete',
  keypurge: 'key.delete',
  keyrotationpolicyset: 'key.policy_change',
  keyrotationpolicyupdate: 'key.policy_change',
  secretget: 'secret.read',
  secretset: 'secret.write',
  secretrestore: 'secret.write',
  secretdelete: 'secret.delete',
  secretpurge: 'secret.delete',
  // A deleted or purged vault takes every key in it; the target is the vault URI.
  vaultdelete: 'key.delete',
  vaultpurge: 'key.delete',
};

/**
 * Activity Log (control plane) and Key Vault RBAC data actions, lower-case. Role assignments are
 * handled in the SQL: `key.policy_change` when their scope is a vault or an object in one.
 */
export const ACTIVITY_ACTIONS: Readonly<Record<string, string>> = {
  'microsoft.keyvault/vaults/keys/sign/action': 'key.sign',
  'microsoft.keyvault/vaults/keys/verify/action': 'key.verify',
  // RBAC: "read properties and public material of a key".
  'microsoft.keyvault/vaults/keys/read': 'key.get_public',
  'microsoft.keyvault/vaults/keys/read/action': 'key.get_public',
  'microsoft.keyvault/vaults/keys/write': 'key.create',
  'microsoft.keyvault/vaults/keys/create/action': 'key.create',
  'microsoft.keyvault/vaults/keys/import/action': 'key.create',
  'microsoft.keyvault/vaults/keys/restore/action': 'key.create',
  'microsoft.keyvault/vaults/keys/rotate/action': 'key.rotate',
  'microsoft.keyvault/vaults/keys/delete': 'key.delete',
  'microsoft.keyvault/vaults/keys/purge/action': 'key.delete',
  'microsoft.keyvault/vaults/deletedkeys/delete': 'key.delete',
  'microsoft.keyvault/vaults/keyrotationpolicies/write': 'key.policy_change',
  'microsoft.keyvault/vaults/secrets/getsecret/action': 'secret.read',
  'microsoft.keyvault/vaults/secrets/setsecret/action': 'secret.write',
  'microsoft.keyvault/vaults/secrets/write': 'secret.write',
  'microsoft.keyvault/vaults/secrets/restore/action': 'secret.write',
  'microsoft.keyvault/vaults/secrets/delete': 'secret.delete',
  'microsoft.keyvault/vaults/secrets/purge/action': 'secret.delete',
  'microsoft.keyvault/vaults/deletedsecrets/delete': 'secret.delete',
  'microsoft.keyvault/vaults/accesspolicies/write': 'key.policy_change',
  'microsoft.keyvault/vaults/delete': 'key.delete',
  'microsoft.keyvault/locations/deletedvaults/purge/action': 'key.delete',
};

/** Entra ID audit operations (by display name, lower-case); every sign-in category is `auth.login`. */
export const ENTRA_ACTIONS: Readonly<Record<string, string>> = {
  'add service principal credentials': 'credential.create',
  'update application – certificates and secrets management': 'credential.create',
  'update application - certificates and secrets management': 'credential.create',
};

/** Diagnostic categories of Entra ID (tenant) logs. */
export const ENTRA_SIGNIN_CATEGORIES = [
  'signinlogs', 'noninteractiveusersigninlogs', 'serviceprincipalsigninlogs', 'managedidentitysigninlogs', 'adfssigninlogs',
];
export const ENTRA_CATEGORIES = [...ENTRA_SIGNIN_CATEGORIES, 'auditlogs', 'provisioninglogs', 'riskyusers', 'userriskevents',
  'riskyserviceprincipals', 'serviceprincipalriskevents', 'microsoftgraphactivitylogs'];

/** Path segments after a key/secret id in a request URI that are operations, not versions. */
export const URI_OPERATIONS = ['sign', 'verify', 'encrypt', 'decrypt', 'wrapkey', 'unwrapkey', 'rotate', 'release',
  'backup', 'restore', 'recover', 'create', 'import', 'rotationpolicy', 'versions'];

/** `WHEN <expr> = 'k' THEN 'v'` arms; keys and verbs are constants of this module. */
export function caseArms(expr: string, table: Readonly<Record<string, string>>): string {
  return Object.entries(table).map(([k, v]) => `WHEN ${expr} = '${k.replace(/'/g, "''")}' THEN '${v}'`).join(' ');
}

/** A SQL list of string literals (constants of this module). */
export function sqlList(values: readonly string[]): string {
  return values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ');
}
