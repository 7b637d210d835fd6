import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestLog, keySigner, signHashedrekord, v1ApiResponse } from '../fixtures/sigstore.js';
import { runCli } from '../helpers/cli.js';
import { fixtureDir, realdata, tempDir } from '../helpers/paths.js';

/** The npm registry key's fingerprint, computed here from the publish attestation's Rekor body. */
function npmRegistryKeyFingerprint(): string {
  const bundle = JSON.parse(fs.readFileSync(realdata('sigstore', 'bundles', 'go_examples_bundle-publish.json'), 'utf8')) as {
    verificationMaterial: { tlogEntries: { canonicalizedBody: string }[] };
  };
  const body = JSON.parse(Buffer.from(bundle.verificationMaterial.tlogEntries[0].canonicalizedBody, 'base64').toString()) as {
    spec: { content: { envelope: { signatures: { publicKey: string }[] } } };
  };
  const pem = Buffer.from(body.spec.content.envelope.signatures[0].publicKey, 'base64').toString();
  const der = crypto.createPublicKey(pem).export({ type: 'spki', format: 'der' });
  return crypto.createHash('sha256').update(der).digest('hex');
}

async function sql(db: string, query: string): Promise<Record<string, unknown>[]> {
  const r = await runCli(['--db', db, '--format', 'json', 'sql', query]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>[];
}

describe('sigtrail on the real transparency-log records', () => {
  const db = path.join(tempDir(), 'tlog.duckdb');

  beforeAll(async () => {
    const r = await runCli(['--db', db, 'ingest', realdata('sigstore')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/sigstore-bundle/);
    expect(r.stdout).toMatch(/rekor/);
  });

  it('accounts for every file under realdata/sigstore', async () => {
    const files = await sql(db, 'SELECT adapter, status, count(*) AS n FROM files GROUP BY ALL ORDER BY ALL');
    expect(files).toEqual([
      { adapter: 'rekor', status: 'loaded', n: 7 },
      { adapter: 'sigstore-bundle', status: 'loaded', n: 29 },
      // rekor.pub: a bare PEM key is not a log; its reason is in rejects.
      { adapter: null, status: 'unrecognised', n: 1 },
    ]);
    const walked = fs.readdirSync(realdata('sigstore'), { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).length;
    expect(files.reduce((s, f) => s + Number(f.n), 0)).toBe(walked);
  });

  it('selects signatures by key fingerprint', async () => {
    const rows = await sql(db, `SELECT log_index, signer_kind FROM signatures WHERE key_fingerprint = '${npmRegistryKeyFingerprint()}'`);
    expect(rows).toEqual([{ log_index: 18300940, signer_kind: 'key' }]);
  });

  it('selects signatures by SAN regex', async () => {
    const rows = await sql(db, "SELECT log_index FROM signatures WHERE regexp_matches(san, '^https://github\\.com/sigstore/sigstore-js/\\.github/workflows/release\\.yml@') ORDER BY log_index");
    expect(rows).toEqual([{ log_index: 18300934 }, { log_index: 31821305 }]);
  });

  it('selects signatures by repo and by run id', async () => {
    const byRepo = await sql(db, "SELECT count(*) AS n FROM signatures WHERE repo = 'sigstore-conformance/extremely-dangerous-public-oidc-beacon'");
    // The six conformance bundles signed by the beacon workflow (openssl x509 -ext subjectAltName agrees).
    expect(byRepo).toEqual([{ n: 6 }]);
    const byRun = await sql(db, "SELECT log_index, run_attempt, source_repository_digest FROM signatures WHERE run_id = '5904696764'");
    expect(byRun).toEqual([{ log_index: 31821305, run_attempt: 1, source_repository_digest: 'f0b49a04e5a62250e0f60fb128004a73110fe311' }]);
  });

  it('lists the transparency-log adapters in `sigtrail sources`', async () => {
    const r = await runCli(['--format', 'json', 'sources']);
    const ids = (JSON.parse(r.stdout) as { id: string }[]).map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining(['rekor', 'sigstore-bundle']));
  });
});

describe('ingest --trusted-root', () => {
  const log = createTestLog({ baseUrl: 'https://rekor.internal.example' });
  const entry = log.append(signHashedrekord(keySigner(), Buffer.from('internal release')).body, 1_714_600_000);

  it('verifies entries of a private log against its trusted root', async () => {
    const dir = fixtureDir({ 'entry.json': JSON.stringify(v1ApiResponse(log, entry)), 'trust/root.json': JSON.stringify(log.trustedRoot()) });
    const db = path.join(tempDir(), 'private.duckdb');
    const r = await runCli(['--db', db, 'ingest', '--trusted-root', path.join(dir, 'trust', 'root.json'), path.join(dir, 'entry.json')]);
    expect(r.code).toBe(0);
    expect(await sql(db, 'SELECT tlog_verified, tlog_reason FROM signatures')).toEqual([
      { tlog_verified: 'verified', tlog_reason: 'inclusion proof to a checkpoint signed by https://rekor.internal.example; signed entry timestamp by https://rekor.internal.example' },
    ]);
  });

  it('replaces the shipped roots: the real staging entry is then unverified', async () => {
    const dir = fixtureDir({ 'root.json': JSON.stringify(log.trustedRoot()) });
    const db = path.join(tempDir(), 'replaced.duckdb');
    await runCli(['--db', db, 'ingest', '--trusted-root', path.join(dir, 'root.json'), realdata('sigstore', 'rekor_v1_api', 'rekor_v1_entry_hashedrekord.json')]);
    expect(await sql(db, 'SELECT tlog_verified FROM signatures')).toEqual([{ tlog_verified: 'unverified' }]);
    const both = path.join(tempDir(), 'both.duckdb');
    await runCli(['--db', both, 'ingest', '--trusted-root', 'staging', '--trusted-root', path.join(dir, 'root.json'), realdata('sigstore', 'rekor_v1_api', 'rekor_v1_entry_hashedrekord.json')]);
    expect(await sql(both, 'SELECT tlog_verified FROM signatures')).toEqual([{ tlog_verified: 'verified' }]);
  });

  it('is a usage error (exit 2, one line, nothing ingested) when the file is not a trusted root', async () => {
    const db = path.join(tempDir(), 'bad.duckdb');
    const r = await runCli(['--db', db, 'ingest', '--trusted-root', realdata('sigstore', 'bundles', 'py_bundle.txt.sigstore.json'), realdata('sigstore', 'rekor_v2')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^sigtrail: --trusted-root .*py_bundle.txt.sigstore.json: not a Sigstore trusted root/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(db)).toBe(false);
  });
});
