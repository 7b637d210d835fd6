import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/database.js';
import type { Row } from '../../src/store/values.js';
import { ROOT, realdata } from '../helpers/paths.js';
import { rawRecord } from '../../src/store/raw.js';
import { storeWith } from '../helpers/store.js';

let store: Store | undefined;
afterEach(() => store?.close());

/** The query as docs/cloud-sources.md publishes it (the SQL block after its marker), so the doc cannot drift. */
function documentedQuery(): string {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/cloud-sources.md'), 'utf8');
  const m = /<!-- key-sign-across-clouds -->\s*```sql\n([\s\S]*?)```/.exec(doc);
  if (!m) throw new Error('query block not found in docs/cloud-sources.md');
  return m[1];
}

/** The fixtures of the cloud and vault adapters (test/fixtures holds other adapters' too). */
const FIXTURES = ['gcp', 'azure', 'vault'].map((d) => path.join(ROOT, 'test/fixtures', d));

const ALIASES = [
  'kms:arn:aws:kms:us-west-2:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321',
  'kms:projects/acme-release/locations/global/keyRings/release/cryptoKeys/cosign',
  'kms:https://acme-release-kv.vault.azure.net/keys/cosign',
  'vault:cosign-release',
];

async function loaded(): Promise<Store> {
  const r = await storeWith([...FIXTURES, realdata('aws', 'awsdocs_kms_cloudtrail_examples.ndjson')]);
  return r.store;
}

describe('events from the cloud and vault adapters', () => {
  it('all have a principal, an actor, a time and an outcome', async () => {
    const r = await storeWith([...FIXTURES, realdata('gcp'), realdata('azure'), realdata('vault')]);
    store = r.store;
    const n = await store.one<Row>(
      "SELECT count(*) AS total, count(*) FILTER (WHERE principal IS NULL OR actor IS NULL OR ts IS NULL OR outcome NOT IN ('success', 'failure', 'denied')) AS bad FROM events",
    );
    expect(n!.total).toBeGreaterThan(400);
    expect(n!.bad).toBe(0);
  });
});

describe('one query lists every key.sign across AWS, GCP, Azure and Vault for a key\'s aliases', () => {
  it('returns the signatures of all four systems in time order', async () => {
    store = await loaded();
    const rows = await store.all<Row>(documentedQuery(), { aliases: ALIASES });
    const bySource = (s: string): number => rows.filter((x) => x.source === s).length;
    expect(rows).toHaveLength(13);
    expect([bySource('aws.cloudtrail'), bySource('gcp.audit'), bySource('azure.keyvault'), bySource('vault.audit')]).toEqual([1, 4, 4, 4]);
    const times = rows.map((x) => Date.parse(x.ts as string));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(rows.filter((x) => x.outcome === 'denied').map((x) => x.source).sort()).toEqual(['azure.keyvault', 'gcp.audit', 'vault.audit']);
    // Every row points back at its evidence.
    expect(rows.every((x) => Number(x.file_id) > 0 && Number(x.record_no) > 0)).toBe(true);
  });

  it('matches a versioned GCP alias and an upper-case Azure alias, and nothing for other keys', async () => {
    store = await loaded();
    const versioned = await store.all<Row>(documentedQuery(), {
      aliases: ['kms:projects/acme-release/locations/global/keyRings/release/cryptoKeys/cosign/cryptoKeyVersions/1', 'kms:HTTPS://ACME-RELEASE-KV.VAULT.AZURE.NET/keys/cosign'],
    });
    expect(versioned.map((x) => x.source)).toEqual(expect.arrayContaining(['gcp.audit', 'azure.keyvault']));
    expect(versioned).toHaveLength(8);
    const wrongVersion = await store.all(documentedQuery(), {
      aliases: ['kms:projects/acme-release/locations/global/keyRings/release/cryptoKeys/cosign/cryptoKeyVersions/2'],
    });
    expect(wrongVersion).toHaveLength(0);
    const other = await store.all(documentedQuery(), { aliases: ['vault:another-key', 'kms:https://acme-release-kv.vault.azure.net/keys/cosign-old'] });
    expect(other).toHaveLength(0);
  });
});

describe('sigtrail raw on events whose record was not kept', () => {
  it('re-reads Azure records from a {"records":[…]} blob and a REST array, and a Vault request line', async () => {
    const r = await storeWith([path.join(ROOT, 'test/fixtures/azure'), realdata('azure', 'msdocs_keyvault_AuditEvent_VaultGet.records.json'), realdata('vault')]);
    store = r.store;
    const kv = await store.one<Row>("SELECT event_uid FROM events WHERE native_action = 'VaultGet' AND raw IS NULL");
    const got = await rawRecord(store, kv!.event_uid as string);
    expect(got.source).toBe('file');
    expect(got.record).toMatchObject({ category: 'AuditEvent', operationName: 'VaultGet', durationMs: '78' });
    const act = await store.one<Row>("SELECT event_uid, record_no FROM events WHERE native_action = 'Microsoft.KeyVault/vaults/write' AND raw IS NULL");
    expect(act!.record_no).toBe(2);
    expect((await rawRecord(store, act!.event_uid as string)).record).toMatchObject({ operationName: { value: 'Microsoft.KeyVault/vaults/write' } });
    const vault = await store.one<Row>("SELECT event_uid, record_no FROM events WHERE source = 'vault.audit' AND raw IS NULL AND record_no = 1");
    const line = await rawRecord(store, vault!.event_uid as string);
    // The request line: the pointer of a joined event is its request.
    expect(line.record).toMatchObject({ type: 'request', request: { path: 'sys/capabilities-self' } });
  });
});
