import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TrustedLogs, logsFromTrustedRoot } from '../../src/sigstore/trusted-root.js';
import type { Store } from '../../src/store/database.js';
import {
  createTestLog, entryUuid, flipByte, keySigner, otherKindBody, signHashedrekord, transparencyLogEntry, v1ApiResponse,
} from '../fixtures/sigstore.js';
import { fixtureDir, realdata } from '../helpers/paths.js';
import { storeWith as ingestWith } from '../helpers/store.js';

let store: Store | undefined;
afterEach(() => store?.close());

async function storeWith(paths: string[], trustedLogs?: TrustedLogs): ReturnType<typeof ingestWith> {
  const r = await ingestWith(paths, { trustedLogs });
  store = r.store;
  return r;
}

interface Sig {
  entry_uuid: string; log_index: number; tree_log_index: number | null; tree_id: string | null; log_id: string; integrated_time: string | null;
  kind: string; kind_version: string; artifact_digest: string | null; signer_kind: string | null; san: string | null; oidc_issuer: string | null;
  key_fingerprint: string | null; tlog_verified: string; tlog_reason: string; decode_error: string | null; source: string; raw: string; body: string;
}

const sigs = (): Promise<Sig[]> => store!.all<Sig & Record<string, never>>(
  'SELECT *, CAST(raw AS VARCHAR) AS raw, CAST(body AS VARCHAR) AS body FROM signatures ORDER BY file_id, record_no, log_index',
);

describe('rekor adapter on the real v1 API and v2 entries', () => {
  const v1Files = fs.readdirSync(realdata('sigstore', 'rekor_v1_api')).filter((f) => f.endsWith('.json'));

  it.each(v1Files)('stores one row per entry of %s', async (name) => {
    const p = realdata('sigstore', 'rekor_v1_api', name);
    const uuids = Object.keys(JSON.parse(fs.readFileSync(p, 'utf8')) as object);
    const r = await storeWith([p]);
    expect(r.files[0]).toMatchObject({ adapter: 'rekor', status: 'loaded', records: uuids.length });
    const rows = await sigs();
    expect(rows.map((x) => x.entry_uuid)).toEqual(uuids.map((u) => u.slice(-64)));
    expect(rows.every((x) => x.source === 'rekor.v1')).toBe(true);
  });

  it('verifies the staging hashedrekord entry with a proof: checkpoint and SET against the shipped staging root', async () => {
    await storeWith([realdata('sigstore', 'rekor_v1_api', 'rekor_v1_entry_hashedrekord.json')]);
    const [row] = await sigs();
    expect(row).toMatchObject({
      log_index: 1688, tree_log_index: 1227, kind: 'hashedrekord', kind_version: '0.0.1', integrated_time: '2022-06-28T20:28:51Z',
      log_id: 'd32f30a3c32d639c2b762205a21c7bb07788e68283a4ae6f42118723a1bea496',
      artifact_digest: 'sha256:47c1db9fb5fe7ff66e3d7c15b2ca5d3a046ee8f4aa043dedd317e46b321c4390',
      signer_kind: 'cert', san: 'test@test.com', oidc_issuer: 'https://fakeaccounts.test.com',
      tlog_verified: 'verified', tree_id: '0181bbc9c6333964',
    });
    expect(row.tlog_reason).toMatch(/checkpoint signed by https:\/\/rekor.sigstage.dev.*signed entry timestamp/);
    // raw is the record as read; body the decoded canonical body.
    expect(Object.keys(JSON.parse(row.raw) as object)).toEqual(['ac3650aee1c1b3821211cf07067c1a118d0a7f86867bbb1df340cb8fc9c221af']);
    expect(JSON.parse(row.body)).toMatchObject({ kind: 'hashedrekord', apiVersion: '0.0.1' });
  });

  it('verifies the entry without an inclusion proof by its SET alone', async () => {
    await storeWith([realdata('sigstore', 'rekor_v1_api', 'rekor_v1_entry_no_inclusion_proof.json')]);
    expect((await sigs())[0]).toMatchObject({ tlog_verified: 'verified', tlog_reason: 'signed entry timestamp by https://rekor.sigstage.dev', tree_log_index: null });
  });

  it('keeps the jar entry (a kind sigtrail does not decode) with its body, verified, and lists it in rejects', async () => {
    const r = await storeWith([realdata('sigstore', 'rekor_v1_api', 'rekor_v1_entry_jar.json')]);
    expect(r.files[0]).toMatchObject({ records: 1, rejected: 1, inserted: 0 });
    const [row] = await sigs();
    expect(row).toMatchObject({
      kind: 'jar', log_index: 3120029, tree_log_index: 3120029, tree_id: '362f8ecba72f4326', signer_kind: null, tlog_verified: 'verified',
      // The 80-hex UUID 362f8ecba72f4326… is the tree ID followed by the leaf hash.
      entry_uuid: '7ccec0af2bdf601a4772c3af6859215d8049583bba5a3f11bf99573109ba7b2a',
    });
    expect(row.decode_error).toMatch(/kind jar 0.0.1 is not decoded/);
    expect(JSON.parse(row.body)).toHaveProperty('spec.archive');
    const rej = await store!.all<{ record_no: number; reason: string }>('SELECT record_no, reason FROM rejects');
    expect(rej).toHaveLength(1);
    expect(rej[0].record_no).toBe(1);
    expect(rej[0].reason).toMatch(/^kept in signatures, not fully decoded: entry kind jar/);
  });

  it('reads the Rekor v2 entry (base64 log id, no integrated time) and verifies its Ed25519 checkpoint', async () => {
    const r = await storeWith([realdata('sigstore', 'rekor_v2', 'rekor_v2_entry_hashedrekord.json')]);
    expect(r.files[0]).toMatchObject({ adapter: 'rekor', records: 1, inserted: 1 });
    expect((await sigs())[0]).toMatchObject({
      source: 'rekor.tle', kind: 'hashedrekord', kind_version: '0.0.2', log_index: 743, integrated_time: null,
      log_id: Buffer.from('8w1amZ2S5mJIQkQmPxdMuOrL/oJkvFg9MnQXmeOCXck=', 'base64').toString('hex'),
      tlog_verified: 'verified', tlog_reason: 'inclusion proof to a checkpoint signed by https://log2025-alpha1.rekor.sigstage.dev',
    });
  });

  it('rejects the ProposedEntry submissions under rekor_kinds/ as requests, not log entries', async () => {
    const dir = realdata('sigstore', 'rekor_kinds');
    const r = await storeWith([dir]);
    expect(r.files.map((f) => [path.basename(f.path), f.adapter, f.records, f.rejected])).toEqual([
      ['proposed_dsse.json', 'rekor', 1, 1], ['proposed_hashedrekord.json', 'rekor', 1, 1], ['proposed_intoto.json', 'rekor', 1, 1],
    ]);
    expect(await sigs()).toEqual([]);
    const reasons = await store!.all<{ reason: string }>('SELECT reason FROM rejects ORDER BY path');
    expect(reasons.map((x) => x.reason)).toEqual([
      expect.stringMatching(/^a Rekor ProposedEntry \(dsse 0.0.1\): a submission request to the log, not a log entry/),
      expect.stringMatching(/^a Rekor ProposedEntry \(hashedrekord 0.0.1\)/),
      expect.stringMatching(/^a Rekor ProposedEntry \(intoto 0.0.2\)/),
    ]);
  });
});

describe('rekor adapter: tampering with the real staging entry', () => {
  const original = fs.readFileSync(realdata('sigstore', 'rekor_v1_api', 'rekor_v1_entry_hashedrekord.json'), 'utf8');
  type Doc = Record<string, { body: string; verification: { inclusionProof: { hashes: string[]; rootHash: string } } }>;

  async function tampered(edit: (e: Doc[string]) => void): Promise<Sig> {
    const doc = JSON.parse(original) as Doc;
    edit(Object.values(doc)[0]);
    await storeWith([fixtureDir({ 'entry.json': JSON.stringify(doc, null, 2) })]);
    return (await sigs())[0];
  }

  it('a body altered by one byte is stored as failed, with the reason', async () => {
    const row = await tampered((e) => { e.body = flipByte(Buffer.from(e.body, 'base64'), 120).toString('base64'); });
    expect(row.tlog_verified).toBe('failed');
    expect(row.tlog_reason).toMatch(/does not match the leaf hash of its body/);
  });

  it('a proof hash altered by one byte is stored as failed, with the reason', async () => {
    const row = await tampered((e) => {
      const h = e.verification.inclusionProof.hashes;
      h[0] = flipByte(Buffer.from(h[0], 'hex'), 31).toString('hex');
    });
    expect(row.tlog_verified).toBe('failed');
    expect(row.tlog_reason).toMatch(/inclusion proof does not hash to its root hash/);
  });
});

describe('rekor adapter on generated files', () => {
  const log = createTestLog({ origin: 'rekor.test.dev - 3904496407287907110', indexOffset: 90_000 });
  const signer = keySigner();
  const entries = Array.from({ length: 6 }, (_, i) => log.append(signHashedrekord(signer, Buffer.from(`release ${i}`)).body, 1_714_560_000 + i));
  const trust = new TrustedLogs(logsFromTrustedRoot(log.trustedRoot(), 'test'));

  it('reads NDJSON, /retrieve arrays and multi-entry objects, 64- and 80-hex UUIDs', async () => {
    const dir = fixtureDir({
      'a.ndjson': entries.slice(0, 2).map((e) => JSON.stringify(v1ApiResponse(log, e))).join('\n'),
      'b.json': JSON.stringify([v1ApiResponse(log, entries[2], { uuid80: true }), v1ApiResponse(log, entries[3])], null, 2),
      'c.json': JSON.stringify({ ...v1ApiResponse(log, entries[4]), ...v1ApiResponse(log, entries[5], { uuid80: true }) }),
    });
    const r = await storeWith([dir], trust);
    expect(r.files.map((f) => [f.adapter, f.records, f.inserted, f.rejected])).toEqual([['rekor', 2, 2, 0], ['rekor', 2, 2, 0], ['rekor', 2, 2, 0]]);
    const rows = await sigs();
    expect(rows.map((x) => x.log_index)).toEqual([90_000, 90_001, 90_002, 90_003, 90_004, 90_005]);
    expect(rows.every((x) => x.tlog_verified === 'verified' && x.tree_id === log.treeIdHex && x.entry_uuid.length === 64)).toBe(true);
    expect(rows[2].entry_uuid).toBe(entryUuid(log, entries[2]));
    expect(rows.every((x) => x.signer_kind === 'key' && x.key_fingerprint === rows[0].key_fingerprint)).toBe(true);
  });

  it('reads protobuf-JSON TransparencyLogEntry records (the bundle tlogEntries shape)', async () => {
    const dir = fixtureDir({ 'tle.ndjson': entries.map((e) => JSON.stringify(transparencyLogEntry(log, e))).join('\n') });
    await storeWith([dir], trust);
    const rows = await sigs();
    expect(rows).toHaveLength(6);
    expect(rows.every((x) => x.source === 'rekor.tle' && x.tlog_verified === 'verified')).toBe(true);
  });

  it('says unverified, not failed, when the log is not in the trusted roots', async () => {
    await storeWith([fixtureDir({ 'a.json': JSON.stringify(v1ApiResponse(log, entries[0])) })]);
    const [row] = await sigs();
    expect(row.tlog_verified).toBe('unverified');
    expect(row.tlog_reason).toMatch(/is not in the trusted roots \(use --trusted-root\)/);
  });

  it('rejects malformed members with their record number and keeps the good ones', async () => {
    const good = v1ApiResponse(log, entries[0]);
    const [uuid, e] = Object.entries(v1ApiResponse(log, entries[1]))[0];
    const lines = [
      JSON.stringify(good),
      JSON.stringify({ [uuid]: { ...(e as object), logIndex: -4 } }),
      JSON.stringify({ notAUuid: { body: 'eyJ9' } }),
      JSON.stringify({}),
      JSON.stringify({ [uuid]: { integratedTime: 1 } }),
      '{"broken json',
    ];
    const r = await storeWith([fixtureDir({ 'mixed.ndjson': lines.join('\n') })], trust);
    expect(r.files[0]).toMatchObject({ records: 6, inserted: 1, rejected: 5 });
    const rej = await store!.all<{ record_no: number; line_no: number | null; reason: string }>('SELECT record_no, line_no, reason FROM rejects ORDER BY record_no');
    expect(rej.map((x) => x.record_no)).toEqual([2, 3, 4, 5, 6]);
    expect(rej[0].reason).toMatch(/logIndex "-4" is not a non-negative integer/);
    expect(rej[1].reason).toMatch(/member "notAUuid" is neither a 64\/80-hex entry UUID/);
    expect(rej[2].reason).toMatch(/an empty JSON object/);
    expect(rej[3].reason).toMatch(/has no body/);
    expect(rej[4].line_no).toBe(6);
  });

  it('keeps an entry of an unknown kind (rekord) with its raw body and a reject reason', async () => {
    const other = log.append(otherKindBody('rekord'), 1_714_570_000);
    await storeWith([fixtureDir({ 'rekord.json': JSON.stringify(v1ApiResponse(log, other)) })], trust);
    const [row] = await sigs();
    expect(row).toMatchObject({ kind: 'rekord', tlog_verified: 'verified' });
    expect(row.decode_error).toMatch(/rekord 0.0.1 is not decoded/);
  });

  it('stores a re-ingested entry once, counting the duplicate; a tampered copy is stored beside it as failed', async () => {
    const doc = v1ApiResponse(log, entries[0]);
    const [uuid, e] = Object.entries(doc)[0] as [string, { verification: { signedEntryTimestamp: string } }];
    const forged = { [uuid]: { ...e, verification: { signedEntryTimestamp: flipByte(Buffer.from(e.verification.signedEntryTimestamp, 'base64'), 10).toString('base64') } } };
    const dir = fixtureDir({
      '1.json': JSON.stringify(doc),
      '2.ndjson': `${JSON.stringify(doc)}\n${JSON.stringify(v1ApiResponse(log, entries[0], { proof: false }))}`,
      '3.json': JSON.stringify(forged),
    });
    const r = await storeWith([dir], trust);
    expect(r.files.map((f) => [f.inserted, f.duplicates])).toEqual([[1, 0], [0, 2], [1, 0]]);
    const rows = await sigs();
    expect(rows.map((x) => x.tlog_verified)).toEqual(['verified', 'failed']);
    expect(rows[1].tlog_reason).toMatch(/signed entry timestamp does not verify/);
  });
});
