import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/database.js';
import type { Row } from '../../src/store/values.js';
import { runCli } from '../helpers/cli.js';
import { ROOT, fixtureDir, realdata, tempDir } from '../helpers/paths.js';
import { storeWith } from '../helpers/store.js';

let store: Store | undefined;
afterEach(() => store?.close());

type Rec = Record<string, unknown>;

function lines(p: string): string[] {
  return fs.readFileSync(p, 'utf8').split('\n').filter((l) => l.trim() !== '');
}

const FIXTURE = path.join(ROOT, 'test/fixtures/vault/acme-release.audit.log');
const EXCERPT = realdata('vault', 'elastic_hashicorp_vault_test-audit.excerpt.ndjson');

/** Events a file should give, counted independently of the SQL: one per request id, one per id-less line. */
function expectedEvents(p: string): { events: number; merged: number } {
  const recs = lines(p).map((l) => JSON.parse(l) as { type: string; request?: { id?: string } });
  const ids = new Map<string, { req: number; resp: number }>();
  let single = 0;
  for (const r of recs) {
    const id = r.request?.id;
    if (!id) { single++; continue; }
    const n = ids.get(id) ?? { req: 0, resp: 0 };
    if (r.type.endsWith('request')) n.req++; else n.resp++;
    ids.set(id, n);
  }
  let events = single;
  let merged = 0;
  for (const n of ids.values()) {
    events += Math.max(n.req, n.resp);
    merged += Math.min(n.req, n.resp);
  }
  return { events, merged };
}

describe('vault-audit adapter on the real excerpt', () => {
  it('joins request and response lines: 8 lines, 5 events, 3 merged, records = inserted + duplicates + rejected + merged', async () => {
    const r = await storeWith([EXCERPT]);
    store = r.store;
    const f = r.files[0];
    expect(f).toMatchObject({ adapter: 'vault-audit', records: 8, inserted: 5, duplicates: 0, rejected: 0, merged: 3 });
    expect(f.records).toBe(f.inserted + f.duplicates + f.rejected + (f.merged ?? 0));
    expect({ events: f.inserted, merged: f.merged }).toEqual(expectedEvents(EXCERPT));
    const fileRow = await store.one<{ records: number }>('SELECT records FROM files');
    expect(fileRow!.records).toBe(8);
  });

  it('takes the outcome from the response, the time and record number from the request line', async () => {
    const r = await storeWith([EXCERPT]);
    store = r.store;
    const rows = await store.all<Row>('SELECT record_no, ts_raw, action, outcome, error_code, target, target_type, target_version, credential_id, principal, details FROM events ORDER BY record_no');
    expect(rows.map((x) => x.record_no)).toEqual([1, 3, 5, 7, 8]);
    // PKI issue refused: the response's multi-line error, normalised.
    expect(rows[1]).toMatchObject({
      action: 'credential.create', outcome: 'denied', error_code: 'permission denied', target: 'internal-ca/issue/internal-server',
      ts_raw: '2021-07-19T17:19:00.673898225Z',
      // No accessor was logged for this token: its HMAC'd client token stands in.
      credential_id: 'hmac-sha256:db417023d954a03aea8f56a3daf35460aa51920337420c7c22bcbb6b10852f23',
      principal: 'token:hmac-sha256:db417023d954a03aea8f56a3daf35460aa51920337420c7c22bcbb6b10852f23',
    });
    // kv v2 read: /data/ removed from the logical path; the version comes from the response.
    expect(rows[2]).toMatchObject({
      action: 'secret.read', outcome: 'success', target: 'secret/apps/continuous-delivery/aws-bucket-sse-c', target_type: 'kv_secret', target_version: '1',
      credential_id: 'hmac-sha256:8fa4f7f3d1fd812064950025cde2b1565829a9dc5075253399e5ede8f8a1d98e',
    });
    // The response to this read is not in the excerpt: still an event.
    expect(rows[3]).toMatchObject({ action: 'secret.read', target: 'secret/apps/home-assistant/secrets_yaml', target_version: null });
    expect(JSON.parse(rows[3].details as string)).toMatchObject({ response_seen: false });
    expect(JSON.parse(rows[2].details as string)).toMatchObject({ response_seen: true, response_time: '2021-06-29T17:26:11.409840527Z' });
    // The help request has no request.id: an event of its own.
    expect(rows[4]).toMatchObject({ action: 'other', target: 'ca/roles/example', principal: 'e4f5c67a-6f7e-789d-ae56-a1fe3ae23046' });
  });
});

describe('vault-audit adapter on the transit/sign fixture', () => {
  it('maps transit/sign to key.sign on vault:<key>, with the key version the response reports', async () => {
    const r = await storeWith([FIXTURE]);
    store = r.store;
    expect(r.files[0]).toMatchObject({ adapter: 'vault-audit', records: 13, inserted: 7, duplicates: 0, rejected: 0, merged: 6 });
    expect({ events: r.files[0].inserted, merged: r.files[0].merged }).toEqual(expectedEvents(FIXTURE));
    const signs = await store.all<Row>("SELECT * FROM events WHERE action = 'key.sign' ORDER BY ts");
    expect(signs.map((x) => [x.record_no, x.outcome, x.target_version, x.source_ip, x.actor])).toEqual([
      [3, 'success', '3', '20.171.207.133', 'jwt-repo:acme/release-tools:ref:refs/tags/v2.3.0'],
      // remote_address "[2001:db8:4f2::17]:50432": brackets and port removed.
      [5, 'success', '3', '2001:db8:4f2::17', 'userpass-jdoe'],
      [7, 'denied', null, '10.42.3.17', 'approle'],
      [13, 'success', null, '20.171.207.140', 'jwt-repo:acme/release-tools:ref:refs/tags/v2.3.0'],
    ]);
    expect(signs.every((x) => x.target === 'vault:cosign-release' && x.target_type === 'transit_key' && x.native_action !== null)).toBe(true);
    expect(signs[0]).toMatchObject({
      principal: '5d0c7a2e-9b1f-4e6a-8c3d-2f7b0e1a9c45', actor_type: 'entity', repo: 'acme/release-tools', ref: 'refs/tags/v2.3.0',
      native_action: 'update transit/sign/cosign-release/sha2-256',
    });
    // HMAC'd values are kept as they are.
    expect(signs.every((x) => /^hmac-sha256:[0-9a-f]{64}$/.test(x.credential_id as string))).toBe(true);
    const d = JSON.parse(signs[0].details as string) as Rec;
    expect(d).toMatchObject({ hash_algorithm: 'sha2-256', mount_type: 'transit', policies: ['default', 'release-signer'] });
    const raw = JSON.parse(signs[0].raw as string) as { request: Rec; response: Rec };
    expect(raw.request.type).toBe('request');
    expect(raw.response.type).toBe('response');
  });

  it('maps the login, the rotation and the kv v2 write', async () => {
    const r = await storeWith([FIXTURE]);
    store = r.store;
    const rows = await store.all<Row>("SELECT action, target, target_version, principal, issued_credential_id FROM events WHERE action <> 'key.sign' ORDER BY ts");
    const accessorOfRun = (JSON.parse(lines(FIXTURE)[1]) as { response: { auth: { accessor: string } } }).response.auth.accessor;
    expect(rows).toEqual([
      { action: 'auth.login', target: 'auth/jwt', target_version: null, principal: '5d0c7a2e-9b1f-4e6a-8c3d-2f7b0e1a9c45', issued_credential_id: accessorOfRun },
      { action: 'key.rotate', target: 'vault:cosign-release', target_version: '4', principal: 'f2a6c0e4-8b3d-4f7a-a1c5-9e2d6b0f4a83', issued_credential_id: null },
      { action: 'secret.write', target: 'secret/release/cosign-password', target_version: '4', principal: 'f2a6c0e4-8b3d-4f7a-a1c5-9e2d6b0f4a83', issued_credential_id: null },
    ]);
    // The token the login issued is the credential every later call of that job carries.
    const used = await store.one<{ n: number }>("SELECT count(*) AS n FROM events WHERE action = 'key.sign' AND credential_id = $1", [accessorOfRun]);
    expect(used!.n).toBe(2);
  });

  it('stores nothing new when the same log is ingested again as a different file', async () => {
    const dir = fixtureDir({ 'copy.log': fs.readFileSync(FIXTURE, 'utf8') + '\n' });
    const r = await storeWith([FIXTURE, dir]);
    store = r.store;
    expect(r.files[1]).toMatchObject({ records: 13, inserted: 0, duplicates: 7, merged: 6, rejected: 0 });
  });

  it('keeps a response whose request is in another file as its own event', async () => {
    const all = lines(FIXTURE);
    const dir = fixtureDir({ '1.log': all.slice(0, 3).join('\n'), '2.log': all.slice(3).join('\n') });
    const r = await storeWith([dir]);
    store = r.store;
    // Line 4 (the first sign's response) lands alone in the second file.
    expect(r.files.map((f) => [f.records, f.inserted, f.merged ?? 0])).toEqual([[3, 2, 1], [10, 6, 4]]);
    const orphan = await store.one<Row>('SELECT action, outcome, target_version, details FROM events WHERE file_id = 2 AND record_no = 1');
    expect(orphan).toMatchObject({ action: 'key.sign', outcome: 'success', target_version: '3' });
    expect(JSON.parse(orphan!.details as string)).toMatchObject({ type: 'response', response_seen: true });
  });

  it('rejects a malformed line and a line that is not a Vault entry, with their lines', async () => {
    const all = lines(FIXTURE);
    const dir = fixtureDir({ 'x.log': [all[2], '{"time":"2025-03-06T11:00:00Z","type":"request","auth":', all[3], '{"type":"heartbeat","time":"2025-03-06T11:00:00Z"}'].join('\n') });
    const r = await storeWith([dir]);
    store = r.store;
    expect(r.files[0]).toMatchObject({ records: 4, inserted: 1, merged: 1, rejected: 2 });
    const rej = await store.all<Row>('SELECT line_no, reason FROM rejects ORDER BY line_no');
    expect(rej.map((x) => x.line_no)).toEqual([2, 4]);
    expect(rej[1].reason as string).toMatch(/not a Vault audit entry/);
  });

  it('shows merged lines in the ingest summary', async () => {
    const db = path.join(tempDir(), 'case.duckdb');
    const run = await runCli(['--db', db, '--format', 'json', 'ingest', FIXTURE, EXCERPT]);
    expect(run.code).toBe(0);
    const rows = JSON.parse(run.stdout) as Rec[];
    expect(rows).toEqual([expect.objectContaining({ source: 'vault-audit', files: 2, records: 21, inserted: 12, duplicates: 0, rejected: 0, merged: 9 })]);
  });
});
