import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/database.js';
import type { Row } from '../../src/store/values.js';
import { ROOT, fixtureDir, realdata } from '../helpers/paths.js';
import { storeWith } from '../helpers/store.js';

let store: Store | undefined;
afterEach(() => store?.close());

type Rec = Record<string, unknown>;

function lines(p: string): string[] {
  return fs.readFileSync(p, 'utf8').split('\n').filter((l) => l.trim() !== '');
}

const fixture = (name: string): string => path.join(ROOT, 'test/fixtures/gcp', name);

/** The acceptance rule, written independently of the SQL: an AuditLog payload with a method and a usable time. */
function usable(r: Rec): boolean {
  const pp = (typeof r.protoPayload === 'object' && r.protoPayload ? r.protoPayload : r.protopayload) as Rec | undefined;
  if (!pp || typeof pp !== 'object' || typeof pp.methodName !== 'string') return false;
  const rm = pp.requestMetadata as Rec | undefined;
  const ra = rm && typeof rm === 'object' ? (rm.requestAttributes as Rec | undefined) : undefined;
  const times = [r.timestamp, ra?.time, r.receiveTimestamp ?? r.receivetimestamp];
  return times.some((t) => typeof t === 'string' && !Number.isNaN(Date.parse(t.includes('T') ? t : t.replace(' ', 'T') + 'Z')));
}

describe('gcp-audit adapter on the real records', () => {
  it('reads the Elastic iamcredentials entry: a workload-identity caller minting a token', async () => {
    const r = await storeWith([realdata('gcp', 'elastic_gcp_audit_test-iamcredentials-googleapis-com.log')]);
    store = r.store;
    expect(r.files[0]).toMatchObject({ adapter: 'gcp-audit', records: 1, inserted: 1, rejected: 0 });
    const e = await store.one<Row>('SELECT * FROM events');
    expect(e).toMatchObject({
      source: 'gcp.audit',
      action: 'credential.assume',
      native_action: 'iamcredentials:GenerateAccessToken',
      outcome: 'success',
      actor_type: 'workload_identity',
      target: 'made-up-ci-account@project-id.iam.gserviceaccount.com',
      target_type: 'service_account',
      source_ip: '175.16.199.45',
      user_agent: 'Go-http-client/2.0',
      // Nine fractional digits: TIMESTAMPTZ keeps six, the raw string keeps the rest.
      ts_raw: '2024-11-19T00:49:55.293368631Z',
    });
    expect(e!.actor).toMatch(/^principal:\/\/iam\.googleapis\.com\/projects\/project-id\/locations\/global\/workloadIdentityPools\//);
    expect(e!.principal).toBe(e!.actor);
    const details = JSON.parse(e!.details as string) as Rec;
    expect(details).toMatchObject({
      log: 'data_access',
      delegation_chain: ['projects/-/serviceAccounts/made-up-ci-account@project-id.iam.gserviceaccount.com'],
    });
  });

  it('accounts for all 147 Panther records: 124 stored, 4 exact duplicates, 19 rejected with a reason', async () => {
    const p = realdata('gcp', 'panther_GCP_AuditLog.panther.ndjson');
    const text = lines(p);
    const records = text.map((l) => JSON.parse(l) as Rec);
    const ok = records.filter(usable);
    const distinct = new Set(ok.map((x) => JSON.stringify(x))).size;
    const r = await storeWith([p]);
    store = r.store;
    const f = r.files[0];
    expect(f).toMatchObject({ adapter: 'gcp-audit', records: 147, inserted: 124, duplicates: 4, rejected: 19 });
    // The same numbers from the rule above, so neither side can drift alone.
    expect([f.records, f.rejected, f.inserted]).toEqual([records.length, records.length - ok.length, distinct]);
    const rej = await store.all<{ reason: string; line_no: number }>('SELECT reason, line_no FROM rejects ORDER BY line_no');
    expect(rej).toHaveLength(19);
    expect(rej.every((x) => /no protoPayload\.methodName|missing or unparseable timestamp/.test(x.reason) && x.line_no > 0)).toBe(true);
    // Lines that hold only a methodName (no protoPayload, no time) are among them.
    const bare = records.flatMap((x, i) => (Object.keys(x).join() === 'methodName' ? [i + 1] : []));
    expect(bare.length).toBeGreaterThan(0);
    expect(bare.every((line) => rej.some((x) => x.line_no === line))).toBe(true);
  });

  it('reads lower-cased Panther keys (protopayload, insertid, logname) and prefers camel case when both exist', async () => {
    const p = realdata('gcp', 'panther_GCP_AuditLog.panther.ndjson');
    const records = lines(p).map((l) => JSON.parse(l) as Rec);
    const r = await storeWith([p]);
    store = r.store;
    const lowerOnly = records.flatMap((x, i) => (x.protopayload && !x.protoPayload && usable(x) ? [i + 1] : []));
    expect(lowerOnly.length).toBeGreaterThan(0);
    const stored = await store.all<{ record_no: number; native_action: string }>(
      `SELECT record_no, native_action FROM events WHERE record_no IN (${lowerOnly.join(',')})`,
    );
    expect(stored.length).toBe(lowerOnly.length);
    expect(stored.every((x) => x.native_action.includes(':'))).toBe(true);
    // Line 2 carries insertId/insertid and logName/logname with different values.
    const both = records[1];
    expect(both.insertId).not.toBe(both.insertid);
    const d = await store.one<{ details: string }>('SELECT details FROM events WHERE record_no = 2');
    expect(JSON.parse(d!.details)).toMatchObject({ insert_id: both.insertId, log: 'policy' });
  });

  it('maps the Panther KMS, IAM and IAM Credentials records to canonical verbs', async () => {
    const r = await storeWith([realdata('gcp', 'panther_GCP_AuditLog.panther.ndjson')]);
    store = r.store;
    const rows = await store.all<Row>(
      "SELECT native_action, action, outcome, error_code, target, target_version, credential_id, issued_credential_id FROM events WHERE native_action LIKE 'cloudkms:%' OR native_action LIKE 'iam%' ORDER BY record_no",
    );
    const verbs = (name: string): unknown[] => rows.filter((x) => x.native_action === name).map((x) => x.action);
    expect(new Set(verbs('cloudkms:SetIamPolicy'))).toEqual(new Set(['key.policy_change']));
    expect(verbs('cloudkms:DestroyCryptoKeyVersion')).toEqual(['key.delete']);
    // One UpdateCryptoKeyVersion disables the version, the other re-enables it.
    expect(verbs('cloudkms:UpdateCryptoKeyVersion').sort()).toEqual(['key.disable', 'other']);
    expect(new Set(verbs('cloudkms:Encrypt'))).toEqual(new Set(['other']));
    expect(new Set(verbs('iamcredentials:SignJwt'))).toEqual(new Set(['credential.assume']));
    const disable = rows.find((x) => x.action === 'key.disable')!;
    expect(disable).toMatchObject({ target: 'projects/test-project/locations/us/keyRings/test-keyring/cryptoKeys/test-key', target_version: '1' });
    const refused = rows.find((x) => x.native_action === 'cloudkms:Encrypt' && x.outcome !== 'success')!;
    expect(refused).toMatchObject({ outcome: 'failure', error_code: 'FAILED_PRECONDITION' });
    const key = rows.find((x) => x.action === 'credential.create')!;
    expect(key.issued_credential_id).toBe('//iam.googleapis.com/projects/gcp-project1/serviceAccounts/created-service-account@gcp-project1.iam.gserviceaccount.com/keys/69049163b190437ab9279b28e8afa24bb5c5b076');
    const jwt = rows.find((x) => x.native_action === 'iamcredentials:SignJwt')!;
    expect(jwt.credential_id).toMatch(/^\/\/iam\.googleapis\.com\/projects\/some-project\/serviceAccounts\/.+\/keys\/[0-9a-f]{40}$/);
    const denied = await store.one<Row>("SELECT outcome, error_code FROM events WHERE native_action = 'storage:google.storage.objects.get' AND outcome <> 'success'");
    expect(denied).toEqual({ outcome: 'denied', error_code: 'PERMISSION_DENIED' });
    const noPrincipal = await store.one<{ n: number }>('SELECT count(*) AS n FROM events WHERE principal IS NULL OR actor IS NULL');
    expect(noPrincipal!.n).toBe(0);
  });
});

describe('gcp-audit adapter on the signing fixtures (Cloud KMS AsymmetricSign, Secret Manager)', () => {
  const KEY = 'projects/acme-release/locations/global/keyRings/release/cryptoKeys/cosign';

  it('maps AsymmetricSign: key without version as target, version kept, federated repo and ref parsed', async () => {
    const r = await storeWith([fixture('acme-release.data_access.ndjson')]);
    store = r.store;
    expect(r.files[0]).toMatchObject({ adapter: 'gcp-audit', records: 8, inserted: 8, rejected: 0 });
    const signs = await store.all<Row>("SELECT * FROM events WHERE action = 'key.sign' ORDER BY ts");
    expect(signs).toHaveLength(4);
    expect(signs.every((x) => x.target === KEY && x.target_version === '1' && x.target_type === 'kms_key')).toBe(true);
    // 1: a GitHub job impersonates the signer account through workload identity federation.
    expect(signs[0]).toMatchObject({
      principal: 'release-signer@acme-release.iam.gserviceaccount.com', actor_type: 'service_account',
      repo: 'acme/release-tools', ref: 'refs/tags/v2.3.0', credential_id: null, ts_raw: '2025-03-04T09:12:44.902318436Z',
    });
    expect((JSON.parse(signs[0].details as string) as Rec).delegated_by).toMatch(/workloadIdentityPools\/github-actions\/subject\/repo:acme\/release-tools:/);
    // 2: the federated principal acts directly.
    expect(signs[1]).toMatchObject({ actor_type: 'workload_identity', repo: 'acme/release-tools', ref: 'refs/heads/main' });
    // 3: a user-managed key of the same account, from outside CI.
    expect(signs[2]).toMatchObject({ source_ip: '185.220.101.47', repo: null });
    expect(signs[2].credential_id).toMatch(/\/keys\/4f1c0d9e2b7a65c3e8d1f0a9b2c3d4e5f6a7b8c9$/);
    // 4: refused (status.code 7).
    expect(signs[3]).toMatchObject({ outcome: 'denied', error_code: 'PERMISSION_DENIED', principal: 'j.doe@acme.example' });
    expect(signs.every((x) => x.raw !== null)).toBe(true);
  });

  it('maps Secret Manager methods on their fully qualified names; the secret is the target, its version kept', async () => {
    const r = await storeWith([fixture('acme-release.data_access.ndjson')]);
    store = r.store;
    const rows = await store.all<Row>("SELECT action, outcome, target, target_type, target_version, principal FROM events WHERE native_action LIKE 'secretmanager:%' ORDER BY ts");
    expect(rows).toEqual([
      { action: 'secret.read', outcome: 'success', target: 'projects/318440961207/secrets/cosign-private-key', target_type: 'secret', target_version: '3', principal: 'ci-builder@acme-release.iam.gserviceaccount.com' },
      { action: 'secret.read', outcome: 'denied', target: 'projects/318440961207/secrets/cosign-private-key', target_type: 'secret', target_version: 'latest', principal: 'j.doe@acme.example' },
      // AddSecretVersion names the secret; the new version comes from the response.
      { action: 'secret.write', outcome: 'success', target: 'projects/318440961207/secrets/cosign-private-key', target_type: 'secret', target_version: '4', principal: 'secops@acme.example' },
    ]);
    const pk = await store.one<Row>("SELECT target, target_version FROM events WHERE action = 'key.get_public'");
    expect(pk).toEqual({ target: KEY, target_version: '1' });
  });

  it('reads gcloud logging read --format=json arrays: a version disabled, a new version created', async () => {
    const r = await storeWith([fixture('acme-release.gcloud-logging-read.json')]);
    store = r.store;
    expect(r.files[0]).toMatchObject({ adapter: 'gcp-audit', records: 2, inserted: 2, rejected: 0 });
    const rows = await store.all<Row>('SELECT action, target, target_version FROM events ORDER BY ts');
    expect(rows).toEqual([
      { action: 'key.disable', target: KEY, target_version: '1' },
      { action: 'key.create', target: KEY, target_version: '2' },
    ]);
  });

  it('stores an entry once when the same LogEntry arrives as NDJSON and in a gcloud array', async () => {
    const entries = lines(fixture('acme-release.data_access.ndjson')).slice(0, 3).map((l) => JSON.parse(l) as Rec);
    const dir = fixtureDir({ 'a.ndjson': entries.map((e) => JSON.stringify(e)).join('\n'), 'b.json': JSON.stringify(entries, null, 2) });
    const r = await storeWith([dir]);
    store = r.store;
    expect(r.files.map((f) => [f.inserted, f.duplicates])).toEqual([[3, 0], [0, 3]]);
  });

  it('reads an entries.list page {"entries":[…]} and names Google as the principal of a system event', async () => {
    const entries = lines(fixture('acme-release.data_access.ndjson')).slice(0, 2).map((l) => JSON.parse(l) as Rec);
    // A system_event entry: Google acted on its own, authenticationInfo is empty.
    const system = {
      protoPayload: {
        '@type': 'type.googleapis.com/google.cloud.audit.AuditLog', status: {}, authenticationInfo: {}, requestMetadata: { requestAttributes: {}, destinationAttributes: {} },
        serviceName: 'compute.googleapis.com', methodName: 'compute.instances.migrateOnHostMaintenance',
        resourceName: 'projects/acme-release/zones/us-central1-a/instances/release-runner-7', request: { '@type': 'type.googleapis.com/compute.instances.migrateOnHostMaintenance' },
      },
      insertId: '-pq4r2se1xk7b', resource: { type: 'gce_instance', labels: { project_id: 'acme-release', zone: 'us-central1-a', instance_id: '7302886518294625173' } },
      timestamp: '2025-03-05T03:14:09.731000Z', severity: 'INFO', logName: 'projects/acme-release/logs/cloudaudit.googleapis.com%2Fsystem_event',
      operation: { id: 'systemevent-1741144449731-62f8a1c3e5d07-8c4b2a61-3e9f0d75', producer: 'compute.instances.migrateOnHostMaintenance', first: true, last: true },
      receiveTimestamp: '2025-03-05T03:14:10.402117958Z',
    };
    const dir = fixtureDir({ 'page.json': JSON.stringify({ entries: [...entries, system], nextPageToken: 'EAA4suKu3qnLwbtrSg' }, null, 2) });
    const r = await storeWith([dir]);
    store = r.store;
    expect(r.files[0]).toMatchObject({ adapter: 'gcp-audit', records: 3, inserted: 3, rejected: 0 });
    const sys = await store.one<Row>("SELECT principal, actor, action, target, ts_raw FROM events WHERE native_action LIKE 'compute:%'");
    expect(sys).toEqual({ principal: 'system:compute.googleapis.com', actor: 'unknown', action: 'other', target: 'projects/acme-release/zones/us-central1-a/instances/release-runner-7', ts_raw: null });
  });

  it('rejects an entry without a usable timestamp, with its line, and keeps the others', async () => {
    const [good] = lines(fixture('acme-release.data_access.ndjson'));
    const broken = JSON.parse(good) as Rec;
    broken.timestamp = 'not a time';
    delete broken.receiveTimestamp;
    delete ((broken.protoPayload as Rec).requestMetadata as Rec).requestAttributes;
    const dir = fixtureDir({ 'x.ndjson': [good, '', JSON.stringify(broken)].join('\n') });
    const r = await storeWith([dir]);
    store = r.store;
    expect(r.files[0]).toMatchObject({ records: 2, inserted: 1, rejected: 1 });
    const rej = await store.one<{ reason: string; line_no: number }>('SELECT reason, line_no FROM rejects');
    expect(rej).toEqual({ reason: 'missing or unparseable timestamp: not a time', line_no: 3 });
  });
});
