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

const fixture = (name: string): string => path.join(ROOT, 'test/fixtures/azure', name);
const KEY = 'https://acme-release-kv.vault.azure.net/keys/cosign';
const SECRET = 'https://acme-release-kv.vault.azure.net/secrets/cosign-private-key';

describe('azure adapter on the real records', () => {
  it("reads Microsoft's Key Vault AuditEvent blob: claims as URIs, seven fractional digits, string durationMs", async () => {
    const r = await storeWith([realdata('azure', 'msdocs_keyvault_AuditEvent_VaultGet.records.json')]);
    store = r.store;
    expect(r.files[0]).toMatchObject({ adapter: 'azure', records: 1, inserted: 1, rejected: 0 });
    const e = await store.one<Row>('SELECT * FROM events');
    expect(e).toMatchObject({
      source: 'azure.keyvault', action: 'other', native_action: 'VaultGet', outcome: 'success',
      actor: 'live.com#username@outlook.com', principal: 'live.com#username@outlook.com', actor_type: 'user',
      source_ip: '104.40.82.76', user_agent: 'azure-resource-manager/2.0',
      target: 'https://contosokeyvault.vault.azure.net/', target_type: 'key_vault',
      ts: '2016-01-05T01:32:01.269122Z', ts_raw: '2016-01-05T01:32:01.2691226Z',
    });
    expect(e!.event_uid).toMatch(/^azure\.keyvault:[0-9a-f]{32}$/);
    expect(JSON.parse(e!.details as string)).toMatchObject({ duration_ms: 78, result_signature: 'OK', category: 'AuditEvent' });
  });

  it('routes all 48 Panther Azure_Audit records to azure.entra: 47 stored, 1 exact duplicate', async () => {
    const p = realdata('azure', 'panther_Azure_Audit.panther.ndjson');
    const records = lines(p).map((l) => JSON.parse(l) as Rec);
    const r = await storeWith([p]);
    store = r.store;
    expect(r.files[0]).toMatchObject({ adapter: 'azure', records: 48, inserted: 47, duplicates: 1, rejected: 0 });
    expect(r.files[0].inserted).toBe(new Set(records.map((x) => JSON.stringify(x))).size);
    const sources = await store.all<{ source: string }>('SELECT DISTINCT source FROM events');
    expect(sources).toEqual([{ source: 'azure.entra' }]);
    const signIns = new Set(records.filter((x) => /SignInLogs$/.test(String(x.category))).map((x) => JSON.stringify(x))).size;
    const logins = await store.one<{ n: number }>("SELECT count(*) AS n FROM events WHERE action = 'auth.login'");
    expect(logins!.n).toBe(signIns);
    // Lower-cased Panther keys (operationname, calleripaddress, resulttype) are read.
    const lower = records.filter((x) => x.operationname !== undefined).length;
    expect(lower).toBe(11);
    const failed = await store.one<Row>("SELECT outcome, error_code, source_ip FROM events WHERE error_code = '7000215' LIMIT 1");
    expect(failed).toEqual({ outcome: 'failure', error_code: '7000215', source_ip: '12.12.12.12' });
    const cred = await store.one<Row>("SELECT actor, target FROM events WHERE action = 'credential.create'");
    expect(cred).toEqual({ actor: 'frodo@lotr.com', target: 'Production API Service' });
  });

  it('reads all 214 Panther Activity Log records: operationName as object or in any case, 212 stored', async () => {
    const p = realdata('azure', 'panther_Azure_MonitorActivity.panther.ndjson');
    const r = await storeWith([p]);
    store = r.store;
    expect(r.files[0]).toMatchObject({ adapter: 'azure', records: 214, inserted: 212, duplicates: 2, rejected: 0 });
    const obj = await store.one<Row>("SELECT native_action, actor, source FROM events WHERE native_action = 'Microsoft.Authorization/elevateAccess/action'");
    expect(obj).toEqual({ native_action: 'Microsoft.Authorization/elevateAccess/action', actor: 'attacker@example.com', source: 'azure.activity' });
    // The same operation in two letter cases maps to the same verb and the same lower-case vault URI.
    const deletes = await store.all<Row>("SELECT native_action, action, target FROM events WHERE lower(native_action) = 'microsoft.keyvault/vaults/delete' ORDER BY record_no");
    expect(new Set(deletes.map((x) => x.native_action))).toEqual(new Set(['Microsoft.KeyVault/vaults/delete', 'microsoft.keyvault/vaults/delete']));
    expect(deletes.every((x) => x.action === 'key.delete' && typeof x.target === 'string' && /^https:\/\/[a-z0-9-]+\.vault\.azure\.net\/$/.test(x.target))).toBe(true);
    const verbs = await store.all<Row>(
      "SELECT lower(native_action) AS op, action, target FROM events WHERE lower(native_action) LIKE 'microsoft.keyvault/vaults/secrets/%' OR lower(native_action) LIKE 'microsoft.keyvault/vaults/keys/%' ORDER BY record_no",
    );
    expect(verbs.find((x) => x.op === 'microsoft.keyvault/vaults/secrets/getsecret/action')).toMatchObject({
      action: 'secret.read', target: 'https://myvault.vault.azure.net/secrets/database-password',
    });
    expect(verbs.find((x) => x.op === 'microsoft.keyvault/vaults/keys/purge/action')!.action).toBe('key.delete');
    // Role assignments at subscription scope are not key policy changes.
    const ra = await store.all<Row>("SELECT action, target_type FROM events WHERE native_action = 'Microsoft.Authorization/roleAssignments/write'");
    expect(ra.length).toBe(3);
    expect(ra.every((x) => x.action === 'other' && x.target_type === 'microsoft.authorization/roleassignments')).toBe(true);
    const denied = await store.one<{ n: number }>("SELECT count(*) AS n FROM events WHERE outcome = 'denied' AND error_code = '403'");
    expect(denied!.n).toBe(5);
    const noPrincipal = await store.one<{ n: number }>('SELECT count(*) AS n FROM events WHERE principal IS NULL');
    expect(noPrincipal!.n).toBe(0);
  });
});

describe('azure adapter on the Key Vault fixtures (KeySign, SecretGet)', () => {
  it('maps KeySign: key URI without version as target, version kept, outcomes told apart', async () => {
    const r = await storeWith([fixture('acme-release-kv.insights-logs-auditevent.json')]);
    store = r.store;
    expect(r.files[0]).toMatchObject({ adapter: 'azure', records: 7, inserted: 7, rejected: 0 });
    const signs = await store.all<Row>("SELECT * FROM events WHERE action = 'key.sign' ORDER BY ts");
    expect(signs.map((x) => [x.outcome, x.error_code, x.principal])).toEqual([
      // The SDK's first, token-less request: a 401 challenge, not an attacker being refused.
      ['failure', 'Unauthorized', 'unknown'],
      ['success', null, '0c7f3b1e-5a2d-4e8f-9b6c-1d2e3f4a5b6c'],
      ['success', null, 'j.doe@acme.example'],
      ['denied', 'Forbidden', 'contractor@acme.example'],
    ]);
    expect(signs.every((x) => x.target === KEY && x.target_version === '6b3c2f9a0e1d4c7b8a5f3e2d1c0b9a87' && x.target_type === 'key_vault_key')).toBe(true);
    expect(signs[1]).toMatchObject({ actor_type: 'service_principal', source_ip: '20.171.207.133', user_agent: 'azsdk-go-azkeys/v1.3.0 (go1.23.6; linux)' });
    expect(JSON.parse(signs[1].details as string)).toMatchObject({ is_rbac_authorized: true, duration_ms: 31, http_status: '200' });
    const rows = await store.all<Row>("SELECT action, target, target_version FROM events WHERE action <> 'key.sign' ORDER BY ts");
    expect(rows).toEqual([
      { action: 'key.get_public', target: KEY, target_version: '6b3c2f9a0e1d4c7b8a5f3e2d1c0b9a87' },
      { action: 'secret.read', target: SECRET, target_version: '0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b' },
      // KeyRotate names the new version in properties.id; the request URI ends in /rotate.
      { action: 'key.rotate', target: KEY, target_version: '2d4f6a8c0e1b3d5f7a9c1e3b5d7f9a0c' },
    ]);
  });

  it('maps SecretGet from an Event Hub NDJSON copy with short claim names (managed identity)', async () => {
    const r = await storeWith([fixture('acme-release-kv.eventhub.ndjson')]);
    store = r.store;
    expect(r.files[0]).toMatchObject({ adapter: 'azure', records: 2, inserted: 2, rejected: 0 });
    const get = await store.one<Row>("SELECT * FROM events WHERE action = 'secret.read'");
    expect(get).toMatchObject({
      source: 'azure.keyvault', target: SECRET, actor_type: 'managed_identity', source_ip: '10.42.3.17',
      principal: '/subscriptions/5f1c2d3e-8a9b-4c7d-9e0f-1a2b3c4d5e6f/resourcegroups/release-rg/providers/microsoft.managedidentity/userassignedidentities/release-runner-mi',
    });
    const set = await store.one<Row>("SELECT action, target_version FROM events WHERE native_action = 'SecretSet'");
    expect(set).toEqual({ action: 'secret.write', target_version: '5b6c7d8e9f0a4b1c2d3e4f5a6b7c8d9e' });
  });

  it('reads the Activity Log REST shape: a role granted on the vault is a key policy change', async () => {
    const r = await storeWith([fixture('acme-release.activity-log.json')]);
    store = r.store;
    expect(r.files[0]).toMatchObject({ adapter: 'azure', records: 2, inserted: 2, rejected: 0 });
    const rows = await store.all<Row>('SELECT source, action, native_action, target, target_type, principal, source_ip, details FROM events ORDER BY ts');
    expect(rows[0]).toMatchObject({
      source: 'azure.activity', action: 'key.policy_change', native_action: 'Microsoft.Authorization/roleAssignments/write',
      target: 'https://acme-release-kv.vault.azure.net/', target_type: 'key_vault', principal: 'j.doe@acme.example', source_ip: '203.0.113.77',
    });
    expect(JSON.parse(rows[0].details as string)).toMatchObject({
      assignee_principal_id: '8f7e6d5c-4b3a-4291-8f0e-1d2c3b4a5f6e', result_type: 'Succeeded', operation_display: 'Create role assignment',
    });
    expect(rows[1]).toMatchObject({ action: 'other', native_action: 'Microsoft.KeyVault/vaults/write', target: 'https://acme-release-kv.vault.azure.net/' });
  });

  it('reads an Activity Log REST page {"value":[…], "nextLink"}', async () => {
    const value = JSON.parse(fs.readFileSync(fixture('acme-release.activity-log.json'), 'utf8')) as Rec[];
    const dir = fixtureDir({ 'page.json': JSON.stringify({ value, nextLink: 'https://management.azure.com/subscriptions/5f1c2d3e-8a9b-4c7d-9e0f-1a2b3c4d5e6f/providers/microsoft.insights/eventtypes/management/values?api-version=2015-04-01&%24skiptoken=abc' }) });
    const r = await storeWith([dir]);
    store = r.store;
    expect(r.files[0]).toMatchObject({ adapter: 'azure', records: 2, inserted: 2, rejected: 0 });
    const actions = await store.all<Row>('SELECT action FROM events ORDER BY ts');
    expect(actions).toEqual([{ action: 'key.policy_change' }, { action: 'other' }]);
  });

  it('dedupes on a hash of the record: the blob and an NDJSON copy of its records store each event once', async () => {
    const blob = JSON.parse(fs.readFileSync(fixture('acme-release-kv.insights-logs-auditevent.json'), 'utf8')) as { records: Rec[] };
    const dir = fixtureDir({ 'b.ndjson': blob.records.map((x) => JSON.stringify(x)).join('\n') });
    const r = await storeWith([fixture('acme-release-kv.insights-logs-auditevent.json'), dir]);
    store = r.store;
    expect(r.files.map((f) => [f.inserted, f.duplicates])).toEqual([[7, 0], [0, 7]]);
  });

  it('rejects a record without a parseable time, with its line', async () => {
    const [good] = lines(fixture('acme-release-kv.eventhub.ndjson'));
    const bad = { ...(JSON.parse(good) as Rec), time: '05/01/2016 1:32' };
    const dir = fixtureDir({ 'x.ndjson': [good, JSON.stringify(bad)].join('\n') });
    const r = await storeWith([dir]);
    store = r.store;
    expect(r.files[0]).toMatchObject({ records: 2, inserted: 1, rejected: 1 });
    const rej = await store.one<Row>('SELECT reason, line_no FROM rejects');
    expect(rej).toEqual({ reason: 'missing or unparseable time: 05/01/2016 1:32', line_no: 2 });
  });
});
