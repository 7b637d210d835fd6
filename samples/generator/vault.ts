/**
 * HashiCorp Vault file audit device lines: for every request a `request` line and a `response`
 * line sharing `request.id`, JSON with keys in Vault's order (time, type, auth, request, response,
 * error), nanosecond times, and every string value of tokens, accessors and request/response data
 * replaced by `hmac-sha256:<hex>` keyed with the audit device's salt (booleans and numbers stay in
 * clear). Shapes follow ../shared/realdata/vault and a Vault 1.17 audit log (mount_point,
 * mount_class, mount_running_version, remote_port, policy_results, client_id).
 *
 * Files rotate weekly (logrotate style): `vault-audit.log-YYYYMMDD` holds the week before that
 * date; `vault-audit.log` is the current file.
 */
import { createHmac } from 'node:crypto';
import type { Rng } from './random.js';
import {
  ATTACKER_IP, BASELINE_START, DATA_END, OFFICE_IP, T, VAULT, VAULT_TRANSIT_KEY, plus, type Story,
} from './story.js';

export type VaultLine = Record<string, unknown>;

/** The audit device's HMAC salt (Vault keeps it in its barrier; `sys/audit-hash` uses it). */
export const AUDIT_SALT = 'acme-vault-file-audit-salt-2024';

export function hmac(value: string): string {
  return `hmac-sha256:${createHmac('sha256', AUDIT_SALT).update(value).digest('hex')}`;
}

interface Token {
  token: string;
  accessor: string;
  displayName: string;
  entityId: string;
  policies: string[];
  metadata: Record<string, string>;
  ttl: number;
  issued: Date;
}

interface Mount {
  accessor: string;
  class: 'auth' | 'secret';
  point: string;
  type: string;
  version: string;
}

const MOUNTS = {
  approle: { accessor: 'auth_approle_4f1c2a7e', class: 'auth', point: 'auth/approle/', type: 'approle', version: 'v1.17.6+builtin.vault' },
  kubernetes: { accessor: 'auth_kubernetes_9b3d5e21', class: 'auth', point: 'auth/kubernetes/', type: 'kubernetes', version: 'v0.19.0+builtin' },
  token: { accessor: 'auth_token_5be3eba0', class: 'auth', point: 'auth/token/', type: 'token', version: 'v1.17.6+builtin.vault' },
  transit: { accessor: 'transit_7c2e9f14', class: 'secret', point: 'transit/', type: 'transit', version: 'v1.17.6+builtin.vault' },
  kv: { accessor: 'kv_b15426f7', class: 'secret', point: 'secret/', type: 'kv', version: 'v0.20.0+builtin' },
} satisfies Record<string, Mount>;

/** HMACs every string in request/response data, as the audit device does; other types stay in clear. */
function hashData(value: unknown): unknown {
  if (typeof value === 'string') return hmac(value);
  if (Array.isArray(value)) return value.map(hashData);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, hashData(v)]));
  return value;
}

function nanoTime(d: Date, rng: Rng): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, (_m, ms: string) => `.${ms}${String(rng.int(0, 999_999)).padStart(6, '0')}Z`);
}

function authBlock(t: Token, allowed = true): Record<string, unknown> {
  return {
    client_token: hmac(t.token),
    accessor: hmac(t.accessor),
    display_name: t.displayName,
    policies: t.policies,
    token_policies: t.policies,
    policy_results: {
      allowed,
      granting_policies: t.policies.map((name) => ({ name, namespace_id: 'root', type: 'acl' })),
    },
    metadata: t.metadata,
    entity_id: t.entityId,
    token_type: 'service',
    token_ttl: t.ttl,
    token_issue_time: t.issued.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
}

class AuditWriter {
  readonly lines: { time: number; line: VaultLine }[] = [];
  constructor(private readonly rng: Rng) {}

  newToken(displayName: string, entityId: string, policies: string[], metadata: Record<string, string>, ttl: number, issued: Date): Token {
    return {
      token: `hvs.CAESI${this.rng.chars(84)}`,
      accessor: this.rng.chars(24),
      displayName, entityId, policies, metadata, ttl, issued,
    };
  }

  /** One request/response pair. */
  pair(o: {
    time: Date;
    token?: Token;
    /** Auth block for requests made without a valid token (logins, revoked tokens). */
    bareAuth?: Record<string, unknown>;
    mount: Mount;
    operation: string;
    path: string;
    data?: Record<string, unknown>;
    responseData?: Record<string, unknown>;
    responseAuth?: Token;
    remote: string;
    error?: { request?: string; response: string };
  }): void {
    const request: Record<string, unknown> = {
      id: this.rng.uuid(),
      ...(o.token ? { client_id: o.token.entityId, client_token: hmac(o.token.token), client_token_accessor: hmac(o.token.accessor) } : {}),
      operation: o.operation,
      mount_point: o.mount.point,
      mount_type: o.mount.type,
      mount_accessor: o.mount.accessor,
      mount_running_version: o.mount.version,
      mount_class: o.mount.class,
      namespace: { id: 'root' },
      path: o.path,
      // A request with an unknown or revoked token still names the token it presented.
      ...(!o.token && typeof o.bareAuth?.client_token === 'string' ? { client_token: o.bareAuth.client_token } : {}),
      ...(o.data ? { data: hashData(o.data) } : {}),
      remote_address: o.remote,
      remote_port: this.rng.int(32768, 60999),
    };
    const auth = o.token ? authBlock(o.token) : o.bareAuth ?? { policy_results: { allowed: true }, token_type: 'default' };
    const t1 = nanoTime(o.time, this.rng);
    const reqLine: VaultLine = { time: t1, type: 'request', auth, request };
    if (o.error?.request) reqLine.error = o.error.request;
    this.lines.push({ time: o.time.getTime(), line: reqLine });

    const response: Record<string, unknown> = {
      mount_type: o.mount.type,
      mount_accessor: o.mount.accessor,
      mount_running_plugin_version: o.mount.version,
      mount_point: o.mount.point,
      mount_class: o.mount.class,
    };
    if (o.responseAuth) {
      const ra = authBlock(o.responseAuth);
      delete ra.policy_results;
      response.auth = ra;
    }
    if (o.responseData) response.data = hashData(o.responseData);
    // A login's response line carries the new token as its auth; other responses repeat the request's.
    const respLine: VaultLine = { time: nanoTime(plus(o.time, 0.004), this.rng), type: 'response', auth: o.responseAuth ? response.auth : auth, request, response };
    if (o.error) respLine.error = o.error.response;
    this.lines.push({ time: o.time.getTime() + 4, line: respLine });
  }
}

const APPROLE_POLICIES = ['default', 'ledger-release'];

/** Every audit line of the story, sorted by time. */
export function vaultLines(story: Story, rng: Rng): VaultLine[] {
  const w = new AuditWriter(rng);
  const r = rng.fork('baseline');
  const roleId = 'd6b1f0a2-5c3e-4b7a-9e8d-0f1a2b3c4d5e';
  const secretIdv1 = 'e7c2a1b3-6d4f-4a8b-8c9e-1a2b3c4d5e6f';

  const approleLogin = (time: Date, remote: string, secretId: string): Token => {
    const tok = w.newToken('approle', VAULT.approleEntity, APPROLE_POLICIES, { role_name: VAULT.approleRole }, 1200, time);
    w.pair({ time, mount: MOUNTS.approle, operation: 'update', path: 'auth/approle/login', data: { role_id: roleId, secret_id: secretId }, responseAuth: tok, remote });
    return tok;
  };
  const transitSign = (time: Date, tok: Token, remote: string, input: string, keyVersion: number): void => {
    w.pair({
      time, token: tok, mount: MOUNTS.transit, operation: 'update', path: `transit/sign/${VAULT_TRANSIT_KEY}`, remote,
      data: { input, hash_algorithm: 'sha2-256', prehashed: true },
      responseData: { signature: `vault:v${keyVersion}:${rng.chars(96)}`, key_version: keyVersion },
    });
  };

  // --- releases: the sign job logs in with the CI AppRole and signs the apt repository's Release file
  for (const rel of story.releases) {
    const ip = rel.signRunner.egressIp;
    const tok = approleLogin(rel.vaultLoginTime, ip, secretIdv1);
    transitSign(rel.vaultSignTime, tok, ip, Buffer.from(`Release ${rel.version}`).toString('base64'), 3);
    w.pair({ time: plus(rel.run.jobs[1].completedAt, -2), token: tok, mount: MOUNTS.token, operation: 'update', path: 'auth/token/revoke-self', remote: ip });
  }

  // --- the API reads its configuration at 06:1x and 18:1x -------------------------------------------
  const days = Math.round((DATA_END.getTime() - BASELINE_START.getTime()) / 86_400_000);
  for (let day = 0; day < days; day++) {
    const d0 = plus(BASELINE_START, day * 86_400);
    for (const hour of [6, 18]) {
      const t = plus(d0, hour * 3600 + 10 * 60 + r.int(0, 240));
      const pod = `10.20.${r.int(1, 6)}.${r.int(10, 250)}`;
      const tok = w.newToken('kubernetes-ledger-ledger-api', VAULT.apiEntity, ['default', 'ledger-api'], {
        role: 'ledger-api', service_account_name: 'ledger-api', service_account_namespace: 'ledger', service_account_uid: '7e1c9a4b-2d3f-4e5a-8b6c-9d0e1f2a3b4c',
      }, 3600, t);
      w.pair({ time: t, mount: MOUNTS.kubernetes, operation: 'update', path: 'auth/kubernetes/login', data: { role: 'ledger-api', jwt: `eyJhbGciOiJSUzI1NiJ9.${r.chars(40)}` }, responseAuth: tok, remote: pod });
      w.pair({
        time: plus(t, 0.2), token: tok, mount: MOUNTS.kv, operation: 'read', path: 'secret/data/ledger/config', remote: pod,
        responseData: {
          data: { log_level: 'info', region: 'us-east-1', feature_flags: 'ledger-v2-reconcile' },
          metadata: { created_time: '2025-08-21T09:14:52.118723904Z', custom_metadata: null, deletion_time: '', destroyed: false, version: 7 },
        },
      });
    }
  }

  // --- the attacker, with VAULT_ROLE_ID / VAULT_SECRET_ID taken from the rogue job ---------------
  const stolen = approleLogin(T.vaultLogin, ATTACKER_IP, secretIdv1);
  transitSign(T.vaultSign1, stolen, ATTACKER_IP, Buffer.from('Release 1.4.6').toString('base64'), 3);
  transitSign(T.vaultSign2, stolen, ATTACKER_IP, Buffer.from('InRelease 1.4.6').toString('base64'), 3);

  // --- containment ---------------------------------------------------------------------------------
  const mei = w.newToken('oidc-mchen@acme.example', VAULT.securityEntity, ['default', 'security-admin'], { role: 'security', username: 'mchen@acme.example' }, 3600, new Date('2025-10-07T08:58:41Z'));
  w.pair({
    time: T.rotateVaultKey, token: mei, mount: MOUNTS.transit, operation: 'update', path: `transit/keys/${VAULT_TRANSIT_KEY}/rotate`, remote: OFFICE_IP,
    responseData: { name: VAULT_TRANSIT_KEY, type: 'ecdsa-p256', latest_version: 4, min_decryption_version: 1, min_encryption_version: 0, supports_signing: true },
  });
  w.pair({
    time: T.revokeAttackerToken, token: mei, mount: MOUNTS.token, operation: 'update', path: 'auth/token/revoke-accessor', remote: OFFICE_IP,
    data: { accessor: stolen.accessor },
  });
  w.pair({
    time: T.destroySecretId, token: mei, mount: MOUNTS.approle, operation: 'update', path: `auth/approle/role/${VAULT.approleRole}/secret-id/destroy`, remote: OFFICE_IP,
    data: { secret_id: secretIdv1 },
  });

  // --- the attacker's revoked token is refused; so is a fresh login with the destroyed secret id ---
  w.pair({
    time: T.vaultSignDenied, mount: MOUNTS.transit, operation: 'update', path: `transit/sign/${VAULT_TRANSIT_KEY}`, remote: ATTACKER_IP,
    bareAuth: { client_token: hmac(stolen.token), policy_results: { allowed: false }, token_type: 'default' },
    data: { input: Buffer.from('Release 1.4.7').toString('base64'), hash_algorithm: 'sha2-256', prehashed: true },
    error: { request: 'permission denied', response: '1 error occurred:\n\t* permission denied\n\n' },
  });
  w.pair({
    time: T.vaultLoginFailed, mount: MOUNTS.approle, operation: 'update', path: 'auth/approle/login', remote: ATTACKER_IP,
    data: { role_id: roleId, secret_id: secretIdv1 },
    error: { response: 'invalid role or secret ID' },
  });

  return w.lines
    .filter((l) => l.time <= DATA_END.getTime())
    .sort((a, b) => a.time - b.time)
    .map((l) => l.line);
}

/** Weekly files; the newest is the live `vault-audit.log`. */
export function vaultFiles(lines: readonly VaultLine[]): Map<string, string> {
  const byWeek = new Map<string, string[]>();
  for (const l of lines) {
    const d = new Date((l.time as string).replace(/(\.\d{3})\d*Z$/, '$1Z'));
    const nextMonday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + (((8 - d.getUTCDay()) % 7) || 7)));
    const stamp = nextMonday.toISOString().slice(0, 10).replaceAll('-', '');
    const name = nextMonday.getTime() > DATA_END.getTime() ? 'vault/vault-audit.log' : `vault/vault-audit.log-${stamp}`;
    if (!byWeek.has(name)) byWeek.set(name, []);
    byWeek.get(name)!.push(JSON.stringify(l));
  }
  return new Map([...byWeek].map(([k, v]) => [k, v.join('\n') + '\n']));
}
